// Triad a[i] = b[i] + s * c[i]: the kernel on the CPU backend against the same loop in C++ with
// OpenMP, on as many threads as the backend's workers. Memory bandwidth is what both measure.
#include "BenchSupport.h"

#include <cstdlib>
#include <omp.h>

using namespace drawbridge::backend;
using namespace drawbridge::backend::cpu::bench;

int main() {
  // OpenMP's idle threads would otherwise spin between loops and take the cores from the
  // backend's workers while the kernel runs (the two are measured alternately).
  setenv("OMP_WAIT_POLICY", "passive", 0);
  const int n = 1 << 25;
  const float s = 3.0f;
  Session session("bench");
  unsigned threads = unsigned(session.device->properties().multiProcessorCount);
  float* a = session.allocate<float>(n);
  float* b = session.allocate<float>(n);
  float* c = session.allocate<float>(n);
  parallelRanges(threads, n, [&](int64_t begin, int64_t end, unsigned) {
    for (int64_t i = begin; i < end; ++i) {
      a[i] = 0.0f;
      b[i] = float(i % 100);
      c[i] = 1.0f;
    }
  });
  Kernel* triad = session.kernel("triad");
  const int repeats = 50; // best of many: other processes share these cores
  // Alternated, so both see the same machine load (other processes share these cores).
  double kernelSeconds = 1e30, loopSeconds = 1e30;
  for (int r = 0; r < repeats; ++r) {
    kernelSeconds = std::min(kernelSeconds, fastest(1, [&] {
                               session.launch(triad, {unsigned((n + 255) / 256)}, {256}, nullptr, a,
                                              b, c, s, n);
                               check(session.device->synchronize(), "synchronize");
                             }));
    loopSeconds = std::min(loopSeconds, fastest(1, [&] {
#pragma omp parallel for schedule(static) num_threads(threads)
                             for (int i = 0; i < n; ++i)
                               a[i] = b[i] + s * c[i];
                           }));
  }
  for (int i = 0; i < n; i += 4099)
    if (a[i] != b[i] + s * c[i]) {
      std::fprintf(stderr, "wrong result at %d\n", i);
      return 1;
    }
  double bytes = 3.0 * sizeof(float) * n;
  std::printf("triad, %d floats, %u threads (best of %d)\n", n, threads, repeats);
  std::printf("  CPU backend kernel  %8.2f GB/s  %8.3f ms\n", bytes / kernelSeconds / 1e9,
              kernelSeconds * 1e3);
  std::printf("  C++ OpenMP loop     %8.2f GB/s  %8.3f ms\n", bytes / loopSeconds / 1e9,
              loopSeconds * 1e3);
  std::printf("  ratio kernel/OpenMP %8.2fx (target >= 0.8x)\n", loopSeconds / kernelSeconds);
  return 0;
}

// Sum of n floats: a shared-memory block reduction (__syncthreads in a loop) and a
// warp-shuffle reduction on the CPU backend, as clang and as nvcc compile them, against a
// threaded, vectorized C++ reduction and PoCL running the same kernels in OpenCL C.
#include "BenchSupport.h"
#include "PoclSession.h"

#include <cmath>

using namespace drawbridge::backend;
using namespace drawbridge::backend::cpu::bench;

int main() {
  const int n = 1 << 24, block = 256, blocks = n / block;
  Session session("bench", {}, /*withNvcc=*/true);
  PoclSession pocl;
  unsigned threads = unsigned(session.device->properties().multiProcessorCount);
  float* in = session.allocate<float>(n);
  float* partial = session.allocate<float>(blocks);
  for (int i = 0; i < n; ++i)
    in[i] = float(i % 7);
  double exact = 0;
  for (int i = 0; i < n; ++i)
    exact += in[i];

  cl_mem clIn = pocl.buffer(in, size_t(n) * sizeof(float));
  cl_mem clPartial = pocl.buffer(partial, size_t(blocks) * sizeof(float));
  // Times `launch` (a kernel's run) and checks the sum of its partial sums.
  auto timedSum = [&](const char* name, double& seconds, auto&& launch) {
    double sum = 0;
    seconds = fastest(5, [&] {
      launch();
      sum = 0;
      for (int b = 0; b < blocks; ++b)
        sum += partial[b];
    });
    if (sum != exact) {
      std::fprintf(stderr, "%s: sum %f, expected %f\n", name, sum, exact);
      std::exit(1);
    }
  };
  auto kernelSum = [&](const char* name, double& seconds, KernelSource source) {
    Kernel* kernel = session.kernel(name, source);
    timedSum(name, seconds, [&] {
      session.launch(kernel, {unsigned(blocks)}, {unsigned(block)}, nullptr, in, partial, n);
      check(session.device->synchronize(), "synchronize");
    });
  };
  auto poclSum = [&](const char* name, double& seconds) {
    timedSum(name, seconds,
             [&] { pocl.run(name, {size_t(n)}, {size_t(block)}, clIn, clPartial, n); });
  };
  double sharedSeconds = 0, shuffleSeconds = 0, poclSharedSeconds = 0, poclShuffleSeconds = 0;
  double nvccSharedSeconds = 0, nvccShuffleSeconds = 0;
  kernelSum("shared_reduce", sharedSeconds, KernelSource::Clang);
  kernelSum("shuffle_reduce", shuffleSeconds, KernelSource::Clang);
  kernelSum("shared_reduce", nvccSharedSeconds, KernelSource::Nvcc);
  kernelSum("shuffle_reduce", nvccShuffleSeconds, KernelSource::Nvcc);
  poclSum("shared_reduce", poclSharedSeconds);
  poclSum("shuffle_reduce", poclShuffleSeconds);
  double cppSum = 0;
  double cppSeconds = fastest(10, [&] {
    std::vector<double> sums(threads);
    parallelRanges(threads, n, [&](int64_t begin, int64_t end, unsigned t) {
      // 16 float lanes (one AVX-512 vector) of 4096 values each, summed exactly, then added
      // in double: a float accumulator over millions of values would drift.
      double sum = 0;
      for (int64_t chunk = begin; chunk < end; chunk += 16 * 4096) {
        float lanes[16] = {};
        int64_t stop = std::min(end, chunk + 16 * 4096), i = chunk;
        for (; i + 16 <= stop; i += 16)
          for (int l = 0; l < 16; ++l)
            lanes[l] += in[i + l];
        for (; i < stop; ++i)
          lanes[0] += in[i];
        for (float lane : lanes)
          sum += lane;
      }
      sums[t] = sum;
    });
    cppSum = 0;
    for (double sum : sums)
      cppSum += sum;
  });
  if (cppSum != exact) {
    std::fprintf(stderr, "C++ sum %f, expected %f\n", cppSum, exact);
    return 1;
  }
  double bytes = double(n) * sizeof(float);
  std::printf("sum of %d floats, %u threads (best of 5, C++ best of 10)\n", n, threads);
  auto row = [&](const char* what, double seconds, double poclSeconds) {
    std::printf("  %-36s %8.2f GB/s %8.3f ms  %6.3fx of C++ | PoCL %8.2f GB/s %8.3f ms, kernel "
                "%6.2fx of PoCL\n",
                what, bytes / seconds / 1e9, seconds * 1e3, cppSeconds / seconds,
                bytes / poclSeconds / 1e9, poclSeconds * 1e3, poclSeconds / seconds);
  };
  row("shared-memory reduction, clang", sharedSeconds, poclSharedSeconds);
  row("shared-memory reduction, nvcc PTX", nvccSharedSeconds, poclSharedSeconds);
  row("warp-shuffle reduction, clang", shuffleSeconds, poclShuffleSeconds);
  row("warp-shuffle reduction, nvcc PTX", nvccShuffleSeconds, poclShuffleSeconds);
  std::printf("  %-36s %8.2f GB/s %8.3f ms\n", "C++ threaded, vectorized", bytes / cppSeconds / 1e9,
              cppSeconds * 1e3);
  return 0;
}

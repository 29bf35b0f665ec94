// Sum of n floats: a shared-memory block reduction (__syncthreads in a loop) and a
// warp-shuffle reduction on the CPU backend, against a threaded C++ reduction.
#include "BenchSupport.h"

#include <cmath>

using namespace drawbridge::backend;
using namespace drawbridge::backend::cpu::bench;

int main() {
  const int n = 1 << 24, block = 256, blocks = n / block;
  Session session("bench");
  unsigned threads = unsigned(session.device->properties().multiProcessorCount);
  float* in = session.allocate<float>(n);
  float* partial = session.allocate<float>(blocks);
  for (int i = 0; i < n; ++i)
    in[i] = float(i % 7);
  double exact = 0;
  for (int i = 0; i < n; ++i)
    exact += in[i];

  auto kernelSum = [&](const char* name, double& seconds) {
    Kernel* kernel = session.kernel(name);
    double sum = 0;
    seconds = fastest(10, [&] {
      session.launch(kernel, {unsigned(blocks)}, {unsigned(block)}, nullptr, in, partial, n);
      check(session.device->synchronize(), "synchronize");
      sum = 0;
      for (int b = 0; b < blocks; ++b)
        sum += partial[b];
    });
    if (sum != exact) {
      std::fprintf(stderr, "%s: sum %f, expected %f\n", name, sum, exact);
      std::exit(1);
    }
  };
  double sharedSeconds = 0, shuffleSeconds = 0;
  kernelSum("shared_reduce", sharedSeconds);
  kernelSum("shuffle_reduce", shuffleSeconds);
  double cppSum = 0;
  double cppSeconds = fastest(10, [&] {
    std::vector<double> sums(threads); // float accumulators drift by 10% over 2^24 values
    parallelRanges(threads, n, [&](int64_t begin, int64_t end, unsigned t) {
      double sum = 0;
      for (int64_t i = begin; i < end; ++i)
        sum += in[i];
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
  std::printf("sum of %d floats, %u threads (best of 10)\n", n, threads);
  std::printf("  shared-memory reduction kernel %8.2f GB/s %8.3f ms  %6.3fx of C++\n",
              bytes / sharedSeconds / 1e9, sharedSeconds * 1e3, cppSeconds / sharedSeconds);
  std::printf("  warp-shuffle reduction kernel  %8.2f GB/s %8.3f ms  %6.3fx of C++\n",
              bytes / shuffleSeconds / 1e9, shuffleSeconds * 1e3, cppSeconds / shuffleSeconds);
  std::printf("  C++ threaded reduction         %8.2f GB/s %8.3f ms\n", bytes / cppSeconds / 1e9,
              cppSeconds * 1e3);
  return 0;
}

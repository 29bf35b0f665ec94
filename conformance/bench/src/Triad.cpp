#include "Triad.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>

namespace drawbridge::bench {

double triadBandwidth() {
  constexpr size_t kElements = size_t(1) << 25; // 128 MiB per array
  constexpr int kPasses = 8;
  auto a = std::make_unique<double[]>(kElements), b = std::make_unique<double[]>(kElements),
       c = std::make_unique<double[]>(kElements);
  // First touch from the threads that will use the pages.
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < kElements; ++i) {
    a[i] = 0;
    b[i] = 1;
    c[i] = 2;
  }
  double best = 1e30;
  for (int pass = 0; pass < kPasses; ++pass) {
    auto started = std::chrono::steady_clock::now();
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < kElements; ++i)
      a[i] = b[i] + 3.0 * c[i];
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  // A read of the result keeps the stores from being optimised away.
  volatile double sink = a[kElements / 2];
  (void)sink;
  return 3.0 * sizeof(double) * kElements / best;
}

} // namespace drawbridge::bench

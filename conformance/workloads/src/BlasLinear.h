// The library path of the linear layers (cuBLAS and cuBLASLt on NVIDIA's toolkit) behind an
// interface, so that a build without a BLAS library still has the suite's own kernels: which
// library a build has is chosen by the source it links, CublasLinear.cu or WithoutBlas.cpp. The
// HIP build needs this, as Debian packages no hipBLAS.
#pragma once

#include <memory>

namespace workload {

enum class Element { F32, F16, BF16 };

class BlasLinear {
public:
  virtual ~BlasLinear() = default;
  /// y[M, N] = x[M, K] @ w[N, K]^T (row-major, device memory) with float accumulation: x and w
  /// hold `in` elements, y holds `out` elements.
  virtual void linear(const void* x, const void* w, void* y, Element in, Element out, int M, int N,
                      int K) = 0;
};

/// This build's library; a build without one says so on stderr and stops the program.
std::unique_ptr<BlasLinear> makeBlasLinear();

} // namespace workload

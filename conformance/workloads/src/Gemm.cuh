// Linear layers, y[M, N] = x[M, K] @ w[N, K]^T with float accumulation, through one of two paths:
// the suite's own kernels (tiled matmul for a batch, warp-per-row GEMV for one token) or the BLAS
// library this build links (BlasLinear.h).
#pragma once

#include "BlasLinear.h"
#include "Check.cuh"
#include "Options.h"
#include "kernels/Matmul.cuh"

namespace workload {

template <typename T> constexpr Element elementOf();
template <> constexpr Element elementOf<float>() {
  return Element::F32;
}
template <> constexpr Element elementOf<__half>() {
  return Element::F16;
}
template <> constexpr Element elementOf<__nv_bfloat16>() {
  return Element::BF16;
}

class Gemm {
public:
  explicit Gemm(GemmPath path) {
    if (path == GemmPath::Cublas)
      blas_ = makeBlasLinear();
  }

  template <typename T, typename OutT>
  void linear(const T* x, const T* w, OutT* y, int M, int N, int K) {
    if (blas_)
      blas_->linear(x, w, y, elementOf<T>(), elementOf<OutT>(), M, N, K);
    else
      ownLinear(x, w, y, M, N, K);
  }

private:
  template <typename T, typename OutT>
  void ownLinear(const T* x, const T* w, OutT* y, int M, int N, int K) {
    if (M == 1) {
      constexpr int kWarps = 8;
      gemvWarpKernel<T, OutT><<<(N + kWarps - 1) / kWarps, kWarps * 32>>>(x, w, y, N, K);
    } else {
      dim3 grid((N + kTile - 1) / kTile, (M + kTile - 1) / kTile);
      matmulTiledKernel<T, OutT><<<grid, dim3(kTile, kTile)>>>(x, w, y, M, N, K);
    }
    CUDA_CHECK(cudaGetLastError());
  }

  std::unique_ptr<BlasLinear> blas_;
};

} // namespace workload

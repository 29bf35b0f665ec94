// Linear layers, y[M, N] = x[M, K] @ w[N, K]^T with float accumulation, through one of two paths:
// the suite's own kernels (tiled matmul for a batch, warp-per-row GEMV for one token) or NVIDIA's
// libraries (cublasGemmEx for a batch, cublasLtMatmul for one token), so both APIs are exercised.
#pragma once

#include "Check.cuh"
#include "Options.h"
#include "kernels/Matmul.cuh"

namespace workload {

template <typename T> constexpr cudaDataType_t cudaTypeOf();
template <> constexpr cudaDataType_t cudaTypeOf<float>() {
  return CUDA_R_32F;
}
template <> constexpr cudaDataType_t cudaTypeOf<__half>() {
  return CUDA_R_16F;
}
template <> constexpr cudaDataType_t cudaTypeOf<__nv_bfloat16>() {
  return CUDA_R_16BF;
}

class Gemm {
public:
  explicit Gemm(GemmPath path) : path_(path) {
    if (path_ == GemmPath::Cublas) {
      CUBLAS_CHECK(cublasCreate(&cublas_));
      CUBLAS_CHECK(cublasLtCreate(&cublasLt_));
    }
  }
  ~Gemm() {
    if (cublas_)
      cublasDestroy(cublas_);
    if (cublasLt_)
      cublasLtDestroy(cublasLt_);
  }
  Gemm(const Gemm&) = delete;
  Gemm& operator=(const Gemm&) = delete;

  template <typename T, typename OutT>
  void linear(const T* x, const T* w, OutT* y, int M, int N, int K) {
    if (path_ == GemmPath::Own)
      ownLinear(x, w, y, M, N, K);
    else if (M == 1)
      cublasLtLinear(x, w, y, N, K);
    else
      cublasLinear(x, w, y, M, N, K);
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

  // cuBLAS is column-major: row-major y[M, N] is column-major y^T[N, M] = w[N, K] x^T, and
  // row-major w[N, K] read column-major is w^T, hence op(A) = transpose.
  template <typename T, typename OutT>
  void cublasLinear(const T* x, const T* w, OutT* y, int M, int N, int K) {
    float alpha = 1, beta = 0;
    CUBLAS_CHECK(cublasGemmEx(cublas_, CUBLAS_OP_T, CUBLAS_OP_N, N, M, K, &alpha, w,
                              cudaTypeOf<T>(), K, x, cudaTypeOf<T>(), K, &beta, y,
                              cudaTypeOf<OutT>(), N, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  }

  template <typename T, typename OutT>
  void cublasLtLinear(const T* x, const T* w, OutT* y, int N, int K) {
    cublasLtMatmulDesc_t desc;
    CUBLAS_CHECK(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    cublasOperation_t transpose = CUBLAS_OP_T;
    CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &transpose,
                                                sizeof transpose));
    cublasLtMatrixLayout_t a, b, c;
    CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&a, cudaTypeOf<T>(), K, N, K));
    CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&b, cudaTypeOf<T>(), K, 1, K));
    CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&c, cudaTypeOf<OutT>(), N, 1, N));
    float alpha = 1, beta = 0;
    CUBLAS_CHECK(cublasLtMatmul(cublasLt_, desc, &alpha, w, a, x, b, &beta, y, c, y, c, nullptr,
                                nullptr, 0, 0));
    cublasLtMatrixLayoutDestroy(c);
    cublasLtMatrixLayoutDestroy(b);
    cublasLtMatrixLayoutDestroy(a);
    cublasLtMatmulDescDestroy(desc);
  }

  GemmPath path_;
  cublasHandle_t cublas_ = nullptr;
  cublasLtHandle_t cublasLt_ = nullptr;
};

} // namespace workload

// The linear layers on NVIDIA's libraries: cublasGemmEx for a batch of tokens, cublasLtMatmul for
// one token, so that both APIs are exercised.
#include "BlasLinear.h"

#include <cstdio>
#include <cstdlib>
#include <cublasLt.h>
#include <cublas_v2.h>

namespace workload {
namespace {

void checkCublas(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status == CUBLAS_STATUS_SUCCESS)
    return;
  std::fprintf(stderr, "llama-workload: %s failed at %s:%d: cuBLAS status %d\n", call, file, line,
               static_cast<int>(status));
  std::exit(1);
}

#define CUBLAS_CHECK(call) checkCublas((call), #call, __FILE__, __LINE__)

cudaDataType_t cudaTypeOf(Element element) {
  switch (element) {
  case Element::F16:
    return CUDA_R_16F;
  case Element::BF16:
    return CUDA_R_16BF;
  case Element::F32:
    break;
  }
  return CUDA_R_32F;
}

class Cublas final : public BlasLinear {
public:
  Cublas() {
    CUBLAS_CHECK(cublasCreate(&cublas_));
    CUBLAS_CHECK(cublasLtCreate(&cublasLt_));
  }
  ~Cublas() override {
    cublasLtDestroy(cublasLt_);
    cublasDestroy(cublas_);
  }
  Cublas(const Cublas&) = delete;
  Cublas& operator=(const Cublas&) = delete;

  void linear(const void* x, const void* w, void* y, Element in, Element out, int M, int N,
              int K) override {
    if (M == 1)
      gemv(x, w, y, cudaTypeOf(in), cudaTypeOf(out), N, K);
    else
      gemm(x, w, y, cudaTypeOf(in), cudaTypeOf(out), M, N, K);
  }

private:
  // cuBLAS is column-major: row-major y[M, N] is column-major y^T[N, M] = w[N, K] x^T, and
  // row-major w[N, K] read column-major is w^T, hence op(A) = transpose.
  void gemm(const void* x, const void* w, void* y, cudaDataType_t in, cudaDataType_t out, int M,
            int N, int K) {
    float alpha = 1, beta = 0;
    CUBLAS_CHECK(cublasGemmEx(cublas_, CUBLAS_OP_T, CUBLAS_OP_N, N, M, K, &alpha, w, in, K, x, in,
                              K, &beta, y, out, N, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  }

  void gemv(const void* x, const void* w, void* y, cudaDataType_t in, cudaDataType_t out, int N,
            int K) {
    cublasLtMatmulDesc_t desc;
    CUBLAS_CHECK(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    cublasOperation_t transpose = CUBLAS_OP_T;
    CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &transpose,
                                                sizeof transpose));
    cublasLtMatrixLayout_t a, b, c;
    CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&a, in, K, N, K));
    CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&b, in, K, 1, K));
    CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&c, out, N, 1, N));
    float alpha = 1, beta = 0;
    CUBLAS_CHECK(cublasLtMatmul(cublasLt_, desc, &alpha, w, a, x, b, &beta, y, c, y, c, nullptr,
                                nullptr, 0, 0));
    cublasLtMatrixLayoutDestroy(c);
    cublasLtMatrixLayoutDestroy(b);
    cublasLtMatrixLayoutDestroy(a);
    cublasLtMatmulDescDestroy(desc);
  }

  cublasHandle_t cublas_ = nullptr;
  cublasLtHandle_t cublasLt_ = nullptr;
};

} // namespace

std::unique_ptr<BlasLinear> makeBlasLinear() {
  return std::make_unique<Cublas>();
}

} // namespace workload

// cuBLAS and cuBLASLt as an LLM's linear layers use them.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

int main() {
  cublasHandle_t handle;
  if (cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS)
    return 1;
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  cublasSetStream(handle, stream);
  const int m = 64, n = 64, k = 64;
  __half *a, *b, *c;
  cudaMalloc(&a, m * k * sizeof(__half));
  cudaMalloc(&b, k * n * sizeof(__half));
  cudaMalloc(&c, m * n * sizeof(__half));
  float alpha = 1.0f, beta = 0.0f;
  cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &alpha, a, CUDA_R_16F, k, b, CUDA_R_16F,
               k, &beta, c, CUDA_R_16F, m, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
  float *x, *y;
  cudaMalloc(&x, n * sizeof(float));
  cudaMalloc(&y, m * sizeof(float));
  cublasSgemv(handle, CUBLAS_OP_N, m, n, &alpha, reinterpret_cast<float*>(a), m, x, 1, &beta, y,
              1);

  cublasLtHandle_t lt;
  cublasLtCreate(&lt);
  cublasLtMatmulDesc_t desc;
  cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F);
  cublasOperation_t trans = CUBLAS_OP_T;
  cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &trans, sizeof(trans));
  cublasLtMatmulDescDestroy(desc);
  cublasLtDestroy(lt);
  cublasDestroy(handle);
  return cudaDeviceSynchronize() == cudaSuccess ? 0 : 1;
}

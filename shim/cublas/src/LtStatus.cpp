// cuBLASLt's status and version queries.
#include "Export.h"
#include "Gemm.h"

#include <cublasLt.h>
#include <cuda_runtime_api.h>

DRAWBRIDGE_CUBLAS_EXPORT const char* cublasLtGetStatusName(cublasStatus_t status) {
  return drawbridge::cublas::statusName(status);
}
DRAWBRIDGE_CUBLAS_EXPORT const char* cublasLtGetStatusString(cublasStatus_t status) {
  return drawbridge::cublas::statusString(status);
}
// The cuBLAS release whose interface this implements (CUDA 13.0's cuBLASLt reports 130100).
DRAWBRIDGE_CUBLAS_EXPORT size_t cublasLtGetVersion() {
  return CUBLAS_VERSION;
}
DRAWBRIDGE_CUBLAS_EXPORT size_t cublasLtGetCudartVersion() {
  return CUDART_VERSION;
}

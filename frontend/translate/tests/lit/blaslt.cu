// cuBLASLt -> hipBLASLt, which first shipped with HIP 5.5: for HIP 5.2 every name is reported.
// RUN: %drawbridge translate %s --hip-version 6.0 | %strip-checks | FileCheck %s
// RUN: not %drawbridge translate %s 2>&1 >/dev/null | FileCheck --check-prefix=HIP52 %s

// CHECK: #include <hipblaslt/hipblaslt.h>
// HIP52: blaslt.cu:[[@LINE+1]]:11: error: <cublasLt.h> maps to <hipblaslt/hipblaslt.h>, which needs HIP 5.5 (target is 5.2); raise --hip-version [DBT003]
#include <cublasLt.h>

void lt(cublasLtHandle_t h) {
  // CHECK: hipblasLtMatmulDesc_t d;
  // HIP52: blaslt.cu:[[@LINE+1]]:3: error: cublasLtMatmulDesc_t maps to hipblasLtMatmulDesc_t, which needs HIP 5.5
  cublasLtMatmulDesc_t d;
  // CHECK-NEXT: hipblasLtMatmulDescCreate(&d, HIPBLAS_COMPUTE_32F, HIP_R_32F);
  cublasLtMatmulDescCreate(&d, CUBLAS_COMPUTE_32F, CUDA_R_32F);
  // CHECK-NEXT: hipblasLtMatmulDescSetAttribute(d, HIPBLASLT_MATMUL_DESC_EPILOGUE, nullptr, 0);
  cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_EPILOGUE, nullptr, 0);
}

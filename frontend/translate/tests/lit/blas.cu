// cuBLAS -> hipBLAS; the header and compute types depend on the HIP version (hipBLAS 6.0 takes a
// hipblasComputeType_t in the _v2 *Ex forms only).
// RUN: not %drawbridge translate %s | %strip-checks | FileCheck --check-prefixes=CHECK,HIP52 %s
// RUN: not %drawbridge translate %s --hip-version 6.0 | %strip-checks | FileCheck --check-prefixes=CHECK,HIP60 %s
// RUN: not %drawbridge translate %s 2>&1 >/dev/null | FileCheck --check-prefix=DIAG %s

// HIP52: #include <hipblas.h>
// HIP60: #include <hipblas/hipblas.h>
#include <cublas_v2.h>
void gemm(cublasHandle_t h, const float* a, const float* b, float* c, cudaStream_t s) {
  // CHECK: hipblasSetStream(h, s);
  cublasSetStream(h, s);
  float one = 1, zero = 0;
  // CHECK: hipblasSgemm(h, HIPBLAS_OP_N, HIPBLAS_OP_T, 4, 4, 4, &one, a, 4, b, 4, &zero, c, 4);
  cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_T, 4, 4, 4, &one, a, 4, b, 4, &zero, c, 4);
  // HIP52-NEXT: hipblasGemmEx(h, HIPBLAS_OP_N, HIPBLAS_OP_N, 4, 4, 4, &one, a, HIP_R_32F, 4, b, HIP_R_32F, 4, &zero, c, HIP_R_32F, 4, HIPBLAS_R_32F, HIPBLAS_GEMM_DEFAULT);
  // HIP60-NEXT: hipblasGemmEx_v2(h, HIPBLAS_OP_N, HIPBLAS_OP_N, 4, 4, 4, &one, a, HIP_R_32F, 4, b, HIP_R_32F, 4, &zero, c, HIP_R_32F, 4, HIPBLAS_COMPUTE_32F, HIPBLAS_GEMM_DEFAULT);
  cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, &one, a, CUDA_R_32F, 4, b, CUDA_R_32F, 4, &zero, c, CUDA_R_32F, 4, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT_TENSOR_OP);
  // CHECK-NEXT: cublasSetMathMode(h, CUBLAS_TENSOR_OP_MATH);
  cublasSetMathMode(h, CUBLAS_TENSOR_OP_MATH);
}

// DIAG: blas.cu:20:3: error: cublasSetMathMode cannot be translated: hipBLAS before 6.1 picks math modes itself; remove the call [DBT002]
// DIAG: blas.cu:20:24: error: CUBLAS_TENSOR_OP_MATH cannot be translated

// cuBLAS: handles, and the GEMM family (Sgemm, Dgemm, Hgemm, GemmEx and their strided-batched
// and batched forms) as one column-major matrix multiply on the backend.
#include "Export.h"
#include "Gemm.h"
#include "Handle.h"

#include <algorithm>
#include <cublas_api.h>
#include <new>

namespace {

using namespace drawbridge;

bool validOperation(cublasOperation_t op) {
  return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C;
}

struct StridedOperand {
  const void* data;
  cudaDataType type;
  int64_t ld;
  int64_t stride;                        // between batches
  const void* const* pointers = nullptr; // the batched forms: one address per batch
};

// Everything the GEMM family takes, checked as cuBLAS checks it.
cublasStatus_t gemm(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                    int64_t m, int64_t n, int64_t k, const void* alpha, StridedOperand a,
                    StridedOperand b, const void* beta, StridedOperand c, int64_t batch,
                    cublasComputeType_t compute) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!validOperation(transa) || !validOperation(transb) || m < 0 || n < 0 || k < 0 || batch < 0 ||
      !alpha || !beta)
    return CUBLAS_STATUS_INVALID_VALUE;
  bool ta = transa != CUBLAS_OP_N, tb = transb != CUBLAS_OP_N;
  if (a.ld < std::max<int64_t>(1, ta ? k : m) || b.ld < std::max<int64_t>(1, tb ? n : k) ||
      c.ld < std::max<int64_t>(1, m))
    return CUBLAS_STATUS_INVALID_VALUE;
  auto aType = cublas::gemmType(a.type), bType = cublas::gemmType(b.type),
       cType = cublas::gemmType(c.type);
  auto scalar = cublas::scalarTypeOf(compute);
  if (!aType || !bType || !cType || !scalar || a.type != b.type)
    return CUBLAS_STATUS_NOT_SUPPORTED;
  if (m == 0 || n == 0 || batch == 0)
    return CUBLAS_STATUS_SUCCESS;
  backend::GemmArgs args;
  args.m = m, args.n = n, args.k = k, args.batch = batch;
  args.a = cublas::operand(*aType, a.data, a.ld, false, ta, a.stride);
  args.b = cublas::operand(*bType, b.data, b.ld, false, tb, b.stride);
  args.c = cublas::operand(*cType, c.data, c.ld, false, false, c.stride);
  args.a.batchPointers = a.pointers;
  args.b.batchPointers = b.pointers;
  args.c.batchPointers = c.pointers;
  args.d = args.c;
  args.allowTf32 =
      handle->mathMode == CUBLAS_TF32_TENSOR_OP_MATH || compute == CUBLAS_COMPUTE_32F_FAST_TF32;
  return cublas::runGemm(args, handle->stream, alpha, beta, *scalar, handle->devicePointers());
}

} // namespace

DRAWBRIDGE_CUBLAS_EXPORT const char* cublasGetStatusName(cublasStatus_t status) {
  return cublas::statusName(status);
}

DRAWBRIDGE_CUBLAS_EXPORT const char* cublasGetStatusString(cublasStatus_t status) {
  return cublas::statusString(status);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
  if (!handle)
    return CUBLAS_STATUS_INVALID_VALUE;
  *handle = new (std::nothrow) cublasContext;
  return *handle ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_ALLOC_FAILED;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  delete handle;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int* version) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!version)
    return CUBLAS_STATUS_INVALID_VALUE;
  *version = CUBLAS_VERSION;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSetStream_v2(cublasHandle_t handle,
                                                           cudaStream_t stream) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  handle->stream = stream;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasGetStream_v2(cublasHandle_t handle,
                                                           cudaStream_t* stream) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!stream)
    return CUBLAS_STATUS_INVALID_VALUE;
  *stream = handle->stream;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSetPointerMode_v2(cublasHandle_t handle,
                                                                cublasPointerMode_t mode) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (mode != CUBLAS_POINTER_MODE_HOST && mode != CUBLAS_POINTER_MODE_DEVICE)
    return CUBLAS_STATUS_INVALID_VALUE;
  handle->pointerMode = mode;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasGetPointerMode_v2(cublasHandle_t handle,
                                                                cublasPointerMode_t* mode) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!mode)
    return CUBLAS_STATUS_INVALID_VALUE;
  *mode = handle->pointerMode;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSetMathMode(cublasHandle_t handle,
                                                          cublasMath_t mode) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  handle->mathMode = mode;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasGetMathMode(cublasHandle_t handle,
                                                          cublasMath_t* mode) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!mode)
    return CUBLAS_STATUS_INVALID_VALUE;
  *mode = handle->mathMode;
  return CUBLAS_STATUS_SUCCESS;
}

// oneDNN needs no workspace; the one given is kept, as cuBLAS keeps it.
DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle,
                                                              void* workspace, size_t size) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  handle->workspace = workspace;
  handle->workspaceSize = size;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSgemm_v2(cublasHandle_t handle,
                                                       cublasOperation_t transa,
                                                       cublasOperation_t transb, int m, int n,
                                                       int k, const float* alpha, const float* A,
                                                       int lda, const float* B, int ldb,
                                                       const float* beta, float* C, int ldc) {
  return gemm(handle, transa, transb, m, n, k, alpha, {A, CUDA_R_32F, lda, 0},
              {B, CUDA_R_32F, ldb, 0}, beta, {C, CUDA_R_32F, ldc, 0}, 1, CUBLAS_COMPUTE_32F);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasDgemm_v2(cublasHandle_t handle,
                                                       cublasOperation_t transa,
                                                       cublasOperation_t transb, int m, int n,
                                                       int k, const double* alpha, const double* A,
                                                       int lda, const double* B, int ldb,
                                                       const double* beta, double* C, int ldc) {
  return gemm(handle, transa, transb, m, n, k, alpha, {A, CUDA_R_64F, lda, 0},
              {B, CUDA_R_64F, ldb, 0}, beta, {C, CUDA_R_64F, ldc, 0}, 1, CUBLAS_COMPUTE_64F);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasHgemm(cublasHandle_t handle, cublasOperation_t transa,
                                                    cublasOperation_t transb, int m, int n, int k,
                                                    const __half* alpha, const __half* A, int lda,
                                                    const __half* B, int ldb, const __half* beta,
                                                    __half* C, int ldc) {
  return gemm(handle, transa, transb, m, n, k, alpha, {A, CUDA_R_16F, lda, 0},
              {B, CUDA_R_16F, ldb, 0}, beta, {C, CUDA_R_16F, ldc, 0}, 1, CUBLAS_COMPUTE_16F);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSgemmStridedBatched(
    cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k,
    const float* alpha, const float* A, int lda, long long strideA, const float* B, int ldb,
    long long strideB, const float* beta, float* C, int ldc, long long strideC, int batchCount) {
  return gemm(handle, transa, transb, m, n, k, alpha, {A, CUDA_R_32F, lda, strideA},
              {B, CUDA_R_32F, ldb, strideB}, beta, {C, CUDA_R_32F, ldc, strideC}, batchCount,
              CUBLAS_COMPUTE_32F);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasHgemmStridedBatched(
    cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k,
    const __half* alpha, const __half* A, int lda, long long strideA, const __half* B, int ldb,
    long long strideB, const __half* beta, __half* C, int ldc, long long strideC, int batchCount) {
  return gemm(handle, transa, transb, m, n, k, alpha, {A, CUDA_R_16F, lda, strideA},
              {B, CUDA_R_16F, ldb, strideB}, beta, {C, CUDA_R_16F, ldc, strideC}, batchCount,
              CUBLAS_COMPUTE_16F);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t
cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m,
             int n, int k, const void* alpha, const void* A, cudaDataType Atype, int lda,
             const void* B, cudaDataType Btype, int ldb, const void* beta, void* C,
             cudaDataType Ctype, int ldc, cublasComputeType_t computeType, cublasGemmAlgo_t) {
  return gemm(handle, transa, transb, m, n, k, alpha, {A, Atype, lda, 0}, {B, Btype, ldb, 0}, beta,
              {C, Ctype, ldc, 0}, 1, computeType);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasGemmStridedBatchedEx(
    cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k,
    const void* alpha, const void* A, cudaDataType Atype, int lda, long long strideA, const void* B,
    cudaDataType Btype, int ldb, long long strideB, const void* beta, void* C, cudaDataType Ctype,
    int ldc, long long strideC, int batchCount, cublasComputeType_t computeType, cublasGemmAlgo_t) {
  return gemm(handle, transa, transb, m, n, k, alpha, {A, Atype, lda, strideA},
              {B, Btype, ldb, strideB}, beta, {C, Ctype, ldc, strideC}, batchCount, computeType);
}

// The batched forms: the arrays of matrix addresses live in device memory and are read when the
// GEMM runs, after the work queued before it on the stream.
DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSgemmBatched(
    cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k,
    const float* alpha, const float* const Aarray[], int lda, const float* const Barray[], int ldb,
    const float* beta, float* const Carray[], int ldc, int batchCount) {
  return gemm(handle, transa, transb, m, n, k, alpha,
              {nullptr, CUDA_R_32F, lda, 0, reinterpret_cast<const void* const*>(Aarray)},
              {nullptr, CUDA_R_32F, ldb, 0, reinterpret_cast<const void* const*>(Barray)}, beta,
              {nullptr, CUDA_R_32F, ldc, 0, reinterpret_cast<const void* const*>(Carray)},
              batchCount, CUBLAS_COMPUTE_32F);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasHgemmBatched(
    cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k,
    const __half* alpha, const __half* const Aarray[], int lda, const __half* const Barray[],
    int ldb, const __half* beta, __half* const Carray[], int ldc, int batchCount) {
  return gemm(handle, transa, transb, m, n, k, alpha,
              {nullptr, CUDA_R_16F, lda, 0, reinterpret_cast<const void* const*>(Aarray)},
              {nullptr, CUDA_R_16F, ldb, 0, reinterpret_cast<const void* const*>(Barray)}, beta,
              {nullptr, CUDA_R_16F, ldc, 0, reinterpret_cast<const void* const*>(Carray)},
              batchCount, CUBLAS_COMPUTE_16F);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t
cublasGemmBatchedEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                    int m, int n, int k, const void* alpha, const void* const Aarray[],
                    cudaDataType Atype, int lda, const void* const Barray[], cudaDataType Btype,
                    int ldb, const void* beta, void* const Carray[], cudaDataType Ctype, int ldc,
                    int batchCount, cublasComputeType_t computeType, cublasGemmAlgo_t) {
  return gemm(handle, transa, transb, m, n, k, alpha, {nullptr, Atype, lda, 0, Aarray},
              {nullptr, Btype, ldb, 0, Barray}, beta,
              {nullptr, Ctype, ldc, 0, const_cast<const void* const*>(Carray)}, batchCount,
              computeType);
}

// cuBLAS levels 1 and 2 for f32: the vector operations on the backend's BLAS hook, and Sgemv and
// Sger as the matrix multiplies they are (n = 1 and k = 1), so they run at oneDNN's speed.
// Arguments are checked as cuBLAS checks them; everything runs in order on the handle's stream.
#include "Export.h"
#include "Gemm.h"
#include "Handle.h"

#include <algorithm>
#include <cublas_api.h>

namespace {

using namespace drawbridge;

cublasStatus_t vectorOp(cublasHandle_t handle, backend::VectorOp op, int n, const float* alpha,
                        const float* x, int incx, float* y, int incy, void* result) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  bool scaled = op == backend::VectorOp::Axpy || op == backend::VectorOp::Scal;
  if (scaled && !alpha)
    return CUBLAS_STATUS_INVALID_VALUE;
  backend::VectorArgs args;
  args.op = op;
  args.type = backend::GemmType::F32;
  args.n = n;
  args.x = x, args.incx = incx;
  args.y = y, args.incy = incy;
  args.result = result;
  if (n <= 0 && !result)
    return CUBLAS_STATUS_SUCCESS; // nothing to do, and nothing to report
  return cublas::runVector(args, handle->stream, scaled ? alpha : nullptr,
                           handle->devicePointers());
}

// A vector of `length` elements with increment `inc` as a column (or, `asRow`, a row) operand:
// BLAS starts a negative increment at the last element and walks backwards.
backend::GemmMatrix vectorOperand(const float* data, int64_t length, int64_t inc, bool asRow) {
  const float* first = inc < 0 ? data + (length - 1) * -inc : data;
  int64_t across = length * std::abs(inc); // the unused stride, past the vector
  return asRow ? backend::GemmMatrix{backend::GemmType::F32, first, across, inc, 0}
               : backend::GemmMatrix{backend::GemmType::F32, first, inc, across, 0};
}

} // namespace

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSaxpy_v2(cublasHandle_t handle, int n,
                                                       const float* alpha, const float* x, int incx,
                                                       float* y, int incy) {
  return vectorOp(handle, backend::VectorOp::Axpy, n, alpha, x, incx, y, incy, nullptr);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSscal_v2(cublasHandle_t handle, int n,
                                                       const float* alpha, float* x, int incx) {
  return vectorOp(handle, backend::VectorOp::Scal, n, alpha, nullptr, 1, x, incx, nullptr);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasScopy_v2(cublasHandle_t handle, int n, const float* x,
                                                       int incx, float* y, int incy) {
  return vectorOp(handle, backend::VectorOp::Copy, n, nullptr, x, incx, y, incy, nullptr);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSdot_v2(cublasHandle_t handle, int n, const float* x,
                                                      int incx, const float* y, int incy,
                                                      float* result) {
  if (handle && !result)
    return CUBLAS_STATUS_INVALID_VALUE;
  return vectorOp(handle, backend::VectorOp::Dot, n, nullptr, x, incx, const_cast<float*>(y), incy,
                  result);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSnrm2_v2(cublasHandle_t handle, int n, const float* x,
                                                       int incx, float* result) {
  if (handle && !result)
    return CUBLAS_STATUS_INVALID_VALUE;
  return vectorOp(handle, backend::VectorOp::Nrm2, n, nullptr, x, incx, nullptr, 1, result);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSasum_v2(cublasHandle_t handle, int n, const float* x,
                                                       int incx, float* result) {
  if (handle && !result)
    return CUBLAS_STATUS_INVALID_VALUE;
  return vectorOp(handle, backend::VectorOp::Asum, n, nullptr, x, incx, nullptr, 1, result);
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasIsamax_v2(cublasHandle_t handle, int n,
                                                        const float* x, int incx, int* result) {
  if (handle && !result)
    return CUBLAS_STATUS_INVALID_VALUE;
  return vectorOp(handle, backend::VectorOp::Amax, n, nullptr, x, incx, nullptr, 1, result);
}

// y = alpha * op(A) x + beta * y: op(A) is the m x k operand of a GEMM with n = 1.
DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSgemv_v2(cublasHandle_t handle,
                                                       cublasOperation_t trans, int m, int n,
                                                       const float* alpha, const float* A, int lda,
                                                       const float* x, int incx, const float* beta,
                                                       float* y, int incy) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if ((trans != CUBLAS_OP_N && trans != CUBLAS_OP_T && trans != CUBLAS_OP_C) || m < 0 || n < 0 ||
      lda < std::max(1, m) || incx == 0 || incy == 0 || !alpha || !beta)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (m == 0 || n == 0)
    return CUBLAS_STATUS_SUCCESS;
  bool transposed = trans != CUBLAS_OP_N;
  int64_t rows = transposed ? n : m, inner = transposed ? m : n;
  backend::GemmArgs args;
  args.m = rows, args.n = 1, args.k = inner;
  args.a = cublas::operand(backend::GemmType::F32, A, lda, false, transposed, 0);
  args.b = vectorOperand(x, inner, incx, false);
  args.c = vectorOperand(y, rows, incy, false);
  args.d = args.c;
  return cublas::runGemm(args, handle->stream, alpha, beta, CUDA_R_32F, handle->devicePointers());
}

// A = alpha * x y^T + A: a GEMM with k = 1 and beta = 1.
DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasSger_v2(cublasHandle_t handle, int m, int n,
                                                      const float* alpha, const float* x, int incx,
                                                      const float* y, int incy, float* A, int lda) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (m < 0 || n < 0 || incx == 0 || incy == 0 || lda < std::max(1, m) || !alpha)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (m == 0 || n == 0)
    return CUBLAS_STATUS_SUCCESS;
  backend::GemmArgs args;
  args.m = m, args.n = n, args.k = 1;
  args.a = vectorOperand(x, m, incx, false);
  args.b = vectorOperand(y, n, incy, true);
  args.c = cublas::operand(backend::GemmType::F32, A, lda, false, false, 0);
  args.d = args.c;
  args.beta = 1;
  return cublas::runGemm(args, handle->stream, alpha, nullptr, CUDA_R_32F,
                         handle->devicePointers());
}

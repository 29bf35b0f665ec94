// Triangular solves (trsm) for f32 and f64, single and batched, on the backend's BLAS hook:
// op(A) X = alpha B or X op(A) = alpha B, X over B. Arguments are checked as cuBLAS checks
// them; the batched forms' address arrays are device memory, read in stream order.
#include "Export.h"
#include "Gemm.h"
#include "Handle.h"

#include <algorithm>
#include <cublas_api.h>

namespace {

using namespace drawbridge;

struct Solve {
  cublasSideMode_t side;
  cublasFillMode_t uplo;
  cublasOperation_t trans;
  cublasDiagType_t diag;
  int64_t m, n;
};

cublasStatus_t trsm(cublasHandle_t handle, const Solve& s, backend::GemmType type,
                    const void* alpha, const void* a, const void* const* aPointers, int64_t lda,
                    void* b, void* const* bPointers, int64_t ldb, int64_t batch) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  bool sideOk = s.side == CUBLAS_SIDE_LEFT || s.side == CUBLAS_SIDE_RIGHT;
  bool uploOk = s.uplo == CUBLAS_FILL_MODE_LOWER || s.uplo == CUBLAS_FILL_MODE_UPPER;
  bool transOk = s.trans == CUBLAS_OP_N || s.trans == CUBLAS_OP_T || s.trans == CUBLAS_OP_C;
  bool diagOk = s.diag == CUBLAS_DIAG_NON_UNIT || s.diag == CUBLAS_DIAG_UNIT;
  bool left = s.side == CUBLAS_SIDE_LEFT;
  if (!sideOk || !uploOk || !transOk || !diagOk || s.m < 0 || s.n < 0 || batch < 0 || !alpha ||
      lda < std::max<int64_t>(1, left ? s.m : s.n) || ldb < std::max<int64_t>(1, s.m))
    return CUBLAS_STATUS_INVALID_VALUE;
  if (s.m == 0 || s.n == 0 || batch == 0)
    return CUBLAS_STATUS_SUCCESS;
  backend::TrsmArgs args;
  args.type = type;
  args.left = left;
  args.lower = s.uplo == CUBLAS_FILL_MODE_LOWER;
  args.transpose = s.trans != CUBLAS_OP_N; // conjugation changes nothing in real types
  args.unitDiagonal = s.diag == CUBLAS_DIAG_UNIT;
  args.m = s.m, args.n = s.n, args.batch = batch;
  args.a = a, args.lda = lda, args.aPointers = aPointers;
  args.b = b, args.ldb = ldb, args.bPointers = bPointers;
  return cublas::runTrsm(args, handle->stream, alpha, handle->devicePointers());
}

template <typename T> constexpr backend::GemmType typeOf() {
  return sizeof(T) == sizeof(float) ? backend::GemmType::F32 : backend::GemmType::F64;
}

template <typename T, typename I>
cublasStatus_t single(cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo,
                      cublasOperation_t trans, cublasDiagType_t diag, I m, I n, const T* alpha,
                      const T* a, I lda, T* b, I ldb) {
  return trsm(handle, {side, uplo, trans, diag, m, n}, typeOf<T>(), alpha, a, nullptr, lda, b,
              nullptr, ldb, 1);
}

template <typename T, typename I>
cublasStatus_t batched(cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo,
                       cublasOperation_t trans, cublasDiagType_t diag, I m, I n, const T* alpha,
                       const T* const a[], I lda, T* const b[], I ldb, I batch) {
  if (batch > 0 && (!a || !b))
    return CUBLAS_STATUS_INVALID_VALUE;
  return trsm(handle, {side, uplo, trans, diag, m, n}, typeOf<T>(), alpha, nullptr,
              reinterpret_cast<const void* const*>(a), lda, nullptr,
              reinterpret_cast<void* const*>(b), ldb, batch);
}

} // namespace

#define DRAWBRIDGE_TRSM(name, T, I)                                                                \
  DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t name(cublasHandle_t handle, cublasSideMode_t side,       \
                                               cublasFillMode_t uplo, cublasOperation_t trans,     \
                                               cublasDiagType_t diag, I m, I n, const T* alpha,    \
                                               const T* A, I lda, T* B, I ldb) {                   \
    return single<T, I>(handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb);             \
  }
#define DRAWBRIDGE_TRSM_BATCHED(name, T, I)                                                        \
  DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t name(                                                    \
      cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo,                         \
      cublasOperation_t trans, cublasDiagType_t diag, I m, I n, const T* alpha,                    \
      const T* const A[], I lda, T* const B[], I ldb, I batchCount) {                              \
    return batched<T, I>(handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb,             \
                         batchCount);                                                              \
  }

DRAWBRIDGE_TRSM(cublasStrsm_v2, float, int)
DRAWBRIDGE_TRSM(cublasStrsm_v2_64, float, int64_t)
DRAWBRIDGE_TRSM(cublasDtrsm_v2, double, int)
DRAWBRIDGE_TRSM(cublasDtrsm_v2_64, double, int64_t)
DRAWBRIDGE_TRSM_BATCHED(cublasStrsmBatched, float, int)
DRAWBRIDGE_TRSM_BATCHED(cublasStrsmBatched_64, float, int64_t)
DRAWBRIDGE_TRSM_BATCHED(cublasDtrsmBatched, double, int)
DRAWBRIDGE_TRSM_BATCHED(cublasDtrsmBatched_64, double, int64_t)

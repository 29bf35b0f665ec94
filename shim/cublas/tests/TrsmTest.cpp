// cublasStrsmBatched, cublasStrsm_v2 and cublasDtrsm_v2 checked by substituting the solution
// back: op(A) X (or X op(A)) must give alpha B. The triangle of A a solve must not read, and
// with a unit diagonal its diagonal, hold NaNs, so reading them shows in X.
#include "TestData.h"

#include <cmath>
#include <cublas_v2.h>
#include <limits>

namespace drawbridge::cublas::test {
namespace {

struct Case {
  cublasSideMode_t side;
  cublasFillMode_t uplo;
  cublasOperation_t trans;
  cublasDiagType_t diag;
};

/// An order x order matrix (leading dimension ld) whose `uplo` triangle is well conditioned
/// and whose other triangle, and with a unit diagonal its diagonal, are NaN.
std::vector<double> triangular(int order, int ld, const Case& c, int seed) {
  std::vector<double> a(size_t(ld) * order, std::numeric_limits<double>::quiet_NaN());
  for (int j = 0; j < order; ++j)
    for (int i = 0; i < order; ++i) {
      bool inside = c.uplo == CUBLAS_FILL_MODE_LOWER ? i >= j : i <= j;
      if (i == j && c.diag == CUBLAS_DIAG_NON_UNIT)
        a[i + size_t(j) * ld] = 2 + (i + seed) % 3;
      else if (i != j && inside)
        a[i + size_t(j) * ld] = 0.25 * ((i * 5 + j * 3 + seed) % 7 - 3);
    }
  return a;
}

/// op(A)(i, k) as the solve sees it: the unit diagonal is 1, the other triangle 0.
double opA(const std::vector<double>& a, int ld, const Case& c, int i, int k) {
  int r = c.trans == CUBLAS_OP_N ? i : k, col = c.trans == CUBLAS_OP_N ? k : i;
  if (r == col)
    return c.diag == CUBLAS_DIAG_UNIT ? 1 : a[r + size_t(col) * ld];
  bool inside = c.uplo == CUBLAS_FILL_MODE_LOWER ? r > col : r < col;
  return inside ? a[r + size_t(col) * ld] : 0;
}

/// Checks op(A) X = alpha B (left) or X op(A) = alpha B (right), and B's padding untouched.
template <typename T>
void expectSolution(const Case& c, int m, int n, double alpha, const std::vector<double>& a,
                    int lda, const std::vector<T>& b, const std::vector<T>& x, int ldb,
                    double tolerance) {
  int order = c.side == CUBLAS_SIDE_LEFT ? m : n;
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < m; ++i) {
      double sum = 0;
      for (int k = 0; k < order; ++k)
        sum += c.side == CUBLAS_SIDE_LEFT ? opA(a, lda, c, i, k) * double(x[k + size_t(j) * ldb])
                                          : double(x[i + size_t(k) * ldb]) * opA(a, lda, c, k, j);
      ASSERT_NEAR(sum, alpha * double(b[i + size_t(j) * ldb]), tolerance)
          << "side " << c.side << " uplo " << c.uplo << " trans " << c.trans << " diag " << c.diag
          << " at (" << i << "," << j << ")";
    }
    for (int i = m; i < ldb; ++i)
      ASSERT_EQ(x[i + size_t(j) * ldb], b[i + size_t(j) * ldb]) << "padding changed";
  }
}

std::vector<Case> everyCase() {
  std::vector<Case> cases;
  for (auto side : {CUBLAS_SIDE_LEFT, CUBLAS_SIDE_RIGHT})
    for (auto uplo : {CUBLAS_FILL_MODE_LOWER, CUBLAS_FILL_MODE_UPPER})
      for (auto trans : {CUBLAS_OP_N, CUBLAS_OP_T})
        for (auto diag : {CUBLAS_DIAG_NON_UNIT, CUBLAS_DIAG_UNIT})
          cases.push_back({side, uplo, trans, diag});
  return cases;
}

TEST(CublasTrsm, StrsmBatchedEveryForm) {
  constexpr int kBatch = 3, m = 5, n = 4, ldb = 7;
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  for (const Case& c : everyCase()) {
    int order = c.side == CUBLAS_SIDE_LEFT ? m : n, lda = order + 2;
    std::vector<std::vector<double>> a;
    std::vector<std::vector<float>> b;
    std::vector<float*> da, db;
    for (int bt = 0; bt < kBatch; ++bt) {
      a.push_back(triangular(order, lda, c, bt));
      b.push_back(values(size_t(ldb) * n, 0.5f + bt));
      da.push_back(toDevice(std::vector<float>(a.back().begin(), a.back().end())));
      db.push_back(toDevice(b.back()));
    }
    float** aArray = toDevice(da);
    float** bArray = toDevice(db);
    float alpha = 1.5f;
    ASSERT_EQ(cublasStrsmBatched(handle, c.side, c.uplo, c.trans, c.diag, m, n, &alpha, aArray, lda,
                                 bArray, ldb, kBatch),
              CUBLAS_STATUS_SUCCESS);
    for (int bt = 0; bt < kBatch; ++bt) {
      expectSolution(c, m, n, alpha, a[bt], lda, b[bt], fromDevice(db[bt], b[bt].size()), ldb,
                     1e-3);
      cudaFree(da[bt]), cudaFree(db[bt]);
    }
    cudaFree(aArray), cudaFree(bArray);
  }
  cublasDestroy(handle);
}

TEST(CublasTrsm, DtrsmAndDeviceAlpha) {
  const int m = 6, n = 3, lda = 6, ldb = 6;
  Case c{CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_UPPER, CUBLAS_OP_T, CUBLAS_DIAG_NON_UNIT};
  std::vector<double> a = triangular(m, lda, c, 1);
  std::vector<double> b(size_t(ldb) * n);
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = double(int(i * 5 % 11) - 5) / 3;
  double* da = toDevice(a);
  double* db = toDevice(b);
  double* alpha = toDevice(std::vector<double>{-2});
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_DEVICE), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasDtrsm(handle, c.side, c.uplo, c.trans, c.diag, m, n, alpha, da, lda, db, ldb),
            CUBLAS_STATUS_SUCCESS);
  expectSolution(c, m, n, -2, a, lda, b, fromDevice(db, b.size()), ldb, 1e-12);
  cudaFree(da), cudaFree(db), cudaFree(alpha);
  cublasDestroy(handle);
}

TEST(CublasTrsm, StrsmSingle) {
  const int m = 4, n = 4;
  Case c{CUBLAS_SIDE_RIGHT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N, CUBLAS_DIAG_NON_UNIT};
  std::vector<double> a = triangular(n, n, c, 2);
  std::vector<float> b = values(size_t(m) * n, 0.25f);
  float* da = toDevice(std::vector<float>(a.begin(), a.end()));
  float* db = toDevice(b);
  float alpha = 1;
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasStrsm(handle, c.side, c.uplo, c.trans, c.diag, m, n, &alpha, da, n, db, m),
            CUBLAS_STATUS_SUCCESS);
  expectSolution(c, m, n, 1, a, n, b, fromDevice(db, b.size()), m, 1e-4);
  cudaFree(da), cudaFree(db);
  cublasDestroy(handle);
}

TEST(CublasTrsm, BadArguments) {
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  float alpha = 1;
  float* a[1] = {nullptr};
  float* b[1] = {nullptr};
  auto call = [&](cublasSideMode_t side, int m, int n, int lda, int ldb, int batch) {
    return cublasStrsmBatched(handle, side, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N,
                              CUBLAS_DIAG_NON_UNIT, m, n, &alpha, a, lda, b, ldb, batch);
  };
  EXPECT_EQ(call(CUBLAS_SIDE_LEFT, 4, 2, 3, 4, 1), CUBLAS_STATUS_INVALID_VALUE);  // lda < m
  EXPECT_EQ(call(CUBLAS_SIDE_RIGHT, 4, 2, 1, 4, 1), CUBLAS_STATUS_INVALID_VALUE); // lda < n
  EXPECT_EQ(call(CUBLAS_SIDE_LEFT, 4, 2, 4, 3, 1), CUBLAS_STATUS_INVALID_VALUE);  // ldb < m
  EXPECT_EQ(call(CUBLAS_SIDE_LEFT, -1, 2, 4, 4, 1), CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(call(CUBLAS_SIDE_LEFT, 4, 2, 4, 4, -1), CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(call(CUBLAS_SIDE_LEFT, 4, 2, 4, 4, 0), CUBLAS_STATUS_SUCCESS); // nothing to do
  EXPECT_EQ(cublasStrsmBatched(handle, CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N,
                               CUBLAS_DIAG_NON_UNIT, 4, 2, nullptr, a, 4, b, 4, 1),
            CUBLAS_STATUS_INVALID_VALUE);
  cublasDestroy(handle);
}

} // namespace
} // namespace drawbridge::cublas::test

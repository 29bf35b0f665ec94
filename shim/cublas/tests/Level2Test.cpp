// cuBLAS level 2 (Sgemv, Sger) through the API, against a straightforward column-major
// reference: both transposes, increments of every sign, lda larger than m, beta == 0 over NaNs,
// host and device pointer modes, and bad arguments.
#include "TestData.h"

#include <cmath>
#include <cublas_v2.h>
#include <limits>

namespace drawbridge::cublas::test {
namespace {

struct Case {
  cublasOperation_t trans;
  int m, n, lda, incx, incy;
  bool devicePointers;
};

class Sgemv : public ::testing::TestWithParam<Case> {};

TEST_P(Sgemv, MatchesTheReference) {
  const Case c = GetParam();
  bool t = c.trans != CUBLAS_OP_N;
  int lenx = t ? c.m : c.n, leny = t ? c.n : c.m;
  auto A = values(size_t(c.lda) * c.n, 0.25f);
  auto x = values(size_t(lenx * std::abs(c.incx)), 0.5f);
  auto y = values(size_t(leny * std::abs(c.incy)), 1);
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  if (c.devicePointers)
    ASSERT_EQ(cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_DEVICE), CUBLAS_STATUS_SUCCESS);
  float *dA = toDevice(A), *dx = toDevice(x);
  for (float beta : {0.0f, 0.5f}) {
    if (beta == 0) // beta == 0 does not read y, even NaNs in it
      for (int i = 0; i < leny; ++i)
        y[at(i, leny, c.incy)] = std::numeric_limits<float>::quiet_NaN();
    float* dy = toDevice(y);
    std::vector<float> scalars{1.5f, beta};
    float* dScalars = toDevice(scalars);
    const float* scalarsAt = c.devicePointers ? dScalars : scalars.data();
    ASSERT_EQ(cublasSgemv(handle, c.trans, c.m, c.n, scalarsAt, dA, c.lda, dx, c.incx,
                          scalarsAt + 1, dy, c.incy),
              CUBLAS_STATUS_SUCCESS);
    auto got = fromDevice(dy, y.size());
    for (int i = 0; i < leny; ++i) {
      double sum = 0;
      for (int l = 0; l < lenx; ++l)
        sum += double(t ? A[l + size_t(i) * c.lda] : A[i + size_t(l) * c.lda]) *
               x[at(l, lenx, c.incx)];
      double expected = 1.5 * sum + (beta == 0 ? 0 : beta * y[at(i, leny, c.incy)]);
      ASSERT_NEAR(got[at(i, leny, c.incy)], expected, 1e-4 * (1 + std::fabs(expected))) << i;
    }
    for (size_t i = 0; i < y.size(); ++i) // elements between the strided ones are the caller's
      if (std::abs(c.incy) > 1 && i % size_t(std::abs(c.incy)) != 0)
        ASSERT_EQ(got[i], y[i]) << i;
    y = got;
    cudaFree(dy), cudaFree(dScalars);
  }
  cudaFree(dA), cudaFree(dx);
  cublasDestroy(handle);
}

INSTANTIATE_TEST_SUITE_P(Shapes, Sgemv,
                         ::testing::Values(Case{CUBLAS_OP_N, 7, 5, 7, 1, 1, false},
                                           Case{CUBLAS_OP_T, 7, 5, 9, 1, 1, false},
                                           Case{CUBLAS_OP_N, 33, 20, 40, 2, 3, true},
                                           Case{CUBLAS_OP_T, 33, 20, 35, 3, 2, true},
                                           Case{CUBLAS_OP_N, 6, 4, 8, -1, 2, false},
                                           Case{CUBLAS_OP_T, 6, 4, 6, 2, -3, true},
                                           Case{CUBLAS_OP_C, 300, 257, 301, 1, 1, false}));

TEST(CublasLevel2, SgerMatchesTheReference) {
  const int m = 9, n = 6, lda = 12;
  for (auto [incx, incy, devicePointers] :
       {std::tuple{1, 1, false}, std::tuple{2, -1, true}, std::tuple{-3, 2, false}}) {
    auto A = values(size_t(lda) * n, 0.5f);
    auto x = values(size_t(m * std::abs(incx)), 0.25f), y = values(size_t(n * std::abs(incy)), 1);
    float *dA = toDevice(A), *dx = toDevice(x), *dy = toDevice(y);
    float alpha = -2, *dAlpha = toDevice(std::vector<float>{alpha});
    cublasHandle_t handle;
    ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
    if (devicePointers)
      cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_DEVICE);
    ASSERT_EQ(
        cublasSger(handle, m, n, devicePointers ? dAlpha : &alpha, dx, incx, dy, incy, dA, lda),
        CUBLAS_STATUS_SUCCESS);
    auto got = fromDevice(dA, A.size());
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < lda; ++i) {
        float expected = A[i + size_t(j) * lda];
        if (i < m) // rows past m belong to the caller
          expected += alpha * x[at(i, m, incx)] * y[at(j, n, incy)];
        ASSERT_FLOAT_EQ(got[i + size_t(j) * lda], expected) << i << "," << j << " incx " << incx;
      }
    cudaFree(dA), cudaFree(dx), cudaFree(dy), cudaFree(dAlpha);
    cublasDestroy(handle);
  }
}

TEST(CublasLevel2, BadArgumentsAreNamedByStatus) {
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  float one = 1, v[16] = {};
  auto gemv = [&](cublasOperation_t trans, int m, int n, int lda, int incx, int incy) {
    return cublasSgemv(handle, trans, m, n, &one, v, lda, v, incx, &one, v, incy);
  };
  EXPECT_EQ(gemv(CUBLAS_OP_N, -1, 2, 1, 1, 1), CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(gemv(CUBLAS_OP_N, 4, 2, 3, 1, 1), CUBLAS_STATUS_INVALID_VALUE) << "lda below m";
  EXPECT_EQ(gemv(CUBLAS_OP_N, 2, 2, 2, 0, 1), CUBLAS_STATUS_INVALID_VALUE) << "incx of 0";
  EXPECT_EQ(gemv(CUBLAS_OP_T, 2, 2, 2, 1, 0), CUBLAS_STATUS_INVALID_VALUE) << "incy of 0";
  EXPECT_EQ(gemv(static_cast<cublasOperation_t>(7), 2, 2, 2, 1, 1), CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(gemv(CUBLAS_OP_N, 0, 2, 1, 1, 1), CUBLAS_STATUS_SUCCESS) << "m == 0: nothing to do";
  EXPECT_EQ(cublasSger(handle, 2, 2, &one, v, 1, v, 0, v, 2), CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(cublasSger(handle, 3, 2, &one, v, 1, v, 1, v, 2), CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(cublasSger(nullptr, 2, 2, &one, v, 1, v, 1, v, 2), CUBLAS_STATUS_NOT_INITIALIZED);
  cublasDestroy(handle);
}

} // namespace
} // namespace drawbridge::cublas::test

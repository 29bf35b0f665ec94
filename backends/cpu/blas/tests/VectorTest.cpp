// The level-1 operations against a straightforward reference, in f32 and f64, over positive,
// negative and zero increments, empty vectors, scalars given by pointer and bad arguments.
#include "drawbridge/blas/Vector.h"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <vector>

namespace drawbridge::blas {
namespace {

template <typename T> struct Typed : ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(Typed, Types);

template <typename T> DataType typeOf() {
  return sizeof(T) == sizeof(float) ? DataType::F32 : DataType::F64;
}

template <typename T> std::vector<T> values(size_t count, T scale) {
  std::vector<T> v(count);
  for (size_t i = 0; i < count; ++i)
    v[i] = scale * T(int(i * 7 % 11) - 5);
  return v;
}

// The memory index of the i-th element: BLAS starts a negative increment at the far end.
int64_t at(int64_t i, int64_t n, int64_t inc) {
  return inc >= 0 ? i * inc : (n - 1 - i) * -inc;
}

template <typename T>
VectorProblem problem(VectorOp op, int64_t n, const std::vector<T>& x, int64_t incx,
                      std::vector<T>& y, int64_t incy, void* result = nullptr, double alpha = 1) {
  VectorProblem p;
  p.op = op, p.type = typeOf<T>(), p.n = n;
  p.x = x.data(), p.incx = incx, p.y = y.data(), p.incy = incy;
  p.alpha = alpha, p.result = result;
  return p;
}

TYPED_TEST(Typed, AxpyCopyAndDotWalkEveryIncrement) {
  using T = TypeParam;
  const int64_t n = 9;
  for (int64_t incx : {1, 3, -2, 0})
    for (int64_t incy : {1, 2, -3}) {
      auto x = values<T>(size_t(n * std::max<int64_t>(1, std::abs(incx))), T(0.5));
      auto y = values<T>(size_t(n * std::abs(incy)) + 4, T(-0.25));
      auto expected = y;
      for (int64_t i = 0; i < n; ++i)
        expected[at(i, n, incy)] += T(1.5) * x[at(i, n, incx)];
      ASSERT_FALSE(vector(problem(VectorOp::Axpy, n, x, incx, y, incy, nullptr, 1.5)));
      EXPECT_EQ(y, expected) << "axpy incx " << incx << " incy " << incy;

      double dot = 0;
      for (int64_t i = 0; i < n; ++i)
        dot += double(x[at(i, n, incx)]) * double(y[at(i, n, incy)]);
      T result = -1;
      ASSERT_FALSE(vector(problem(VectorOp::Dot, n, x, incx, y, incy, &result)));
      EXPECT_NEAR(result, dot, 1e-5 * std::fabs(dot)) << "dot incx " << incx << " incy " << incy;

      expected = y;
      for (int64_t i = 0; i < n; ++i)
        expected[at(i, n, incy)] = x[at(i, n, incx)];
      ASSERT_FALSE(vector(problem(VectorOp::Copy, n, x, incx, y, incy)));
      EXPECT_EQ(y, expected) << "copy incx " << incx << " incy " << incy;
    }
}

TYPED_TEST(Typed, ReductionsAndScalOnForwardIncrements) {
  using T = TypeParam;
  const int64_t n = 13, inc = 3;
  auto x = values<T>(size_t(n * inc), T(0.75));
  x[5 * inc] = T(-9); // the largest magnitude, twice: the first one wins
  x[9 * inc] = T(9);
  std::vector<T> unused;
  double sumSquares = 0, sumAbs = 0;
  for (int64_t i = 0; i < n; ++i) {
    sumSquares += double(x[i * inc]) * double(x[i * inc]);
    sumAbs += std::fabs(double(x[i * inc]));
  }
  T nrm2 = -1, asum = -1;
  int32_t amax = -1;
  ASSERT_FALSE(vector(problem(VectorOp::Nrm2, n, x, inc, unused, 1, &nrm2)));
  ASSERT_FALSE(vector(problem(VectorOp::Asum, n, x, inc, unused, 1, &asum)));
  ASSERT_FALSE(vector(problem(VectorOp::Amax, n, x, inc, unused, 1, &amax)));
  EXPECT_NEAR(nrm2, std::sqrt(sumSquares), 1e-6 * std::sqrt(sumSquares));
  EXPECT_NEAR(asum, sumAbs, 1e-6 * sumAbs);
  EXPECT_EQ(amax, 6) << "1-based index of the first largest magnitude";

  auto y = x, expected = x;
  for (int64_t i = 0; i < n; ++i)
    expected[i * inc] *= T(-2);
  ASSERT_FALSE(vector(problem(VectorOp::Scal, n, unused, 1, y, inc, nullptr, -2)));
  EXPECT_EQ(y, expected);
}

TYPED_TEST(Typed, NonPositiveIncrementsAndEmptyVectorsGiveZeroAndTouchNothing) {
  using T = TypeParam;
  auto x = values<T>(8, T(1));
  auto y = x;
  for (auto [n, inc] : {std::pair<int64_t, int64_t>{4, 0}, {4, -1}, {0, 1}, {-3, 1}}) {
    T nrm2 = -1, asum = -1;
    int32_t amax = -1;
    ASSERT_FALSE(vector(problem(VectorOp::Nrm2, n, x, inc, y, 1, &nrm2)));
    ASSERT_FALSE(vector(problem(VectorOp::Asum, n, x, inc, y, 1, &asum)));
    ASSERT_FALSE(vector(problem(VectorOp::Amax, n, x, inc, y, 1, &amax)));
    EXPECT_EQ(nrm2, 0) << n << " " << inc;
    EXPECT_EQ(asum, 0) << n << " " << inc;
    EXPECT_EQ(amax, 0) << n << " " << inc;
    ASSERT_FALSE(vector(problem(VectorOp::Scal, n, x, 1, y, inc, nullptr, 3)));
    EXPECT_EQ(y, x) << "scal with n " << n << " inc " << inc;
  }
  T dot = -1;
  std::vector<T> none;
  ASSERT_FALSE(vector(problem(VectorOp::Dot, 0, none, 1, none, 1, &dot)));
  EXPECT_EQ(dot, 0);
}

TYPED_TEST(Typed, AlphaByPointerIsReadWhenTheOperationRuns) {
  using T = TypeParam;
  auto x = values<T>(5, T(1));
  auto y = values<T>(5, T(2));
  auto expected = y;
  for (size_t i = 0; i < 5; ++i)
    expected[i] += T(4) * x[i];
  T alpha = 4;
  auto p = problem(VectorOp::Axpy, 5, x, 1, y, 1, nullptr, 99);
  p.alphaPointer = &alpha;
  ASSERT_FALSE(vector(p));
  EXPECT_EQ(y, expected);
}

TEST(VectorNorm, DoublesNeitherOverflowNorUnderflow) {
  for (double scale : {1e300, 1e-300}) {
    std::vector<double> x{3 * scale, 4 * scale}, unused;
    double result = 0;
    ASSERT_FALSE(vector(problem(VectorOp::Nrm2, 2, x, 1, unused, 1, &result)));
    EXPECT_NEAR(result, 5 * scale, 1e-12 * 5 * scale);
  }
}

TEST(VectorAmax, NaNNeverComparesLarger) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x{1, nan, 3, -2}, unused;
  int32_t index = 0;
  ASSERT_FALSE(vector(problem(VectorOp::Amax, 4, x, 1, unused, 1, &index)));
  EXPECT_EQ(index, 3);
}

TEST(VectorErrors, AreNamed) {
  std::vector<float> x(4), none;
  auto p = problem(VectorOp::Dot, 4, x, 1, x, 1);
  auto error = checkVector(p);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, BlasErrorCode::InvalidValue);
  EXPECT_NE(error->message.find("result pointer is null"), std::string::npos);

  float result = 0;
  p = problem(VectorOp::Axpy, 4, none, 1, x, 1, &result);
  p.x = nullptr;
  error = vector(p);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("vector x is a null pointer"), std::string::npos);

  p = problem(VectorOp::Copy, 4, x, 1, x, 1);
  p.type = DataType::F16;
  error = checkVector(p);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, BlasErrorCode::NotSupported);
  EXPECT_NE(error->message.find("f16"), std::string::npos);
}

} // namespace
} // namespace drawbridge::blas

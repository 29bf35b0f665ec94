// cuBLAS level 1 (Saxpy, Sscal, Scopy, Sdot, Snrm2, Sasum, Isamax) through the API, against a
// straightforward reference: every increment sign, n <= 0, host and device pointer modes, and
// device pointer mode neither waiting for the stream nor reading ahead of it.
#include "TestData.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cublas_v2.h>
#include <thread>

namespace drawbridge::cublas::test {
namespace {

struct Increments {
  int incx, incy;
};

class Level1 : public ::testing::TestWithParam<Increments> {
protected:
  void SetUp() override { ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS); }
  void TearDown() override { cublasDestroy(handle); }
  cublasHandle_t handle = nullptr;
};

TEST_P(Level1, AxpyCopyDotMatchTheReference) {
  const int n = 11, incx = GetParam().incx, incy = GetParam().incy;
  auto x = values(size_t(n * std::max(1, std::abs(incx))), 0.5f),
       y = values(size_t(n * std::abs(incy)), 2);
  float *dx = toDevice(x), *dy = toDevice(y);
  float alpha = -1.5f;
  ASSERT_EQ(cublasSaxpy(handle, n, &alpha, dx, incx, dy, incy), CUBLAS_STATUS_SUCCESS);
  for (int i = 0; i < n; ++i)
    y[at(i, n, incy)] += alpha * x[at(i, n, incx)];
  EXPECT_EQ(fromDevice(dy, y.size()), y);

  float dot = 0, expected = 0;
  for (int i = 0; i < n; ++i)
    expected += x[at(i, n, incx)] * y[at(i, n, incy)];
  ASSERT_EQ(cublasSdot(handle, n, dx, incx, dy, incy, &dot), CUBLAS_STATUS_SUCCESS);
  EXPECT_FLOAT_EQ(dot, expected);

  ASSERT_EQ(cublasScopy(handle, n, dx, incx, dy, incy), CUBLAS_STATUS_SUCCESS);
  for (int i = 0; i < n; ++i)
    y[at(i, n, incy)] = x[at(i, n, incx)];
  EXPECT_EQ(fromDevice(dy, y.size()), y);
  cudaFree(dx), cudaFree(dy);
}

TEST_P(Level1, ScalAndReductionsWalkPositiveIncrementsAndIgnoreOthers) {
  const int n = 9, inc = GetParam().incx;
  auto x = values(size_t(n * std::abs(inc)), 0.25f);
  float* dx = toDevice(x);
  float nrm2 = -1, asum = -1, alpha = 3;
  int amax = -1;
  ASSERT_EQ(cublasSnrm2(handle, n, dx, inc, &nrm2), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasSasum(handle, n, dx, inc, &asum), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasIsamax(handle, n, dx, inc, &amax), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasSscal(handle, n, &alpha, dx, inc), CUBLAS_STATUS_SUCCESS);
  double squares = 0, sum = 0;
  int largest = 0;
  for (int i = 0; inc > 0 && i < n; ++i) {
    squares += double(x[size_t(i * inc)]) * x[size_t(i * inc)];
    sum += std::fabs(x[size_t(i * inc)]);
    if (!largest || std::fabs(x[size_t(i * inc)]) > std::fabs(x[size_t((largest - 1) * inc)]))
      largest = i + 1;
    x[size_t(i * inc)] *= alpha;
  }
  EXPECT_FLOAT_EQ(nrm2, float(std::sqrt(squares))) << "0 for an increment <= 0";
  EXPECT_FLOAT_EQ(asum, float(sum));
  EXPECT_EQ(amax, largest) << "1-based, 0 for an increment <= 0";
  EXPECT_EQ(fromDevice(dx, x.size()), x) << "scal leaves x alone for an increment <= 0";
  cudaFree(dx);
}

INSTANTIATE_TEST_SUITE_P(Increments, Level1,
                         ::testing::Values(Increments{1, 1}, Increments{2, 3}, Increments{-1, 2},
                                           Increments{-2, -3}, Increments{0, 1}));

TEST(CublasLevel1, EmptyVectorsGiveZeroResults) {
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  float x = 5, result = -1, alpha = 2;
  int index = -1;
  for (int n : {0, -4}) {
    ASSERT_EQ(cublasSdot(handle, n, &x, 1, &x, 1, &result), CUBLAS_STATUS_SUCCESS);
    EXPECT_EQ(result, 0);
    result = -1;
    ASSERT_EQ(cublasSnrm2(handle, n, &x, 1, &result), CUBLAS_STATUS_SUCCESS);
    EXPECT_EQ(result, 0);
    ASSERT_EQ(cublasIsamax(handle, n, &x, 1, &index), CUBLAS_STATUS_SUCCESS);
    EXPECT_EQ(index, 0);
    ASSERT_EQ(cublasSaxpy(handle, n, &alpha, nullptr, 1, nullptr, 1), CUBLAS_STATUS_SUCCESS);
  }
  cublasDestroy(handle);
}

TEST(CublasLevel1, BadArgumentsAreNamedByStatus) {
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  float* dx = toDevice(std::vector<float>(4, 1));
  EXPECT_EQ(cublasSdot(handle, 4, dx, 1, dx, 1, nullptr), CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(cublasIsamax(handle, 4, dx, 1, nullptr), CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(cublasSaxpy(handle, 4, nullptr, dx, 1, dx, 1), CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(cublasSaxpy(handle, 4, dx, nullptr, 1, dx, 1), CUBLAS_STATUS_INVALID_VALUE);
  float result = 0;
  EXPECT_EQ(cublasSasum(nullptr, 4, dx, 1, &result), CUBLAS_STATUS_NOT_INITIALIZED);
  cudaFree(dx);
  cublasDestroy(handle);
}

// A host function that holds its stream until released (or 10 s pass), so a test can tell
// whether a call waited for the stream.
struct Gate {
  std::atomic<bool> released{false}, finished{false};
  static void hold(void* user) {
    auto* gate = static_cast<Gate*>(user);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!gate->released && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    gate->finished = true;
  }
};

TEST(CublasLevel1, DevicePointerModeRunsInStreamOrderWithoutWaiting) {
  cublasHandle_t handle;
  cudaStream_t stream;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  ASSERT_EQ(cublasSetStream(handle, stream), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_DEVICE), CUBLAS_STATUS_SUCCESS);
  const int n = 6;
  float *x = toDevice(std::vector<float>(n, 1)), *y = toDevice(std::vector<float>(n, 2)),
        *fresh = toDevice(values(n, 1)), *scalars = toDevice(std::vector<float>{0, 0, 0.5f});
  int* index = toDevice(std::vector<int>{-1});
  Gate gate;
  ASSERT_EQ(cudaLaunchHostFunc(stream, Gate::hold, &gate), cudaSuccess);
  ASSERT_EQ(cublasScopy(handle, n, fresh, 1, x, 1), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasSdot(handle, n, x, 1, y, 1, scalars), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasSnrm2(handle, n, x, 1, scalars + 1), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasIsamax(handle, n, x, 1, index), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasSscal(handle, n, scalars + 2, y, 1), CUBLAS_STATUS_SUCCESS);
  EXPECT_FALSE(gate.finished) << "a call in device pointer mode waited for the stream";
  gate.released = true;
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);

  auto expected = values(n, 1);
  float dot = 0, squares = 0;
  int largest = 1;
  for (int i = 0; i < n; ++i) {
    dot += 2 * expected[i];
    squares += expected[i] * expected[i];
    if (std::fabs(expected[i]) > std::fabs(expected[largest - 1]))
      largest = i + 1;
  }
  auto results = fromDevice(scalars, 3);
  EXPECT_FLOAT_EQ(results[0], dot) << "the dot product read x after the copy before it";
  EXPECT_FLOAT_EQ(results[1], std::sqrt(squares));
  EXPECT_EQ(fromDevice(index, 1)[0], largest);
  EXPECT_EQ(fromDevice(y, n), std::vector<float>(n, 1)) << "y scaled by 0.5 from device memory";
  cudaFree(x), cudaFree(y), cudaFree(fresh), cudaFree(scalars), cudaFree(index);
  cudaStreamDestroy(stream);
  cublasDestroy(handle);
}

} // namespace
} // namespace drawbridge::cublas::test

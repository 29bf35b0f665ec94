// The cuBLAS GEMM family through its API, against a straightforward column-major reference.
#include <cmath>
#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>
#include <limits>
#include <vector>

namespace {

struct Problem {
  cublasOperation_t ta, tb;
  int m, n, k, lda, ldb, ldc;
};

// C = alpha * op(A) op(B) + beta * C, column-major, as cuBLAS defines it.
std::vector<float> reference(const Problem& p, float alpha, const std::vector<float>& A,
                             const std::vector<float>& B, float beta, std::vector<float> C) {
  for (int j = 0; j < p.n; ++j)
    for (int i = 0; i < p.m; ++i) {
      double sum = 0;
      for (int l = 0; l < p.k; ++l)
        sum += double(p.ta == CUBLAS_OP_N ? A[i + l * p.lda] : A[l + i * p.lda]) *
               (p.tb == CUBLAS_OP_N ? B[l + j * p.ldb] : B[j + l * p.ldb]);
      float old = beta == 0 ? 0 : C[i + j * p.ldc]; // beta == 0: C is not read (may be NaN)
      C[i + j * p.ldc] = float(alpha * sum + beta * old);
    }
  return C;
}

template <typename T> T* device(const std::vector<T>& values) {
  T* p = nullptr;
  EXPECT_EQ(cudaMalloc(reinterpret_cast<void**>(&p), values.size() * sizeof(T)), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(p, values.data(), values.size() * sizeof(T), cudaMemcpyHostToDevice),
            cudaSuccess);
  return p;
}

std::vector<float> filled(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = scale * float(int(i * 37 % 19) - 9);
  return v;
}

class Sgemm : public ::testing::TestWithParam<Problem> {};

TEST_P(Sgemm, MatchesTheReference) {
  const Problem p = GetParam();
  auto A = filled(size_t(p.lda) * (p.ta == CUBLAS_OP_N ? p.k : p.m), 0.25f);
  auto B = filled(size_t(p.ldb) * (p.tb == CUBLAS_OP_N ? p.n : p.k), 0.5f);
  auto C = filled(size_t(p.ldc) * p.n, 1.0f);
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  float *dA = device(A), *dB = device(B), *dC = device(C);
  for (float beta : {0.0f, 0.5f}) {
    if (beta == 0) // beta == 0 ignores C, even NaNs in it
      for (int j = 0; j < p.n; ++j)
        for (int i = 0; i < p.m; ++i)
          C[i + j * p.ldc] = std::numeric_limits<float>::quiet_NaN();
    cudaMemcpy(dC, C.data(), C.size() * sizeof(float), cudaMemcpyHostToDevice);
    float alpha = 1.5f;
    ASSERT_EQ(cublasSgemm(handle, p.ta, p.tb, p.m, p.n, p.k, &alpha, dA, p.lda, dB, p.ldb, &beta,
                          dC, p.ldc),
              CUBLAS_STATUS_SUCCESS);
    std::vector<float> got(C.size());
    ASSERT_EQ(cudaMemcpy(got.data(), dC, got.size() * sizeof(float), cudaMemcpyDeviceToHost),
              cudaSuccess);
    auto expected = reference(p, alpha, A, B, beta, C);
    for (int j = 0; j < p.n; ++j) {
      for (int i = 0; i < p.m; ++i)
        ASSERT_NEAR(got[i + j * p.ldc], expected[i + j * p.ldc], 1e-3) << i << "," << j;
      for (int i = p.m; i < p.ldc; ++i) // rows past m belong to the caller
        ASSERT_TRUE(std::isnan(got[i + j * p.ldc]) == std::isnan(C[i + j * p.ldc]) &&
                    (std::isnan(C[i + j * p.ldc]) || got[i + j * p.ldc] == C[i + j * p.ldc]));
    }
    C = got;
  }
  cudaFree(dA), cudaFree(dB), cudaFree(dC);
  cublasDestroy(handle);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Sgemm,
    ::testing::Values(Problem{CUBLAS_OP_N, CUBLAS_OP_N, 7, 5, 9, 7, 9, 7},
                      Problem{CUBLAS_OP_T, CUBLAS_OP_N, 7, 5, 9, 12, 11, 8},
                      Problem{CUBLAS_OP_N, CUBLAS_OP_T, 33, 17, 65, 40, 20, 35},
                      Problem{CUBLAS_OP_T, CUBLAS_OP_T, 1, 64, 100, 100, 64, 3}));

TEST(CublasGemm, DevicePointerModeReadsScalarsFromMemory) {
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_DEVICE), CUBLAS_STATUS_SUCCESS);
  float *scalars = device(std::vector<float>{2.0f, 0.0f}), *a = device(std::vector<float>{3.0f}),
        *b = device(std::vector<float>{4.0f}), *c = device(std::vector<float>{99.0f});
  ASSERT_EQ(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, scalars, a, 1, b, 1, scalars + 1,
                        c, 1),
            CUBLAS_STATUS_SUCCESS);
  float result = 0;
  cudaMemcpy(&result, c, sizeof result, cudaMemcpyDeviceToHost);
  EXPECT_EQ(result, 24.0f);
  cublasDestroy(handle);
}

TEST(CublasGemm, StridedBatchedAndHalfInputsWithFloatOutput) {
  const int m = 4, n = 3, k = 5, batch = 3;
  std::vector<__half> A(m * k * batch), B(k * n * batch);
  for (size_t i = 0; i < A.size(); ++i)
    A[i] = __float2half(float(i % 7) * 0.5f - 1);
  for (size_t i = 0; i < B.size(); ++i)
    B[i] = __float2half(float(i % 5) - 2);
  std::vector<float> C(m * n * batch, 0);
  __half *dA = device(A), *dB = device(B);
  float* dC = device(C);
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  float alpha = 1, beta = 0;
  ASSERT_EQ(cublasGemmStridedBatchedEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, dA,
                                       CUDA_R_16F, m, m * k, dB, CUDA_R_16F, k, k * n, &beta, dC,
                                       CUDA_R_32F, m, m * n, batch, CUBLAS_COMPUTE_32F,
                                       CUBLAS_GEMM_DEFAULT),
            CUBLAS_STATUS_SUCCESS);
  cudaMemcpy(C.data(), dC, C.size() * sizeof(float), cudaMemcpyDeviceToHost);
  for (int bt = 0; bt < batch; ++bt)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < m; ++i) {
        float sum = 0;
        for (int l = 0; l < k; ++l)
          sum += __half2float(A[bt * m * k + i + l * m]) * __half2float(B[bt * k * n + l + j * k]);
        EXPECT_FLOAT_EQ(C[bt * m * n + i + j * m], sum) << bt << " " << i << "," << j;
      }
  cublasDestroy(handle);
}

TEST(CublasGemm, BadArgumentsAreNamedByStatus) {
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  float one = 1, x = 0;
  EXPECT_EQ(
      cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, -1, 1, 1, &one, &x, 1, &x, 1, &one, &x, 1),
      CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 4, 1, 1, &one, &x, 3, &x, 1, &one, &x, 4),
            CUBLAS_STATUS_INVALID_VALUE)
      << "lda below m";
  EXPECT_EQ(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, &x, CUDA_R_8I, 1, &x,
                         CUDA_R_8I, 1, &one, &x, CUDA_R_32I, 1, CUBLAS_COMPUTE_32I,
                         CUBLAS_GEMM_DEFAULT),
            CUBLAS_STATUS_NOT_SUPPORTED);
  EXPECT_EQ(
      cublasSgemm(nullptr, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, &x, 1, &x, 1, &one, &x, 1),
      CUBLAS_STATUS_NOT_INITIALIZED);
  cublasDestroy(handle);
}

} // namespace

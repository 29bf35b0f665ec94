// cublasLtMatmul: D = epilogue(alpha * op(A) op(B) + beta * C + bias), with layouts in row and
// column order and C distinct from D.
#include <algorithm>
#include <cublasLt.h>
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>
#include <vector>

namespace {

template <typename T> T* device(const std::vector<T>& values) {
  T* p = nullptr;
  EXPECT_EQ(cudaMalloc(reinterpret_cast<void**>(&p), values.size() * sizeof(T)), cudaSuccess);
  cudaMemcpy(p, values.data(), values.size() * sizeof(T), cudaMemcpyHostToDevice);
  return p;
}

TEST(CublasLt, RowOrderTransposedBiasReluIntoADistinctD) {
  const int m = 6, n = 4, k = 5;
  // A given as op(A) = A_stored^T: stored k x m in row order (element (r, c) at r * m + c).
  std::vector<float> A(k * m), B(k * n), C(m * n), bias(m);
  for (int i = 0; i < k * m; ++i)
    A[i] = float(i % 5) - 2;
  for (int i = 0; i < k * n; ++i)
    B[i] = float(i % 3) - 1;
  for (int i = 0; i < m * n; ++i)
    C[i] = float(i % 4);
  for (int i = 0; i < m; ++i)
    bias[i] = float(i) - 3;
  float *dA = device(A), *dB = device(B), *dC = device(C), *dBias = device(bias),
        *dD = device(std::vector<float>(m * n, -7));

  cublasLtHandle_t lt;
  ASSERT_EQ(cublasLtCreate(&lt), CUBLAS_STATUS_SUCCESS);
  cublasLtMatmulDesc_t desc;
  ASSERT_EQ(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F), CUBLAS_STATUS_SUCCESS);
  cublasOperation_t transpose = CUBLAS_OP_T;
  cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_RELU_BIAS;
  ASSERT_EQ(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &transpose,
                                           sizeof transpose),
            CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue,
                                           sizeof epilogue),
            CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(
      cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &dBias, sizeof dBias),
      CUBLAS_STATUS_SUCCESS);
  cublasLtMatrixLayout_t a, b, c, d;
  ASSERT_EQ(cublasLtMatrixLayoutCreate(&a, CUDA_R_32F, k, m, m), CUBLAS_STATUS_SUCCESS);
  cublasLtOrder_t row = CUBLASLT_ORDER_ROW;
  ASSERT_EQ(cublasLtMatrixLayoutSetAttribute(a, CUBLASLT_MATRIX_LAYOUT_ORDER, &row, sizeof row),
            CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasLtMatrixLayoutCreate(&b, CUDA_R_32F, k, n, k), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasLtMatrixLayoutCreate(&c, CUDA_R_32F, m, n, m), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasLtMatrixLayoutCreate(&d, CUDA_R_32F, m, n, m), CUBLAS_STATUS_SUCCESS);
  float alpha = 2, beta = 0.5f;
  ASSERT_EQ(cublasLtMatmul(lt, desc, &alpha, dA, a, dB, b, &beta, dC, c, dD, d, nullptr, nullptr, 0,
                           nullptr),
            CUBLAS_STATUS_SUCCESS);
  std::vector<float> D(m * n), after(m * n);
  cudaMemcpy(D.data(), dD, D.size() * sizeof(float), cudaMemcpyDeviceToHost);
  cudaMemcpy(after.data(), dC, after.size() * sizeof(float), cudaMemcpyDeviceToHost);
  EXPECT_EQ(after, C) << "C is only read";
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i) {
      float sum = 0;
      for (int l = 0; l < k; ++l)
        sum += A[l * m + i] * B[l + j * k];
      float expected = std::max(0.0f, alpha * sum + beta * C[i + j * m] + bias[i]);
      EXPECT_FLOAT_EQ(D[i + j * m], expected) << i << "," << j;
    }

  cublasLtMatmulPreference_t preference;
  ASSERT_EQ(cublasLtMatmulPreferenceCreate(&preference), CUBLAS_STATUS_SUCCESS);
  cublasLtMatmulHeuristicResult_t result;
  int returned = 0;
  EXPECT_EQ(cublasLtMatmulAlgoGetHeuristic(lt, desc, a, b, c, d, preference, 1, &result, &returned),
            CUBLAS_STATUS_SUCCESS);
  EXPECT_EQ(returned, 1);
  EXPECT_EQ(result.state, CUBLAS_STATUS_SUCCESS);

  // A mismatched shape is refused, and an epilogue Drawbridge lacks is named, not ignored.
  cublasLtMatrixLayout_t wrong;
  ASSERT_EQ(cublasLtMatrixLayoutCreate(&wrong, CUDA_R_32F, m + 1, n, m + 1), CUBLAS_STATUS_SUCCESS);
  EXPECT_EQ(cublasLtMatmul(lt, desc, &alpha, dA, a, dB, b, &beta, dC, c, dD, wrong, nullptr,
                           nullptr, 0, nullptr),
            CUBLAS_STATUS_INVALID_VALUE);
  cublasLtEpilogue_t gradient = CUBLASLT_EPILOGUE_DRELU;
  cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &gradient, sizeof gradient);
  EXPECT_EQ(cublasLtMatmul(lt, desc, &alpha, dA, a, dB, b, &beta, dC, c, dD, d, nullptr, nullptr, 0,
                           nullptr),
            CUBLAS_STATUS_NOT_SUPPORTED);
  for (auto layout : {a, b, c, d, wrong})
    cublasLtMatrixLayoutDestroy(layout);
  cublasLtMatmulPreferenceDestroy(preference);
  cublasLtMatmulDescDestroy(desc);
  cublasLtDestroy(lt);
}

} // namespace

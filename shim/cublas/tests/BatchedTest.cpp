// cublasSgemmBatched, cublasHgemmBatched and cublasGemmBatchedEx: the arrays of matrix addresses
// live in device memory and are read in stream order, after the work queued before the GEMM.
#include "TestData.h"

#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace drawbridge::cublas::test {
namespace {

constexpr int kBatch = 3;

std::vector<float> values(size_t count, int seed) {
  std::vector<float> v(count);
  for (size_t i = 0; i < count; ++i)
    v[i] = float(int((i + seed) * 11 % 9) - 4) * 0.5f;
  return v;
}

// C = alpha * op(A) op(B) + beta * C, column-major.
std::vector<float> reference(cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                             float alpha, const std::vector<float>& A, int lda,
                             const std::vector<float>& B, int ldb, float beta, std::vector<float> C,
                             int ldc) {
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i) {
      double sum = 0;
      for (int l = 0; l < k; ++l)
        sum += double(ta == CUBLAS_OP_N ? A[i + l * lda] : A[l + i * lda]) *
               (tb == CUBLAS_OP_N ? B[l + j * ldb] : B[j + l * ldb]);
      C[i + j * ldc] = float(alpha * sum + beta * C[i + j * ldc]);
    }
  return C;
}

template <typename T> std::vector<T> converted(const std::vector<float>& v) {
  return std::vector<T>(v.begin(), v.end());
}

// One problem's matrices, per batch, and the device arrays of their addresses.
template <typename T> struct Batches {
  std::vector<std::vector<float>> a, b, c;
  std::vector<T*> da, db, dc;
  const T** aArray = nullptr;
  const T** bArray = nullptr;
  T** cArray = nullptr;

  Batches(size_t aSize, size_t bSize, size_t cSize) {
    for (int bt = 0; bt < kBatch; ++bt) {
      a.push_back(values(aSize, bt));
      b.push_back(values(bSize, 5 + bt));
      c.push_back(values(cSize, 9 + bt));
      da.push_back(toDevice(converted<T>(a.back())));
      db.push_back(toDevice(converted<T>(b.back())));
      dc.push_back(toDevice(converted<T>(c.back())));
    }
    aArray = const_cast<const T**>(toDevice(da));
    bArray = const_cast<const T**>(toDevice(db));
    cArray = toDevice(dc);
  }
  ~Batches() {
    for (int bt = 0; bt < kBatch; ++bt)
      cudaFree(da[bt]), cudaFree(db[bt]), cudaFree(dc[bt]);
    cudaFree(aArray), cudaFree(bArray), cudaFree(cArray);
  }
};

TEST(CublasBatched, SgemmBatchedTransposedWithPaddedLeadingDimensions) {
  const int m = 5, n = 4, k = 6, lda = 8, ldb = 5, ldc = 7; // A is k x m stored, B is n x k
  Batches<float> p(size_t(lda) * m, size_t(ldb) * k, size_t(ldc) * n);
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  float alpha = 2, beta = -0.5f;
  ASSERT_EQ(cublasSgemmBatched(handle, CUBLAS_OP_T, CUBLAS_OP_T, m, n, k, &alpha, p.aArray, lda,
                               p.bArray, ldb, &beta, p.cArray, ldc, kBatch),
            CUBLAS_STATUS_SUCCESS);
  for (int bt = 0; bt < kBatch; ++bt) {
    auto expected = reference(CUBLAS_OP_T, CUBLAS_OP_T, m, n, k, alpha, p.a[bt], lda, p.b[bt], ldb,
                              beta, p.c[bt], ldc);
    auto got = fromDevice(p.dc[bt], expected.size());
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_FLOAT_EQ(got[i], expected[i]) << "batch " << bt << " element " << i;
  }
  cublasDestroy(handle);
}

TEST(CublasBatched, AddressArraysAreReadInStreamOrder) {
  const int m = 3, n = 3, k = 3;
  Batches<float> first(m * k, k * n, m * n), second(m * k, k * n, m * n);
  cublasHandle_t handle;
  cudaStream_t stream;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  cublasSetStream(handle, stream);
  // Queued before the GEMM: point first's arrays at second's matrices.
  float **pinned = nullptr, alpha = 1, beta = 0;
  ASSERT_EQ(cudaMallocHost(reinterpret_cast<void**>(&pinned), 3 * kBatch * sizeof(float*)),
            cudaSuccess);
  for (int bt = 0; bt < kBatch; ++bt) {
    pinned[bt] = second.da[bt];
    pinned[kBatch + bt] = second.db[bt];
    pinned[2 * kBatch + bt] = second.dc[bt];
  }
  const size_t bytes = kBatch * sizeof(float*);
  cudaMemcpyAsync(first.aArray, pinned, bytes, cudaMemcpyHostToDevice, stream);
  cudaMemcpyAsync(first.bArray, pinned + kBatch, bytes, cudaMemcpyHostToDevice, stream);
  cudaMemcpyAsync(first.cArray, pinned + 2 * kBatch, bytes, cudaMemcpyHostToDevice, stream);
  ASSERT_EQ(cublasSgemmBatched(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, first.aArray, m,
                               first.bArray, k, &beta, first.cArray, m, kBatch),
            CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  for (int bt = 0; bt < kBatch; ++bt) {
    auto expected = reference(CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, 1, second.a[bt], m, second.b[bt],
                              k, 0, second.c[bt], m);
    EXPECT_EQ(fromDevice(second.dc[bt], m * n), expected) << "batch " << bt;
    EXPECT_EQ(fromDevice(first.dc[bt], m * n), first.c[bt]) << "batch " << bt << " untouched";
  }
  cudaFreeHost(pinned);
  cudaStreamDestroy(stream);
  cublasDestroy(handle);
}

TEST(CublasBatched, HalfAndBfloat16Forms) {
  const int m = 4, n = 3, k = 5;
  cublasHandle_t handle;
  ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  {
    Batches<__half> p(m * k, k * n, m * n);
    __half alpha = __float2half(1.0f), beta = __float2half(0.5f);
    ASSERT_EQ(cublasHgemmBatched(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, p.aArray, m,
                                 p.bArray, k, &beta, p.cArray, m, kBatch),
              CUBLAS_STATUS_SUCCESS);
    for (int bt = 0; bt < kBatch; ++bt) {
      auto expected =
          reference(CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, 1, p.a[bt], m, p.b[bt], k, 0.5f, p.c[bt], m);
      auto got = fromDevice(p.dc[bt], expected.size());
      for (size_t i = 0; i < got.size(); ++i) // small halves of exact products: exact
        ASSERT_EQ(__half2float(got[i]), expected[i]) << "batch " << bt << " element " << i;
    }
  }
  Batches<__nv_bfloat16> p(m * k, k * n, m * n);
  float alpha = 1, beta = 0;
  ASSERT_EQ(cublasGemmBatchedEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha,
                                reinterpret_cast<const void* const*>(p.aArray), CUDA_R_16BF, m,
                                reinterpret_cast<const void* const*>(p.bArray), CUDA_R_16BF, k,
                                &beta, reinterpret_cast<void* const*>(p.cArray), CUDA_R_16BF, m,
                                kBatch, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
            CUBLAS_STATUS_SUCCESS);
  for (int bt = 0; bt < kBatch; ++bt) {
    auto expected =
        reference(CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, 1, p.a[bt], m, p.b[bt], k, 0, p.c[bt], m);
    auto got = fromDevice(p.dc[bt], expected.size());
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_EQ(__bfloat162float(got[i]), expected[i]) << "batch " << bt << " element " << i;
  }
  cublasDestroy(handle);
}

} // namespace
} // namespace drawbridge::cublas::test

// The BLAS hook through the backend interface: column-major operands as cuBLAS passes them,
// ordered on a stream after the work before it.
#include "drawbridge/backend/cpu/CpuBackend.h"

#include <gtest/gtest.h>
#include <vector>

namespace drawbridge::backend::cpu::test {
namespace {

class GemmTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto created = createCpuBackend();
    ASSERT_TRUE(created) << created.status().message;
    backend = std::move(*created);
    device = backend->device(0);
  }

  std::unique_ptr<Backend> backend;
  Device* device = nullptr;
};

TEST_F(GemmTest, ColumnMajorTransposedOperandsOnAStream) {
  const int64_t m = 5, n = 3, k = 4, lda = 6; // A stored k x m (transposed), padded rows
  auto a = device->allocate(lda * m * sizeof(float), MemoryKind::Device);
  auto b = device->allocate(k * n * sizeof(float), MemoryKind::Device);
  auto c = device->allocate(m * n * sizeof(float), MemoryKind::Device);
  ASSERT_TRUE(a && b && c);
  auto* A = static_cast<float*>(*a);
  auto* B = static_cast<float*>(*b);
  auto* C = static_cast<float*>(*c);
  for (int64_t i = 0; i < lda * m; ++i)
    A[i] = float(i % 7) - 3;
  for (int64_t i = 0; i < k * n; ++i)
    B[i] = float(i % 5) - 2;
  auto stream = device->createStream(StreamKind::Blocking);
  ASSERT_TRUE(stream);
  // The fill is queued first; the gemm must see C as it leaves: all ones.
  for (int64_t i = 0; i < m * n; ++i)
    C[i] = 0;
  ASSERT_TRUE(device->fill(C, 0, m * n * sizeof(float), *stream, true).ok());
  GemmArgs g;
  g.m = m, g.n = n, g.k = k;
  g.a = {GemmType::F32, A, lda, 1, 0}; // op(A)(i, l) = A_stored(l, i) at l + i * lda
  g.b = {GemmType::F32, B, 1, k, 0};
  g.c = {GemmType::F32, C, 1, m, 0};
  g.d = g.c;
  g.alpha = 2;
  g.beta = 1;
  ASSERT_TRUE(device->gemm(g, *stream).ok());
  ASSERT_TRUE(device->synchronizeStream(*stream).ok());
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float expected = 0;
      for (int64_t l = 0; l < k; ++l)
        expected += A[l + i * lda] * B[l + j * k];
      EXPECT_FLOAT_EQ(C[i + j * m], 2 * expected) << i << "," << j;
    }
  EXPECT_TRUE(device->destroyStream(*stream).ok());
}

TEST_F(GemmTest, BadArgumentsFailTheCallNotTheStream) {
  GemmArgs g;
  g.m = g.n = g.k = 2;
  EXPECT_EQ(device->gemm(g, nullptr).code, StatusCode::InvalidValue); // null D
  EXPECT_TRUE(device->synchronize().ok()) << "nothing was queued, nothing is sticky";
}

TEST_F(GemmTest, VectorOperationsReadAndWriteInStreamOrder) {
  const int64_t n = 8;
  auto x = device->allocate(n * sizeof(float), MemoryKind::Device);
  auto scalars = device->allocate(2 * sizeof(float), MemoryKind::Device);
  ASSERT_TRUE(x && scalars);
  auto* X = static_cast<float*>(*x);
  auto* S = static_cast<float*>(*scalars);
  for (int64_t i = 0; i < n; ++i)
    X[i] = float(i);
  S[0] = 5, S[1] = -1;
  auto stream = device->createStream(StreamKind::Blocking);
  ASSERT_TRUE(stream);
  // Queued first: x becomes all zero bytes, then 2 is copied into alpha.
  const float two = 2;
  ASSERT_TRUE(device->fill(X, 0, n * sizeof(float), *stream, true).ok());
  ASSERT_TRUE(device->copy(S, &two, sizeof two, *stream, false).ok());
  VectorArgs axpy; // x = alpha * ones + x, alpha read from S[0] when it runs
  const std::vector<float> ones(n, 1);
  axpy.n = n, axpy.x = ones.data(), axpy.y = X, axpy.alphaPointer = S;
  ASSERT_TRUE(device->vector(axpy, *stream).ok());
  VectorArgs asum;
  asum.op = VectorOp::Asum, asum.n = n, asum.x = X, asum.result = S + 1;
  ASSERT_TRUE(device->vector(asum, *stream).ok());
  ASSERT_TRUE(device->synchronizeStream(*stream).ok());
  EXPECT_EQ(S[1], 2.0f * n);
  EXPECT_TRUE(device->destroyStream(*stream).ok());

  VectorArgs bad = asum;
  bad.result = nullptr;
  EXPECT_EQ(device->vector(bad, nullptr).code, StatusCode::InvalidValue);
  bad.type = GemmType::BF16;
  EXPECT_EQ(device->vector(bad, nullptr).code, StatusCode::NotSupported);
  EXPECT_TRUE(device->synchronize().ok()) << "nothing was queued, nothing is sticky";
}

} // namespace
} // namespace drawbridge::backend::cpu::test

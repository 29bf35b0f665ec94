// What a matmul reads only when it runs: batches given by arrays of addresses, alpha and beta
// given by pointer; and operands walked backwards (BLAS's negative increments).
#include "drawbridge/blas/Matmul.h"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <vector>

namespace drawbridge::blas {
namespace {

// Column-major m x k times k x n, dense, in double.
std::vector<float> product(const std::vector<float>& a, const std::vector<float>& b, int64_t m,
                           int64_t n, int64_t k) {
  std::vector<float> d(size_t(m * n));
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < m; ++i) {
      double sum = 0;
      for (int64_t l = 0; l < k; ++l)
        sum += double(a[i + l * m]) * b[l + j * k];
      d[i + j * m] = float(sum);
    }
  return d;
}

std::vector<float> filled(size_t count, int seed) {
  std::vector<float> v(count);
  for (size_t i = 0; i < count; ++i)
    v[i] = float(int((i + seed) * 13 % 17) - 8) * 0.125f;
  return v;
}

Matrix columnMajor(const std::vector<float>& v, int64_t rows) {
  return {DataType::F32, v.data(), 1, rows, 0};
}

TEST(MatmulByPointer, BatchesFromArraysOfAddresses) {
  const int64_t m = 6, n = 5, k = 7, batch = 3;
  std::vector<std::vector<float>> as, bs, ds;
  std::vector<const void*> aPointers, bPointers, cPointers;
  std::vector<void*> dPointers;
  for (int bt = 0; bt < batch; ++bt) {
    as.push_back(filled(m * k, bt));
    bs.push_back(filled(k * n, 10 + bt));
    ds.push_back(std::vector<float>(m * n, std::numeric_limits<float>::quiet_NaN()));
  }
  for (int bt = batch - 1; bt >= 0; --bt) { // addresses in any order, not evenly spaced
    aPointers.insert(aPointers.begin(), as[bt].data());
    bPointers.insert(bPointers.begin(), bs[bt].data());
    dPointers.insert(dPointers.begin(), ds[bt].data());
  }
  cPointers.assign(dPointers.begin(), dPointers.end());
  MatmulProblem p;
  p.m = m, p.n = n, p.k = k, p.batch = batch;
  p.a = {DataType::F32, nullptr, 1, m, 0, aPointers.data()};
  p.b = {DataType::F32, nullptr, 1, k, 0, bPointers.data()};
  p.c = {DataType::F32, nullptr, 1, m, 0, cPointers.data()};
  p.d = {DataType::F32, nullptr, 1, m, 0, dPointers.data()};
  p.alpha = 2; // beta == 0: the NaNs in C are not read
  ASSERT_FALSE(checkMatmul(p));
  auto error = matmul(p);
  ASSERT_FALSE(error) << error->message;
  for (int bt = 0; bt < batch; ++bt) {
    auto expected = product(as[bt], bs[bt], m, n, k);
    for (size_t i = 0; i < expected.size(); ++i)
      ASSERT_FLOAT_EQ(ds[bt][i], 2 * expected[i]) << "batch " << bt << " element " << i;
  }

  dPointers[1] = nullptr;
  error = matmul(p);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, BlasErrorCode::InvalidValue);
  EXPECT_NE(error->message.find("batch 1: the output matrix D is a null pointer"),
            std::string::npos)
      << error->message;

  p.a.batchPointers = nullptr;
  p.a.data = as[0].data();
  error = checkMatmul(p);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("need one for every operand"), std::string::npos);
}

TEST(MatmulByPointer, ScalarsAreReadWhenItRuns) {
  const int64_t m = 4, n = 3, k = 5;
  auto a = filled(m * k, 1), b = filled(k * n, 2), c = filled(m * n, 3);
  auto expected = product(a, b, m, n, k);
  float alpha = 3, beta = 0.5f;
  MatmulProblem p;
  p.m = m, p.n = n, p.k = k;
  p.a = columnMajor(a, m);
  p.b = columnMajor(b, k);
  std::vector<float> d = c;
  p.c = columnMajor(d, m);
  p.d = {DataType::F32, d.data(), 1, m, 0};
  p.alpha = p.beta = 99; // the pointers win
  p.alphaPointer = &alpha;
  p.betaPointer = &beta;
  ASSERT_FALSE(matmul(p));
  for (size_t i = 0; i < d.size(); ++i)
    ASSERT_FLOAT_EQ(d[i], 3 * expected[i] + 0.5f * c[i]) << i;

  // A beta of zero read from memory ignores C, NaNs and all.
  beta = 0;
  std::fill(d.begin(), d.end(), std::numeric_limits<float>::quiet_NaN());
  ASSERT_FALSE(matmul(p));
  for (size_t i = 0; i < d.size(); ++i)
    ASSERT_FLOAT_EQ(d[i], 3 * expected[i]) << i;

  // f16 scalars (cublasHgemm in device pointer mode): 0x4000 is 2.0.
  uint16_t halfAlpha = 0x4000, halfBeta = 0;
  p.scalarType = DataType::F16;
  p.alphaPointer = &halfAlpha;
  p.betaPointer = &halfBeta;
  ASSERT_FALSE(matmul(p));
  for (size_t i = 0; i < d.size(); ++i)
    ASSERT_FLOAT_EQ(d[i], 2 * expected[i]) << i;
}

TEST(MatmulByPointer, NegativeStridesWalkBackwards) {
  // y = A x with x and y given from their last elements, as BLAS's negative increments do.
  const int64_t m = 5, k = 4;
  auto a = filled(m * k, 4);
  std::vector<float> x{1, -2, 3, 0.5f}, reversedX(x.rbegin(), x.rend());
  std::vector<float> y(m * 2, 7.0f);
  MatmulProblem p;
  p.m = m, p.n = 1, p.k = k;
  p.a = columnMajor(a, m);
  p.b = {DataType::F32, reversedX.data() + (k - 1), -1, k, 0};
  p.d = {DataType::F32, y.data() + 2 * (m - 1), -2, 2 * m, 0};
  p.c = {DataType::F32, p.d.data, p.d.rowStride, p.d.colStride, 0};
  p.beta = 1;
  ASSERT_FALSE(matmul(p));
  auto expected = product(a, x, m, 1, k);
  for (int64_t i = 0; i < m; ++i)
    EXPECT_FLOAT_EQ(y[2 * (m - 1 - i)], expected[i] + 7) << i;
  for (int64_t i = 0; i < m; ++i)
    EXPECT_EQ(y[2 * i + 1], 7.0f) << "between the strided elements";
}

} // namespace
} // namespace drawbridge::blas

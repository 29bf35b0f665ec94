#include "RandomValues.h"
#include "drawbridge/reference/Ops.h"

#include <cmath>
#include <gtest/gtest.h>
#include <numeric>

using namespace drawbridge::reference;
using drawbridge::reference::testing::randomValues;

namespace {

std::vector<int64_t> iota(int64_t n, int64_t start = 0) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), start);
  return v;
}

// Attention as a textbook writes it, for one head: a full score matrix, -inf where masked,
// softmax per row, then the weighted sum.
std::vector<double> naiveHead(const std::vector<std::vector<double>>& q,
                              const std::vector<std::vector<double>>& k,
                              const std::vector<std::vector<double>>& v, int64_t window) {
  size_t n = q.size(), d = q[0].size();
  std::vector<double> out(n * d);
  for (size_t i = 0; i < n; ++i) {
    std::vector<double> row(n);
    for (size_t j = 0; j < n; ++j) {
      bool masked = j > i || (window > 0 && i - j >= size_t(window));
      double s = 0;
      for (size_t c = 0; c < d; ++c)
        s += q[i][c] * k[j][c];
      row[j] = masked ? -INFINITY : s / std::sqrt(double(d));
    }
    double max = *std::max_element(row.begin(), row.end()), sum = 0;
    for (double& s : row)
      sum += s = std::exp(s - max);
    for (size_t j = 0; j < n; ++j)
      for (size_t c = 0; c < d; ++c)
        out[i * d + c] += row[j] / sum * v[j][c];
  }
  return out;
}

std::vector<std::vector<double>> headRows(const std::vector<float>& x, int64_t heads, int64_t head,
                                          int64_t d) {
  std::vector<std::vector<double>> rows;
  for (size_t t = 0; t < x.size() / size_t(heads * d); ++t)
    rows.emplace_back(x.begin() + (int64_t(t) * heads + head) * d,
                      x.begin() + (int64_t(t) * heads + head + 1) * d);
  return rows;
}

void expectMatchesNaive(int64_t n, AttentionShape shape) {
  std::vector<float> q = randomValues(n * shape.heads * shape.headDim, 1);
  std::vector<float> k = randomValues(n * shape.kvHeads * shape.headDim, 2);
  std::vector<float> v = randomValues(n * shape.kvHeads * shape.headDim, 3);
  std::vector<int64_t> positions = iota(n);
  std::vector<float> out = attention(q, positions, k, v, positions, shape);
  int64_t group = shape.heads / shape.kvHeads;
  for (int64_t h = 0; h < shape.heads; ++h) {
    std::vector<double> expected =
        naiveHead(headRows(q, shape.heads, h, shape.headDim),
                  headRows(k, shape.kvHeads, h / group, shape.headDim),
                  headRows(v, shape.kvHeads, h / group, shape.headDim), shape.window);
    std::vector<std::vector<double>> got = headRows(out, shape.heads, h, shape.headDim);
    for (int64_t t = 0; t < n; ++t)
      for (int64_t c = 0; c < shape.headDim; ++c)
        ASSERT_NEAR(got[size_t(t)][size_t(c)], expected[size_t(t * shape.headDim + c)], 1e-5)
            << "head " << h << " token " << t;
  }
}

TEST(Attention, CausalMatchesNaiveMaskedAttention) {
  expectMatchesNaive(1, {2, 2, 6, 0});   // one token
  expectMatchesNaive(37, {3, 3, 10, 0}); // sizes off multiples of 32
}

TEST(Attention, SlidingWindowMatchesNaiveMaskedAttentionOverTheFullSequence) {
  expectMatchesNaive(20, {4, 2, 8, 5});
  expectMatchesNaive(5, {4, 2, 8, 5}); // exactly the window: the window changes nothing yet
  expectMatchesNaive(6, {4, 1, 8, 5}); // one past it
}

TEST(Attention, WindowBoundaryDropsExactlyTheOldestKey) {
  AttentionShape windowed{1, 1, 4, 4}, full{1, 1, 4, 0};
  std::vector<float> q = randomValues(5 * 4, 4), k = randomValues(5 * 4, 5),
                     v = randomValues(5 * 4, 6);
  std::vector<int64_t> positions = iota(5);
  std::vector<float> a = attention(q, positions, k, v, positions, windowed);
  std::vector<float> b = attention(q, positions, k, v, positions, full);
  for (size_t i = 0; i < 16; ++i) // positions 0..3 see at most 4 keys: identical
    EXPECT_EQ(a[i], b[i]);
  // Position 4 sees keys 1..4 only: the same as full attention without key 0.
  std::vector<float> kTail(k.begin() + 4, k.end()), vTail(v.begin() + 4, v.end());
  std::vector<int64_t> tailPositions = iota(4, 1), last = {4};
  std::vector<float> qLast(q.begin() + 16, q.end());
  std::vector<float> c = attention(qLast, last, kTail, vTail, tailPositions, full);
  for (size_t i = 0; i < 4; ++i)
    EXPECT_NEAR(a[16 + i], c[i], 1e-6);
  EXPECT_GT(std::fabs(a[16] - b[16]) + std::fabs(a[17] - b[17]), 1e-6);
}

TEST(Attention, GroupedQueryEqualsMultiHeadWithRepeatedKvHeads) {
  const int64_t n = 9, heads = 6, kvHeads = 2, d = 8, group = heads / kvHeads;
  std::vector<float> q = randomValues(n * heads * d, 7);
  std::vector<float> k = randomValues(n * kvHeads * d, 8), v = randomValues(n * kvHeads * d, 9);
  std::vector<float> kRep, vRep; // repeat_kv: each KV head copied for its group of query heads
  for (int64_t t = 0; t < n; ++t)
    for (int64_t h = 0; h < heads; ++h) {
      auto from = (t * kvHeads + h / group) * d;
      kRep.insert(kRep.end(), k.begin() + from, k.begin() + from + d);
      vRep.insert(vRep.end(), v.begin() + from, v.begin() + from + d);
    }
  std::vector<int64_t> positions = iota(n);
  EXPECT_EQ(attention(q, positions, k, v, positions, {heads, kvHeads, d, 0}),
            attention(q, positions, kRep, vRep, positions, {heads, heads, d, 0}));
}

TEST(Attention, KeyOrderDoesNotMatterAndASingleKeyReturnsItsValue) {
  AttentionShape shape{2, 1, 4, 0};
  std::vector<float> q = randomValues(8, 10), k = randomValues(3 * 4, 11),
                     v = randomValues(3 * 4, 12);
  std::vector<int64_t> qPos = {2}, kPos = {0, 1, 2};
  std::vector<float> kRev, vRev;
  for (int t = 2; t >= 0; --t) {
    kRev.insert(kRev.end(), k.begin() + t * 4, k.begin() + t * 4 + 4);
    vRev.insert(vRev.end(), v.begin() + t * 4, v.begin() + t * 4 + 4);
  }
  std::vector<int64_t> kPosRev = {2, 1, 0};
  std::vector<float> a = attention(q, qPos, k, v, kPos, shape);
  std::vector<float> b = attention(q, qPos, kRev, vRev, kPosRev, shape);
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(a[i], b[i], 1e-6);
  std::vector<int64_t> first = {0};
  std::vector<float> one = attention(q, first, k, v, kPos, shape); // sees key 0 only
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(one[i], v[i], 1e-6);
    EXPECT_NEAR(one[4 + i], v[i], 1e-6);
  }
}

} // namespace

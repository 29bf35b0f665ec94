#include "drawbridge/reference/Ops.h"

#include "RandomValues.h"

#include <cmath>
#include <gtest/gtest.h>
#include <numeric>

using namespace drawbridge;
using namespace drawbridge::reference;
using drawbridge::reference::testing::randomValues;

namespace {

TEST(Ops, EmbedCopiesTheTokensRows) {
  model::Tensor table{{5, 3}, randomValues(15, 1)};
  std::vector<int32_t> tokens = {4, 0, 4};
  std::vector<float> out = embed(table, tokens);
  ASSERT_EQ(out.size(), 9u);
  for (size_t t = 0; t < tokens.size(); ++t)
    for (size_t i = 0; i < 3; ++i)
      EXPECT_EQ(out[t * 3 + i], table.values[size_t(tokens[t]) * 3 + i]);
}

TEST(Ops, RmsNormMatchesTheFormulaOnOddWidths) {
  for (size_t width : {1u, 37u, 129u}) {
    std::vector<float> x = randomValues(3 * width, 2, 4), w = randomValues(width, 3);
    std::vector<float> out = rmsNorm(x, w, 1e-5);
    for (size_t r = 0; r < 3; ++r) {
      double meanSquare = 0;
      for (size_t i = 0; i < width; ++i)
        meanSquare += double(x[r * width + i]) * x[r * width + i] / double(width);
      for (size_t i = 0; i < width; ++i)
        EXPECT_NEAR(out[r * width + i], x[r * width + i] / std::sqrt(meanSquare + 1e-5) * w[i],
                    1e-5 * std::fabs(out[r * width + i]) + 1e-6);
    }
  }
  // Unit weights give unit root-mean-square; scaling the input changes nothing.
  std::vector<float> x = randomValues(50, 4), ones(50, 1.0f), scaled(50);
  for (size_t i = 0; i < 50; ++i)
    scaled[i] = 1000 * x[i];
  std::vector<float> a = rmsNorm(x, ones, 0), b = rmsNorm(scaled, ones, 0);
  EXPECT_NEAR(std::inner_product(a.begin(), a.end(), a.begin(), 0.0) / 50, 1.0, 1e-5);
  for (size_t i = 0; i < 50; ++i)
    EXPECT_NEAR(a[i], b[i], 1e-5);
}

TEST(Ops, LinearIsXTimesWTransposed) {
  model::Tensor w{{3, 2}, {1, 2, 3, 4, 5, 6}};
  std::vector<float> x = {1, -1, 0.5f, 2};
  std::vector<float> y = linear(x, w);
  EXPECT_EQ(y, (std::vector<float>{-1, -1, -1, 4.5f, 9.5f, 14.5f}));
}

TEST(Ops, SoftmaxSumsToOneAndIgnoresShifts) {
  for (size_t n : {1u, 33u, 32000u}) {
    std::vector<float> x = randomValues(n, 5, 3);
    std::vector<float> p = softmax(x);
    EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0), 1.0, 1e-6);
    std::vector<float> shifted(x);
    for (float& v : shifted)
      v += 50;
    std::vector<float> q = softmax(shifted);
    double sum = 0;
    for (float v : x)
      sum += std::exp(double(v));
    for (size_t i = 0; i < n; i += 7) {
      EXPECT_NEAR(p[i], std::exp(double(x[i])) / sum, 1e-6 * p[i] + 1e-12);
      EXPECT_NEAR(q[i], p[i], 1e-5 * p[i] + 1e-12);
    }
  }
  std::vector<float> big = {1000, 0, 1000}; // no overflow
  EXPECT_EQ(softmax(big), (std::vector<float>{0.5f, 0.0f, 0.5f}));
}

TEST(Ops, SwigluAndResidual) {
  std::vector<float> g = randomValues(45, 6, 3), u = randomValues(45, 7);
  std::vector<float> out = swiglu(g, u);
  for (size_t i = 0; i < g.size(); ++i)
    EXPECT_NEAR(out[i], g[i] * u[i] / (1 + std::exp(-double(g[i]))), 1e-6);
  EXPECT_EQ(swiglu(std::vector<float>{0}, std::vector<float>{5})[0], 0.0f);
  std::vector<float> x = {1, 2}, y = {0.5f, -2};
  addInPlace(x, y);
  EXPECT_EQ(x, (std::vector<float>{1.5f, 0}));
}

} // namespace

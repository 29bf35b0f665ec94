#include "RandomValues.h"
#include "drawbridge/reference/Ops.h"

#include <cmath>
#include <complex>
#include <gtest/gtest.h>

using namespace drawbridge::reference;
using drawbridge::reference::testing::randomValues;

namespace {

constexpr int64_t kHeads = 3, kDim = 10; // head_dim not a multiple of 32

TEST(Rope, PositionZeroIsIdentity) {
  std::vector<float> x = randomValues(kHeads * kDim, 1), copy = x;
  std::vector<int64_t> positions = {0};
  applyRope(x, kHeads, kDim, positions, 10000);
  EXPECT_EQ(x, copy);
}

TEST(Rope, MatchesTheComplexRotationAndPreservesPairNorms) {
  for (double theta : {10000.0, 500000.0}) {
    std::vector<int64_t> positions = {1, 7, 255};
    std::vector<float> x = randomValues(positions.size() * kHeads * kDim, 2), out = x;
    applyRope(out, kHeads, kDim, positions, theta);
    for (size_t t = 0; t < positions.size(); ++t)
      for (int64_t h = 0; h < kHeads; ++h)
        for (int64_t i = 0; i < kDim / 2; ++i) {
          size_t base = (t * kHeads + size_t(h)) * kDim;
          // rotate_half pairs element i with element i + d/2: treat them as a + bi.
          std::complex<double> in(x[base + i], x[base + i + kDim / 2]);
          double frequency = 1 / std::pow(theta, double(2 * i) / kDim);
          std::complex<double> expected = in * std::polar(1.0, double(positions[t]) * frequency);
          EXPECT_NEAR(out[base + i], expected.real(), 1e-5);
          EXPECT_NEAR(out[base + i + kDim / 2], expected.imag(), 1e-5);
          EXPECT_NEAR(std::hypot(out[base + i], out[base + i + kDim / 2]), std::abs(in), 1e-5);
        }
  }
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i)
    sum += double(a[i]) * b[i];
  return sum;
}

TEST(Rope, ScoresDependOnlyOnRelativePosition) {
  std::vector<float> q = randomValues(kDim, 3), k = randomValues(kDim, 4);
  auto rotated = [](std::vector<float> v, int64_t position) {
    std::vector<int64_t> positions = {position};
    applyRope(v, 1, kDim, positions, 10000);
    return v;
  };
  double near = dot(rotated(q, 5), rotated(k, 2)), far = dot(rotated(q, 105), rotated(k, 102));
  EXPECT_NEAR(near, far, 1e-4);
  EXPECT_GT(std::fabs(near - dot(rotated(q, 5), rotated(k, 4))), 1e-3); // and does depend on it
}

} // namespace

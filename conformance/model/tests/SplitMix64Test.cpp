#include "drawbridge/model/SplitMix64.h"

#include <cmath>
#include <gtest/gtest.h>

using drawbridge::model::SplitMix64;

namespace {

TEST(SplitMix64, MatchesThePublishedSequence) {
  // The first outputs for seed 0 of Vigna's reference splitmix64.c.
  SplitMix64 rng(0);
  EXPECT_EQ(rng.next(), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(rng.next(), 0x6E789E6AA1B965F4ull);
  EXPECT_EQ(rng.next(), 0x06C45D188009454Full);
}

TEST(SplitMix64, UniformIsTheTop24Bits) {
  SplitMix64 a(42), b(42);
  for (int i = 0; i < 1000; ++i) {
    uint64_t bits = a.next();
    float u = b.uniform();
    EXPECT_EQ(u, std::ldexp(static_cast<float>(bits >> 40), -24));
    EXPECT_GE(u, 0.0f);
    EXPECT_LT(u, 1.0f);
  }
}

TEST(SplitMix64, NormalHasUnitVariance) {
  SplitMix64 rng(1);
  double sum = 0, squares = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    double x = rng.normal();
    sum += x;
    squares += x * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(squares / n, 1.0, 0.02);
}

} // namespace

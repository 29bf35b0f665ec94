#include "drawbridge/model/DType.h"

#include <bit>
#include <cmath>
#include <gtest/gtest.h>
#include <random>

using namespace drawbridge::model;

namespace {

// An independent decoding of IEEE half: (-1)^s * 2^(e-15) * (1 + m/1024), subnormals 2^-14 *
// m/1024.
double decodeHalf(uint16_t bits) {
  int sign = bits >> 15, exponent = (bits >> 10) & 0x1F, mantissa = bits & 0x3FF;
  double magnitude = exponent == 0 ? std::ldexp(mantissa / 1024.0, -14)
                                   : std::ldexp(1 + mantissa / 1024.0, exponent - 15);
  return sign ? -magnitude : magnitude;
}

TEST(DType, HalfWideningMatchesTheDefinition) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    uint16_t h = static_cast<uint16_t>(bits);
    float value = halfToFloat(h);
    if (((h >> 10) & 0x1F) == 0x1F) {
      EXPECT_EQ(std::isnan(value), (h & 0x3FF) != 0);
      continue;
    }
    ASSERT_EQ(static_cast<double>(value), decodeHalf(h)) << bits;
    // Every finite half survives the round trip bit for bit (negative zero included).
    ASSERT_EQ(floatToHalf(value), h) << bits;
  }
}

TEST(DType, BFloat16RoundTripsEveryFiniteValue) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    float value = bfloat16ToFloat(static_cast<uint16_t>(bits));
    EXPECT_EQ(std::bit_cast<uint32_t>(value), bits << 16);
    if (!std::isnan(value))
      ASSERT_EQ(floatToBFloat16(value), bits);
    else
      EXPECT_TRUE(std::isnan(bfloat16ToFloat(floatToBFloat16(value))));
  }
}

// Narrowing must pick the nearest representable value, and the even one on a tie.
void expectNearestEven(float value, float narrowed, float below, float above, uint16_t bits) {
  double dNarrowed = std::fabs(double(narrowed) - value);
  EXPECT_LE(dNarrowed, std::fabs(double(below) - value)) << value;
  EXPECT_LE(dNarrowed, std::fabs(double(above) - value)) << value;
  bool tie = dNarrowed != 0 && (dNarrowed == std::fabs(double(below) - value) ||
                                dNarrowed == std::fabs(double(above) - value));
  if (tie)
    EXPECT_EQ(bits & 1, 0) << value;
}

TEST(DType, NarrowingRoundsToNearestEven) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> exponent(-24, 16);
  for (int i = 0; i < 200000; ++i) {
    float value = std::ldexp(std::uniform_real_distribution<float>(1, 2)(rng),
                             static_cast<int>(exponent(rng)));
    if (i % 2)
      value = -value;
    uint16_t h = floatToHalf(value);
    float hv = halfToFloat(h);
    if (!std::isinf(hv))
      expectNearestEven(value, hv, halfToFloat(h - 1), halfToFloat(h + 1), h);
    uint16_t b = floatToBFloat16(value);
    expectNearestEven(value, bfloat16ToFloat(b), bfloat16ToFloat(b - 1), bfloat16ToFloat(b + 1), b);
  }
  // Exact ties, constructed: halfway between 1 and the next half (1 + 2^-10) goes to 1 (even).
  EXPECT_EQ(floatToHalf(1.0f + std::ldexp(1.0f, -11)), floatToHalf(1.0f));
  EXPECT_EQ(floatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), floatToHalf(1.0f) + 2);
  EXPECT_EQ(floatToHalf(65520.0f), 0x7C00); // the tie above 65504 rounds to infinity
  EXPECT_EQ(floatToHalf(65519.0f), 0x7BFF);
  EXPECT_EQ(floatToBFloat16(1.0f + std::ldexp(1.0f, -8)), floatToBFloat16(1.0f));
}

TEST(DType, Names) {
  for (DType d : {DType::F32, DType::F16, DType::BF16}) {
    EXPECT_EQ(parseDType(dtypeName(d)), d);
    EXPECT_EQ(parseDTypeWord(torchDTypeName(d)), d);
  }
  EXPECT_FALSE(parseDType("I8"));
  EXPECT_EQ(dtypeSize(DType::BF16), 2u);
  EXPECT_EQ(roundTo(DType::BF16, 1.0f + std::ldexp(1.0f, -9)), 1.0f);
}

} // namespace

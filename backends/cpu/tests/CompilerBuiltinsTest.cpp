// The bf16 narrowing routines the JIT supplies where the process lacks compiler-rt's.
#include "CompilerBuiltins.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <gtest/gtest.h>
#include <string_view>

namespace drawbridge::backend::cpu {
namespace {

float fromBits(uint32_t bits) {
  return std::bit_cast<float>(bits);
}

TEST(CompilerBuiltins, FloatRoundsToNearestEvenAndKeepsSubnormals) {
  EXPECT_EQ(bfloat16Bits(fromBits(0x007fffff)), 0x0080); // measured on an H200 (issue 13)
  EXPECT_EQ(bfloat16Bits(fromBits(0x00008000)), 0x0000); // tie to even (0)
  EXPECT_EQ(bfloat16Bits(fromBits(0x00018000)), 0x0002); // tie to even (2)
  EXPECT_EQ(bfloat16Bits(fromBits(0x3f808000)), 0x3f80);
  EXPECT_EQ(bfloat16Bits(fromBits(0x3f808001)), 0x3f81);
  EXPECT_EQ(bfloat16Bits(fromBits(0xbf818000)), 0xbf82);
  EXPECT_EQ(bfloat16Bits(fromBits(0x7f7fffff)), 0x7f80); // rounds up past the largest bf16
  EXPECT_EQ(bfloat16Bits(-INFINITY), 0xff80);
  EXPECT_EQ(bfloat16Bits(-0.0f), 0x8000);
}

TEST(CompilerBuiltins, NaNsAreCanonical) {
  EXPECT_EQ(bfloat16Bits(fromBits(0xffc00001)), 0x7fff);
  EXPECT_EQ(bfloat16Bits(fromBits(0x7f800001)), 0x7fff);
  EXPECT_EQ(bfloat16Bits(std::bit_cast<double>(0xfff8000000000123ull)), 0x7fff);
}

TEST(CompilerBuiltins, DoubleRoundsOnceNotTwice) {
  // Above the tie between 1 and 1 + 2^-7 by less than f32 can hold: narrowing to f32 to
  // nearest first would make it the tie and then round it down to even.
  EXPECT_EQ(bfloat16Bits(1.0 + 0x1p-8 + 0x1p-40), 0x3f81);
  EXPECT_EQ(bfloat16Bits(1.0 + 0x1p-8), 0x3f80);
  EXPECT_EQ(bfloat16Bits(-(1.0 + 0x1p-8 + 0x1p-40)), 0xbf81);
  // bf16's subnormals are 2^-133 apart: just above half of one rounds up, below it to zero.
  EXPECT_EQ(bfloat16Bits(0x1p-134 + 0x1p-170), 0x0001);
  EXPECT_EQ(bfloat16Bits(0x1p-134), 0x0000);
  EXPECT_EQ(bfloat16Bits(0x1p-200), 0x0000);
  EXPECT_EQ(bfloat16Bits(1e300), 0x7f80);
  EXPECT_EQ(bfloat16Bits(-1e300), 0xff80);
  EXPECT_EQ(bfloat16Bits(3.0e38), 0x7f62);
}

TEST(CompilerBuiltins, TheJitFindsThemUnderCompilerRtsNames) {
  void* narrowFloat = nullptr;
  void* narrowDouble = nullptr;
  for (const RuntimeSymbol& symbol : compilerBuiltinSymbols()) {
    if (std::string_view(symbol.name) == "__truncsfbf2")
      narrowFloat = symbol.address;
    if (std::string_view(symbol.name) == "__truncdfbf2")
      narrowDouble = symbol.address;
  }
  ASSERT_NE(narrowFloat, nullptr);
  ASSERT_NE(narrowDouble, nullptr);
  // Called as generated code calls them: the result in the low 16 bits of xmm0.
  auto* fromFloat = reinterpret_cast<float (*)(float)>(narrowFloat);
  auto* fromDouble = reinterpret_cast<float (*)(double)>(narrowDouble);
  EXPECT_EQ(std::bit_cast<uint32_t>(fromFloat(fromBits(0x007fffff))) & 0xffff, 0x0080u);
  EXPECT_EQ(std::bit_cast<uint32_t>(fromDouble(1.0 + 0x1p-8 + 0x1p-40)) & 0xffff, 0x3f81u);
}

} // namespace
} // namespace drawbridge::backend::cpu

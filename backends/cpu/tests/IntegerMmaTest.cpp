// Integer and sub-byte mma.sync shapes, run from nvcc's PTX and checked against the product of
// the matrices their fragments hold, laid out as the PTX ISA defines ("Matrix fragments for
// mma.m16n8k32" and the other integer shapes).
#include "KernelFixture.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <vector>

namespace drawbridge::backend::cpu::test {
namespace {

// An integer mma shape and its operands as the PTX ISA lays them out over the warp's lanes.
struct IntegerMma {
  const char* kernel;
  unsigned m, k, bits;
  bool aSigned, bSigned, satfinite;
  bool xorPopc = false; // b1: the bits of A XOR B are counted rather than products summed
};

class IntegerMmaTest : public KernelFixture {
protected:
  void SetUp() override { load("integer_mma"); }
  // Runs one integer mma on random matrices and compares D with the product computed here. Lane
  // l = 4g + t holds, with n = 32/bits elements per register and h = m/8, element e of A register
  // r at A[g + 8(r % h)][n t + e + 4n (r / h)], of B register r at B[n t + e + 4n r][g], and
  // C/D element i at [g + 8(i/2)][2t + i%2].
  void checkIntegerMma(const IntegerMma& shape, uint32_t seed);
};

void IntegerMmaTest::checkIntegerMma(const IntegerMma& shape, uint32_t seed) {
  unsigned n = 32 / shape.bits, h = shape.m / 8;
  unsigned aRegs = shape.m * shape.k * shape.bits / 1024, bRegs = 8 * shape.k * shape.bits / 1024;
  std::vector<int> A(shape.m * shape.k), B(shape.k * 8), C(shape.m * 8);
  auto next = [&] { return seed = seed * 1664525u + 1013904223u, seed >> 8; };
  auto element = [&](bool isSigned) {
    int range = 1 << shape.bits;
    int v = int(next() % range);
    return isSigned ? v - range / 2 : v;
  };
  for (int& x : A)
    x = element(shape.aSigned);
  for (int& x : B)
    x = element(shape.bSigned);
  for (int& x : C)
    x = int(next()) - (1 << 23);
  if (shape.satfinite) // push row 0 toward overflow
    C[0] = INT_MAX - 5, C[1] = INT_MIN + 5;
  auto* a = buffer<unsigned>(4 * 32);
  auto* b = buffer<unsigned>(2 * 32);
  int* c = buffer<int>(4 * 32);
  int* d = buffer<int>(4 * 32, 0x5a5a5a5a);
  unsigned mask = (1u << shape.bits) - 1;
  for (unsigned l = 0; l < 32; ++l) {
    unsigned g = l / 4, t = l % 4;
    for (unsigned r = 0; r < aRegs; ++r)
      for (unsigned e = 0; e < n; ++e)
        a[4 * l + r] |=
            (unsigned(A[(g + 8 * (r % h)) * shape.k + n * t + e + 4 * n * (r / h)]) & mask)
            << (shape.bits * e);
    for (unsigned r = 0; r < bRegs; ++r)
      for (unsigned e = 0; e < n; ++e)
        b[2 * l + r] |= (unsigned(B[(n * t + e + 4 * n * r) * 8 + g]) & mask) << (shape.bits * e);
    for (unsigned i = 0; i < 2 * h; ++i)
      c[4 * l + i] = C[(g + 8 * (i / 2)) * 8 + 2 * t + i % 2];
  }
  ASSERT_TRUE(run(shape.kernel, {1}, {32}, 0, a, b, c, d).ok()) << shape.kernel;
  for (unsigned l = 0; l < 32; ++l)
    for (unsigned i = 0; i < 2 * h; ++i) {
      unsigned row = l / 4 + 8 * (i / 2), col = 2 * (l % 4) + i % 2;
      int64_t sum = C[row * 8 + col];
      for (unsigned kk = 0; kk < shape.k; ++kk)
        sum += shape.xorPopc ? int64_t(A[row * shape.k + kk] ^ B[kk * 8 + col])
                             : int64_t(A[row * shape.k + kk]) * B[kk * 8 + col];
      int32_t expected = shape.satfinite ? int32_t(std::clamp<int64_t>(sum, INT_MIN, INT_MAX))
                                         : int32_t(uint32_t(uint64_t(sum)));
      EXPECT_EQ(d[4 * l + i], expected) << shape.kernel << " D[" << row << "][" << col << "]";
    }
}

TEST_F(IntegerMmaTest, EveryShapeMatchesTheProduct) {
  // One shape per element width and row count; .satfinite on the unsigned one.
  const IntegerMma shapes[] = {
      {"mma_m16n8k32_s8_u8", 16, 32, 8, true, false, false},
      {"mma_m16n8k16_u8_sat", 16, 16, 8, false, false, true},
      {"mma_m16n8k64_s4", 16, 64, 4, true, true, false},
      {"mma_m8n8k16_s8", 8, 16, 8, true, true, false},
      {"mma_m8n8k128_b1_xor", 8, 128, 1, false, false, false, true},
  };
  uint32_t seed = 1;
  for (const auto& shape : shapes)
    checkIntegerMma(shape, seed++);
}

} // namespace
} // namespace drawbridge::backend::cpu::test

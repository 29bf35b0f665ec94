// PTX forms outside clang's builtins, run from nvcc's PTX and checked against the PTX ISA's
// definitions: WARP_SZ, mad.hi.sat.s32, the named prmt modes, directed-rounding conversions and
// cvt.rn.relu, the launch's registers.
#include "KernelFixture.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cfenv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <vector>

namespace drawbridge::backend::cpu::test {
namespace {

class PtxIsaTest : public KernelFixture {
protected:
  void SetUp() override { load("ptx_isa"); }
};

TEST_F(PtxIsaTest, WarpSizeConstantIs32) {
  int* out = buffer<int>(64, -1);
  ASSERT_TRUE(run("warp_size", {1}, {64}, 0, out).ok());
  for (int i = 0; i < 64; ++i)
    EXPECT_EQ(out[i], 32) << i;
}

TEST_F(PtxIsaTest, MadHiSatClampsTheSumOfTheHighWordAndC) {
  const std::array<std::array<int, 3>, 6> cases{{{INT_MAX, INT_MAX, INT_MAX},
                                                 {INT_MIN, INT_MIN, INT_MAX},
                                                 {INT_MIN, INT_MAX, INT_MIN},
                                                 {-7, 1 << 30, -3},
                                                 {123456789, 987654321, 5},
                                                 {INT_MIN, 1, INT_MIN}}};
  int* a = buffer<int>(cases.size());
  int* b = buffer<int>(cases.size());
  int* c = buffer<int>(cases.size());
  int* out = buffer<int>(cases.size());
  for (size_t i = 0; i < cases.size(); ++i)
    a[i] = cases[i][0], b[i] = cases[i][1], c[i] = cases[i][2];
  ASSERT_TRUE(run("mad_hi_sat", {1}, {unsigned(cases.size())}, 0, a, b, c, out).ok());
  for (size_t i = 0; i < cases.size(); ++i) {
    int64_t high = (int64_t(a[i]) * b[i]) >> 32;
    int64_t sum = std::clamp<int64_t>(high + c[i], INT_MIN, INT_MAX);
    EXPECT_EQ(out[i], sum) << i;
  }
}

TEST_F(PtxIsaTest, NamedPrmtModesPickThePtxIsaBytes) {
  // The PTX ISA's table for each mode and c[1:0]: the byte of {b, a} each byte of d takes,
  // d.b0 first.
  constexpr std::array<std::array<std::array<unsigned, 4>, 4>, 6> kTable{{
      {{{0, 1, 2, 3}, {1, 2, 3, 4}, {2, 3, 4, 5}, {3, 4, 5, 6}}}, // f4e
      {{{0, 7, 6, 5}, {1, 0, 7, 6}, {2, 1, 0, 7}, {3, 2, 1, 0}}}, // b4e
      {{{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 2, 2}, {3, 3, 3, 3}}}, // rc8
      {{{0, 1, 2, 3}, {1, 1, 2, 3}, {2, 2, 2, 3}, {3, 3, 3, 3}}}, // ecl
      {{{0, 0, 0, 0}, {0, 1, 1, 1}, {0, 1, 2, 2}, {0, 1, 2, 3}}}, // ecr
      {{{0, 1, 0, 1}, {2, 3, 2, 3}, {0, 1, 0, 1}, {2, 3, 2, 3}}}, // rc16
  }};
  const uint32_t a = 0x83828180, b = 0x87868584; // byte i of {b, a} is 0x80 + i
  unsigned* out = buffer<unsigned>(6 * 8);
  // Threads 4..7 check that only c[1:0] selects.
  ASSERT_TRUE(run("prmt_modes", {1}, {8}, 0, a, b, out).ok());
  for (unsigned c = 0; c < 8; ++c)
    for (unsigned mode = 0; mode < 6; ++mode) {
      uint32_t expected = 0;
      for (unsigned i = 0; i < 4; ++i)
        expected |= (0x80 + kTable[mode][c & 3][i]) << (8 * i);
      EXPECT_EQ(out[6 * c + mode], expected) << "mode " << mode << " c " << c;
    }
}

// x converted in the host's rounding mode `mode` (the x86 conversions honour it).
template <typename To, typename From> To convertRounded(From x, int mode) {
  std::fesetround(mode);
  volatile From in = x;
  To r = static_cast<To>(in);
  std::fesetround(FE_TONEAREST);
  return r;
}

TEST_F(PtxIsaTest, IntegerToFloatDirectedRoundingMatchesTheRoundedValue) {
  const std::array<long long, 10> inputs{
      0,       1,       -1,        (1 << 24) + 1, -((1 << 24) + 3),
      INT_MAX, INT_MIN, LLONG_MAX, LLONG_MIN,     0x123456789abcdefLL};
  long long* in = buffer<long long>(inputs.size());
  float* f = buffer<float>(12 * inputs.size());
  double* d = buffer<double>(3 * inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    in[i] = inputs[i];
  ASSERT_TRUE(run("cvt_directed_integer", {1}, {unsigned(inputs.size())}, 0, in, f, d).ok());
  const int modes[] = {FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};
  for (size_t i = 0; i < inputs.size(); ++i) {
    long long x = inputs[i];
    for (int m = 0; m < 3; ++m) {
      EXPECT_EQ(f[12 * i + m], convertRounded<float>(int(x), modes[m])) << x << " s32 " << m;
      EXPECT_EQ(f[12 * i + 3 + m], convertRounded<float>(unsigned(x), modes[m])) << x << " u32";
      EXPECT_EQ(f[12 * i + 6 + m], convertRounded<float>(x, modes[m])) << x << " s64 " << m;
      EXPECT_EQ(f[12 * i + 9 + m], convertRounded<float>((unsigned long long)x, modes[m]))
          << x << " u64 " << m;
    }
    EXPECT_EQ(d[3 * i], convertRounded<double>(x, FE_TOWARDZERO)) << x;
    EXPECT_EQ(d[3 * i + 1], convertRounded<double>(x, FE_DOWNWARD)) << x;
    EXPECT_EQ(d[3 * i + 2], convertRounded<double>((unsigned long long)x, FE_UPWARD)) << x;
  }
}

TEST_F(PtxIsaTest, FloatToHalfDirectedRoundingAndRelu) {
  struct Case {
    float x;
    std::array<uint16_t, 8> bits; // f16 rz rm rp, bf16 rz rm rp, relu f16, relu bf16
  };
  const float tiny = std::ldexp(1.0f, -30);
  const std::array<Case, 7> cases{{
      // 1 + 2^-12 lies between f16's 1 and 1 + 2^-10, and below bf16's 1 + 2^-7.
      {1.0f + std::ldexp(1.0f, -12),
       {0x3c00, 0x3c00, 0x3c01, 0x3f80, 0x3f80, 0x3f81, 0x3c00, 0x3f80}},
      {-(1.0f + std::ldexp(1.0f, -12)), {0xbc00, 0xbc01, 0xbc00, 0xbf80, 0xbf81, 0xbf80, 0, 0}},
      // Beyond f16's largest finite value: only the mode's direction reaches infinity.
      {70000.0f, {0x7bff, 0x7bff, 0x7c00, 0x4788, 0x4788, 0x4789, 0x7c00, 0x4789}},
      {-70000.0f, {0xfbff, 0xfc00, 0xfbff, 0xc788, 0xc789, 0xc788, 0, 0}},
      // Below f16's smallest subnormal: +inf rounding gives it.
      {tiny, {0x0000, 0x0000, 0x0001, 0x3080, 0x3080, 0x3080, 0x0000, 0x3080}},
      {1.5f, {0x3e00, 0x3e00, 0x3e00, 0x3fc0, 0x3fc0, 0x3fc0, 0x3e00, 0x3fc0}},
      // .relu makes NaN the canonical NaN.
      {std::nanf(""), {0, 0, 0, 0, 0, 0, 0x7fff, 0x7fff}},
  }};
  float* in = buffer<float>(cases.size());
  uint16_t* out = buffer<uint16_t>(8 * cases.size());
  for (size_t i = 0; i < cases.size(); ++i)
    in[i] = cases[i].x;
  ASSERT_TRUE(run("cvt_directed_half", {1}, {unsigned(cases.size())}, 0, in, out).ok());
  for (size_t i = 0; i < cases.size(); ++i) {
    bool nan = std::isnan(cases[i].x);
    for (unsigned k = 0; k < 8; ++k) {
      uint16_t got = out[8 * i + k];
      if (nan && k < 3)
        EXPECT_TRUE((got & 0x7c00) == 0x7c00 && (got & 0x3ff)) << std::hex << got;
      else if (nan && k < 6)
        EXPECT_TRUE((got & 0x7f80) == 0x7f80 && (got & 0x7f)) << std::hex << got;
      else
        EXPECT_EQ(got, cases[i].bits[k]) << "case " << i << " form " << k;
    }
  }
}

TEST_F(PtxIsaTest, OrderedVectorAccessesMoveEveryElement) {
  const unsigned n = 32;
  auto* states = buffer<unsigned long long>(128);
  unsigned* words = buffer<unsigned>(4 * n);
  ASSERT_TRUE(run("ordered_vectors", {1}, {n}, 0, states, words).ok());
  for (unsigned t = 0; t < n; ++t) {
    unsigned long long status = 0x100 + t, value = 0xabcdef00000000ull + t;
    EXPECT_EQ(states[2 * t], status) << t;
    EXPECT_EQ(states[2 * t + 1], value) << t;
    EXPECT_EQ(states[64 + 2 * t], value) << t;
    EXPECT_EQ(states[65 + 2 * t], status) << t;
    EXPECT_EQ(words[4 * t], uint32_t(status)) << t;
    EXPECT_EQ(words[4 * t + 1], uint32_t(status >> 32)) << t;
    EXPECT_EQ(words[4 * t + 2], uint32_t(value)) << t;
    EXPECT_EQ(words[4 * t + 3], uint32_t(value >> 32)) << t;
  }
}

TEST_F(PtxIsaTest, BitMasksClampOrWrapTheirOperands) {
  // {a, b, clamp, wrap}: the PTX ISA's pseudo-code worked by hand.
  const std::array<std::array<uint32_t, 4>, 8> cases{{
      {1, 2, 0x6, 0x6},                // the ISA's own example
      {0, 0, 0, 0},                    // width 0
      {4, 8, 0xff0, 0xff0},            //
      {24, 8, 0xff000000, 0xff000000}, // up to bit 31
      {24, 9, 0xff000000, 0xff000000}, // a + b past bit 31: every bit from a
      {33, 2, 0, 0x6},                 // a >= 32: clamp gives nothing, wrap takes a = 1
      {3, 40, 0xfffffff8, 0x7f8},      // b >= 32: clamp takes every bit, wrap b = 8
      {31, 1, 0x80000000, 0x80000000},
  }};
  unsigned n = cases.size();
  unsigned* a = buffer<unsigned>(n);
  unsigned* b = buffer<unsigned>(n);
  unsigned* out = buffer<unsigned>(2 * n);
  for (unsigned i = 0; i < n; ++i)
    a[i] = cases[i][0], b[i] = cases[i][1];
  ASSERT_TRUE(run("bit_masks", {1}, {n}, 0, a, b, out).ok());
  for (unsigned i = 0; i < n; ++i) {
    EXPECT_EQ(out[2 * i], cases[i][2]) << "clamp " << i;
    EXPECT_EQ(out[2 * i + 1], cases[i][3]) << "wrap " << i;
  }
}

TEST_F(PtxIsaTest, Sm90FormsOutsideClustersRunAsOnAGpu) {
  const unsigned blocks = 3, threads = 64;
  unsigned* out = buffer<unsigned>(16 * blocks * threads, 0xdeadbeef);
  ASSERT_TRUE(run("sm90_without_clusters", {blocks}, {threads}, 0, out).ok());
  for (unsigned warp = 0; warp < blocks * threads / 32; ++warp) {
    // elect.sync over lanes 4..31 elects one of them (the PTX ISA does not say which): every
    // member gets its lane, and it alone gets the predicate.
    const unsigned* first = out + 16 * 32 * warp;
    unsigned leader = first[16 * 4], electedLanes = 0;
    EXPECT_TRUE(leader >= 4 && leader < 32) << leader;
    for (unsigned lane = 4; lane < 32; ++lane) {
      EXPECT_EQ(first[16 * lane], leader) << lane;
      EXPECT_EQ(first[16 * lane + 1], lane == leader ? 1u : 0u) << lane;
      electedLanes += first[16 * lane + 1];
    }
    EXPECT_EQ(electedLanes, 1u);
  }
  for (unsigned block = 0; block < blocks; ++block)
    for (unsigned t = 0; t < threads; ++t) {
      const unsigned* o = out + 16 * (block * threads + t);
      // Each block is a cluster of one.
      EXPECT_EQ(o[2], 0u);
      EXPECT_EQ(o[3], 1u);
      EXPECT_EQ(o[4], 0u);
      EXPECT_EQ(o[5], 1u);
      EXPECT_EQ(o[6], block);
      EXPECT_EQ(o[7], blocks);
      EXPECT_EQ(o[8], 0u);
    }
}

TEST_F(PtxIsaTest, StmatrixStoresFragmentsInTheirRows) {
  auto* plain = buffer<uint16_t>(256);
  auto* transposed = buffer<uint16_t>(256);
  auto* single = buffer<uint16_t>(64);
  ASSERT_TRUE(run("store_matrices", {1}, {32}, 0, plain, transposed, single).ok());
  for (unsigned j = 0; j < 4; ++j)
    for (unsigned r = 0; r < 8; ++r)
      for (unsigned c = 0; c < 8; ++c) {
        EXPECT_EQ(plain[64 * j + 8 * r + c], 64 * j + 8 * r + c) << j << r << c;
        EXPECT_EQ(transposed[64 * j + 8 * r + c], 64 * j + 8 * c + r) << j << r << c;
      }
  for (unsigned r = 0; r < 8; ++r)
    for (unsigned c = 0; c < 8; ++c)
      EXPECT_EQ(single[8 * r + c], 128 + 8 * r + c) << r << c;
}

TEST_F(PtxIsaTest, MovmatrixTransposesTheWarpsFragment) {
  unsigned* out = buffer<unsigned>(32);
  ASSERT_TRUE(run("transpose_fragment", {1}, {32}, 0, out).ok());
  // Lane l holds (l/4, 2(l%4)) and (l/4, 2(l%4) + 1) of the transpose: the original's
  // (2(l%4), l/4) and (2(l%4) + 1, l/4).
  for (unsigned l = 0; l < 32; ++l) {
    unsigned r = l / 4, c = 2 * (l % 4);
    EXPECT_EQ(out[l] & 0xffff, 8 * c + r + 100) << l;
    EXPECT_EQ(out[l] >> 16, 8 * (c + 1) + r + 100) << l;
  }
}

// f16 and bf16 bits to float: the test's own decoding, independent of the code under test.
float halfToFloat(uint16_t h) {
  int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  float magnitude = exponent == 0    ? std::ldexp(float(mantissa), -24)
                    : exponent == 31 ? (mantissa ? NAN : INFINITY)
                                     : std::ldexp(float(mantissa | 0x400), exponent - 25);
  return h & 0x8000 ? -magnitude : magnitude;
}
float bf16ToFloat(uint16_t h) {
  return std::bit_cast<float>(uint32_t(h) << 16);
}

TEST_F(PtxIsaTest, PackedComparisonsCompareEachHalf) {
  // {low, high} pairs of f16 bits (1, -2, 1.5, -3, NaN) and of bf16 bits for the bf16x2 forms.
  const uint32_t a[] = {0xc0003c00, 0x7e003c00, 0x3c003c00};
  const uint32_t b[] = {0xc2003e00, 0x3c003c00, 0x3c003e00};
  unsigned n = 3;
  unsigned* x = buffer<unsigned>(n);
  unsigned* y = buffer<unsigned>(n);
  unsigned* out = buffer<unsigned>(6 * n, 0xdeadbeef);
  for (unsigned i = 0; i < n; ++i)
    x[i] = a[i], y[i] = b[i];
  ASSERT_TRUE(run("packed_compare", {1}, {n}, 0, x, y, out).ok());
  for (unsigned i = 0; i < n; ++i) {
    uint32_t ge = 0, equ = 0, bfGt = 0;
    bool lt[2];
    for (unsigned half = 0; half < 2; ++half) {
      float p = halfToFloat(uint16_t(a[i] >> 16 * half)),
            q = halfToFloat(uint16_t(b[i] >> 16 * half));
      lt[half] = p < q;
      ge |= (p >= q ? 0x3c00u : 0u) << 16 * half; // f16 1.0 or 0.0
      equ |= (p == q || std::isnan(p) || std::isnan(q) ? 0xffffu : 0u) << 16 * half;
      float pb = bf16ToFloat(uint16_t(a[i] >> 16 * half)),
            qb = bf16ToFloat(uint16_t(b[i] >> 16 * half));
      bfGt |= (pb > qb ? 0xffffu : 0u) << 16 * half;
    }
    EXPECT_EQ(out[6 * i], lt[0]) << i;
    EXPECT_EQ(out[6 * i + 1], lt[1]) << i;
    EXPECT_EQ(out[6 * i + 2], ge) << i;
    EXPECT_EQ(out[6 * i + 3], equ) << i;
    EXPECT_EQ(out[6 * i + 4], bfGt) << i;
    EXPECT_EQ(out[6 * i + 5], 0u) << i;
  }
}

TEST_F(PtxIsaTest, PackedHalfTranscendentalsAreWithinTheirErrorBounds) {
  // {low, high} halves: f16 bits for the f16 forms, bf16 bits for the bf16 ones.
  const uint32_t inputs[] = {0xbc003800, 0x00004080, 0xc1003f00, 0x3e80bf00};
  unsigned n = 4;
  unsigned* in = buffer<unsigned>(n);
  unsigned* out = buffer<unsigned>(4 * n);
  for (unsigned i = 0; i < n; ++i)
    in[i] = inputs[i];
  ASSERT_TRUE(run("packed_transcendentals", {1}, {n}, 0, in, out).ok());
  // The PTX ISA bounds tanh.approx.f16 to a relative error of 2^-10.987 and the bf16 forms to
  // 2^-8; rounding to the half type adds half a unit of its precision.
  auto near = [](float got, float want, float relative) {
    return std::fabs(got - want) <= relative * std::fabs(want) + 1e-6f;
  };
  for (unsigned i = 0; i < n; ++i) {
    float h = halfToFloat(uint16_t(inputs[i]));
    EXPECT_TRUE(near(halfToFloat(uint16_t(out[4 * i])), std::tanh(h), 0x1p-10f)) << i;
    for (unsigned half = 0; half < 2; ++half) {
      uint16_t bits = uint16_t(inputs[i] >> 16 * half);
      float f = halfToFloat(bits), b = bf16ToFloat(bits);
      EXPECT_TRUE(near(halfToFloat(uint16_t(out[4 * i + 1] >> 16 * half)), std::tanh(f), 0x1p-10f))
          << i << " f16x2 " << half;
      EXPECT_TRUE(near(bf16ToFloat(uint16_t(out[4 * i + 2] >> 16 * half)), std::tanh(b), 0x1p-7f))
          << i << " tanh bf16x2 " << half;
      EXPECT_TRUE(near(bf16ToFloat(uint16_t(out[4 * i + 3] >> 16 * half)), std::exp2(b), 0x1p-7f))
          << i << " ex2 bf16x2 " << half;
    }
  }
}

TEST_F(PtxIsaTest, LaunchRegistersGiveTheSharedMemorySizes) {
  const unsigned threads = 64, dynamic = 1000;
  unsigned* out = buffer<unsigned>(8 * threads, 0xdeadbeef);
  ASSERT_TRUE(run("launch_registers", {1}, {threads}, dynamic, out).ok());
  for (unsigned t = 0; t < threads; ++t) {
    const unsigned* o = out + 8 * t;
    EXPECT_EQ(o[0], dynamic) << t;
    // The PTX ISA: the static and dynamic shared memory together, in the target's allocation
    // units (128 bytes on sm_80), so at least 300 + 1000 bytes.
    EXPECT_GE(o[1], 300 + dynamic) << t;
    EXPECT_EQ(o[1] % 128, 0u) << t;
    EXPECT_LT(o[1], 300 + dynamic + 128) << t;
    // The PTX ISA leaves %envreg to the driver; CUDA 13's sets %envreg1/2 to the address of the
    // launch's grid workspace (high and low halves) and Drawbridge no other.
    EXPECT_EQ(o[2], 0u) << t;
    EXPECT_NE((uint64_t(o[3]) << 32) | o[4], 0u) << t;
    EXPECT_EQ(o[5], 0u) << t;
    EXPECT_EQ(o[6], t + 1) << t;
  }
}

} // namespace
} // namespace drawbridge::backend::cpu::test

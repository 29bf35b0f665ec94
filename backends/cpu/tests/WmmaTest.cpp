// wmma.load/mma/store from nvcc's PTX for CUDA's wmma API, checked against products computed
// on the host. The inputs are small integers (and, for tf32, values that round on conversion),
// so every sum is exact in any order and an NVIDIA GPU gives exactly these results.
#include "KernelFixture.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

namespace drawbridge::backend::cpu::test {
namespace {

constexpr int kPad = 16; // the kernels' leading dimensions are the matrix's plus this

uint16_t half(double x) {
  return std::bit_cast<uint16_t>(static_cast<_Float16>(x));
}
double fromHalf(uint16_t bits) {
  return static_cast<double>(std::bit_cast<_Float16>(bits));
}
uint16_t bf16(double x) { // exact for the small integers used here
  return uint16_t(std::bit_cast<uint32_t>(float(x)) >> 16);
}
// cvt.rna.tf32.f32: round to 10 fraction bits, ties away from zero (finite values).
float tf32(float x) {
  return std::bit_cast<float>((std::bit_cast<uint32_t>(x) + 0x1000u) & 0xffffe000u);
}

struct Shape {
  int m, n, k;
  bool aRows, bRows, dColumns; // A and B row-major, D stored column-major
};

class WmmaTest : public KernelFixture {
protected:
  void SetUp() override { load("wmma"); }

  // Runs `kernel` on A, B, C with the given values and compares D with C + s A B (s = 2 when the
  // kernel is told to double A's fragment) element by element; padding, filled with `poison`, must
  // be neither read (it would spoil the sums) nor written.
  template <typename In, typename Acc>
  void checkProduct(const char* kernel, Shape s, In poison, const std::function<In(double)>& encode,
                    const std::function<Acc(double)>& encodeAcc,
                    const std::function<double(Acc)>& decodeAcc,
                    const std::function<double(int, int)>& aValue,
                    const std::function<double(int, int)>& bValue, bool doubled = false) {
    int lda = (s.aRows ? s.k : s.m) + kPad, ldb = (s.bRows ? s.n : s.k) + kPad;
    int ldc = s.n + kPad, ldd = (s.dColumns ? s.m : s.n) + kPad;
    In* a = buffer<In>(size_t(lda) * (s.aRows ? s.m : s.k), poison);
    In* b = buffer<In>(size_t(ldb) * (s.bRows ? s.k : s.n), poison);
    Acc sentinel = encodeAcc(-12345);
    Acc* c = buffer<Acc>(size_t(ldc) * s.m, sentinel);
    Acc* d = buffer<Acc>(size_t(ldd) * (s.dColumns ? s.n : s.m), sentinel);
    auto cValue = [](int i, int j) { return double((i * 5 + j * 3) % 9) - 4; };
    for (int i = 0; i < s.m; ++i)
      for (int kk = 0; kk < s.k; ++kk)
        a[s.aRows ? i * lda + kk : kk * lda + i] = encode(aValue(i, kk));
    for (int kk = 0; kk < s.k; ++kk)
      for (int j = 0; j < s.n; ++j)
        b[s.bRows ? kk * ldb + j : j * ldb + kk] = encode(bValue(kk, j));
    for (int i = 0; i < s.m; ++i)
      for (int j = 0; j < s.n; ++j)
        c[i * ldc + j] = encodeAcc(cValue(i, j));
    ASSERT_TRUE(run(kernel, {1}, {32}, 0, a, b, c, d, doubled).ok()) << kernel;
    std::vector<bool> written(size_t(ldd) * (s.dColumns ? s.n : s.m));
    for (int i = 0; i < s.m; ++i)
      for (int j = 0; j < s.n; ++j) {
        double expected = cValue(i, j);
        for (int kk = 0; kk < s.k; ++kk)
          expected += (doubled ? 2 : 1) * aValue(i, kk) * bValue(kk, j);
        size_t at = s.dColumns ? size_t(j) * ldd + i : size_t(i) * ldd + j;
        written[at] = true;
        EXPECT_EQ(decodeAcc(d[at]), expected) << kernel << " D[" << i << "][" << j << "]";
      }
    for (size_t at = 0; at < written.size(); ++at)
      if (!written[at])
        EXPECT_EQ(std::memcmp(&d[at], &sentinel, sizeof(Acc)), 0) << kernel << " wrote " << at;
  }
};

double smallA(int i, int k) {
  return double((i * 3 + k * 5) % 7) - 3;
}
double smallB(int k, int j) {
  return double((k * 2 + j * 7) % 5) - 2;
}
double f32(float x) {
  return x;
}
double s32(int x) {
  return x;
}

// One test, so the module (whose wmma kernels take seconds to compile) loads once.
TEST_F(WmmaTest, EveryShapeAndTypeGivesTheHostProduct) {
  auto f = [](double x) { return float(x); };
  checkProduct<uint16_t, float>("wmma_f16_m16n16k16", {16, 16, 16, true, false, false}, 0x7e00,
                                half, f, f32, smallA, smallB);
  // Element-wise code over a fragment's elements (nvcc's f16 A fragment repeats itself).
  checkProduct<uint16_t, float>("wmma_f16_m16n16k16", {16, 16, 16, true, false, false}, 0x7e00,
                                half, f, f32, smallA, smallB, true);
  checkProduct<uint16_t, uint16_t>("wmma_f16_m32n8k16_f16", {32, 8, 16, false, true, true}, 0x7e00,
                                   half, half, fromHalf, smallA, smallB);
  checkProduct<uint16_t, float>("wmma_f16_m8n32k16", {8, 32, 16, true, true, true}, 0x7e00, half, f,
                                f32, smallA, smallB);
  checkProduct<uint16_t, float>("wmma_bf16_m32n8k16", {32, 8, 16, true, false, false}, 0x7fc0, bf16,
                                f, f32, smallA, smallB);
  checkProduct<uint16_t, float>("wmma_bf16_m8n32k16", {8, 32, 16, false, false, false}, 0x7fc0,
                                bf16, f, f32, smallA, smallB);
  // The whole byte range: signed elements must be sign-extended, unsigned ones not.
  auto wideA = [](int i, int k) { return double((i * 37 + k * 11) % 256); };
  auto wideB = [](int k, int j) { return double((k * 29 + j * 13) % 256); };
  auto i32 = [](double x) { return int(x); };
  checkProduct<int8_t, int>(
      "wmma_s8_m16n16k16", {16, 16, 16, true, false, false}, 0x55,
      [](double x) { return int8_t(x); }, i32, s32, [&](int i, int k) { return wideA(i, k) - 128; },
      [&](int k, int j) { return wideB(k, j) - 128; });
  checkProduct<uint8_t, int>(
      "wmma_u8_m32n8k16", {32, 8, 16, false, true, true}, 0xaa, [](double x) { return uint8_t(x); },
      i32, s32, wideA, wideB);

  // tf32: the kernel converts what it loads with cvt.rna.tf32.f32.
  // v (1 + 2^-11) lies off tf32's grid (halfway for v = 1): cvt.rna rounds it, ties away from 0.
  auto tf32A = [](int i, int k) { return double(smallA(i, k) * (1 + 0x1p-11)); };
  // The host's expectation uses the rounded values.
  auto rounded = [&](int i, int k) { return double(tf32(float(tf32A(i, k)))); };
  auto ld = 8 + kPad;
  float* ab = buffer<float>(size_t(16) * ld, NAN);
  float* bb = buffer<float>(size_t(16) * ld, NAN);
  float* c = buffer<float>(size_t(16) * (16 + kPad), 0);
  float* d = buffer<float>(size_t(16) * (16 + kPad), 0);
  for (int i = 0; i < 16; ++i)
    for (int k = 0; k < 8; ++k)
      ab[i * ld + k] = float(tf32A(i, k)), bb[i * ld + k] = float(smallB(k, i));
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j)
      c[i * (16 + kPad) + j] = float(i - j);
  ASSERT_TRUE(run("wmma_tf32_m16n16k8", {1}, {32}, 0, ab, bb, c, d).ok());
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) {
      double expected = i - j;
      for (int k = 0; k < 8; ++k)
        expected += rounded(i, k) * smallB(k, j);
      EXPECT_EQ(d[i * (16 + kPad) + j], float(expected)) << i << " " << j;
    }
}

} // namespace
} // namespace drawbridge::backend::cpu::test

// A quantized matrix-vector product (kernels/quantized_gemv.cu) for 1 and for 6 to 8 columns,
// against the same product computed here. LLVM 19.1.7's SLP vectorizer summed the wrong
// products for 6 and 7 columns when it formed horizontal reductions for AVX-512 (Compiler.cpp);
// this test fails on an AVX-512 machine without the workaround there.
#include "KernelFixture.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace drawbridge::backend::cpu::test {
namespace {

constexpr int kBlock = 32, kRowsPer = 2, kRows = 16;
constexpr int8_t kCodeValues[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

struct CodeBlock {
  uint8_t exponent;
  uint8_t codes[kBlock / 2];
};
struct ByteBlock {
  uint16_t scale; // a half
  uint16_t unused;
  int8_t values[kBlock];
};
static_assert(sizeof(CodeBlock) == 17 && sizeof(ByteBlock) == 36);

class QuantizedGemvTest : public KernelFixture {
protected:
  void SetUp() override { load("quantized_gemv"); }

  /// Launches code_gemv_<cols> on random codes and bytes; returns how many outputs differ from
  /// the host's product.
  int wrongOutputs(int cols, int blocksPerRow) {
    std::mt19937 random(cols * 100 + blocksPerRow);
    CodeBlock* x = buffer<CodeBlock>(kRows * blocksPerRow);
    ByteBlock* y = buffer<ByteBlock>(cols * blocksPerRow);
    float* out = buffer<float>(cols * kRows, NAN);
    for (int i = 0; i < kRows * blocksPerRow; ++i) {
      x[i].exponent = uint8_t(120 + random() % 10);
      for (uint8_t& code : x[i].codes)
        code = uint8_t(random());
    }
    for (int i = 0; i < cols * blocksPerRow; ++i) {
      // Multiples of 1/64 below 2 are exact halves.
      y[i].scale = std::bit_cast<uint16_t>(static_cast<_Float16>((random() % 128) / 64.0f));
      for (int8_t& value : y[i].values)
        value = int8_t(random());
    }
    Status status = run("code_gemv_" + std::to_string(cols), {kRows / kRowsPer}, {32, 2}, 0, x, y,
                        out, blocksPerRow, kRows);
    EXPECT_TRUE(status.ok()) << status.message;
    int wrong = 0;
    for (int c = 0; c < cols; ++c)
      for (int r = 0; r < kRows; ++r) {
        double expected = 0, magnitude = 0; // the sum, and the sum of its terms' sizes
        for (int b = 0; b < blocksPerRow; ++b) {
          const CodeBlock& codes = x[r * blocksPerRow + b];
          const ByteBlock& bytes = y[c * blocksPerRow + b];
          int sum = 0;
          for (int k = 0; k < kBlock / 2; ++k)
            sum += kCodeValues[codes.codes[k] & 15] * bytes.values[k] +
                   kCodeValues[codes.codes[k] >> 4] * bytes.values[k + kBlock / 2];
          double scale =
              std::ldexp(0.5, codes.exponent - 127) * double(std::bit_cast<_Float16>(bytes.scale));
          expected += scale * sum;
          magnitude += std::abs(scale * sum);
        }
        float got = out[c * kRows + r];
        // The kernel sums in float, in its own order: a few ulps of the terms' sizes.
        bool close = std::abs(got - expected) <= 1e-6 * magnitude;
        if (!close && wrong++ == 0)
          ADD_FAILURE() << "column " << c << ", row " << r << ": " << got << ", expected "
                        << expected << " (the first wrong output)";
      }
    return wrong;
  }
};

TEST_F(QuantizedGemvTest, EachColumnCountMatchesTheHostProduct) {
  for (int cols : {1, 6, 7, 8})
    for (int blocksPerRow : {8, 40}) // every thread one block at most, and some several
      EXPECT_EQ(wrongOutputs(cols, blocksPerRow), 0)
          << cols << " columns, " << blocksPerRow << " blocks per row";
}

} // namespace
} // namespace drawbridge::backend::cpu::test

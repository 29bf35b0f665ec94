#include "KernelFixture.h"

#include <numeric>
#include <vector>

namespace drawbridge::backend::cpu::test {
namespace {

class BarrierTest : public KernelFixture {
protected:
  void SetUp() override { load("barriers"); }
  /// `count` unsigned values that differ in every bit position.
  unsigned* hashedInput(unsigned count) {
    unsigned* in = buffer<unsigned>(count);
    for (unsigned i = 0; i < count; ++i)
      in[i] = i * 2654435761u;
    return in;
  }
};

TEST_F(BarrierTest, TreeReductionWithBarrierInLoop) {
  for (unsigned block : {32u, 256u, 1024u}) {
    const unsigned blocks = 9;
    float* in = buffer<float>(blocks * block);
    float* out = buffer<float>(blocks, -1.0f);
    for (unsigned i = 0; i < blocks * block; ++i)
      in[i] = float(i % 17);
    ASSERT_TRUE(run("block_sum", {blocks}, {block}, 0, in, out).ok());
    for (unsigned b = 0; b < blocks; ++b) {
      float expected = 0;
      for (unsigned t = 0; t < block; ++t)
        expected += in[b * block + t];
      EXPECT_EQ(out[b], expected) << "block size " << block << ", block " << b;
    }
  }
}

TEST_F(BarrierTest, BarrierInUniformBranchInsideLoop) {
  const unsigned n = 256, blocks = 4;
  const int rounds = 5;
  int* data = buffer<int>(n * blocks);
  std::iota(data, data + n * blocks, 0);
  ASSERT_TRUE(run("rotate", {blocks}, {n}, 0, data, rounds).ok());
  for (unsigned b = 0; b < blocks; ++b)
    for (unsigned t = 0; t < n; ++t) {
      unsigned shift = b % 2 ? rounds : 0;
      EXPECT_EQ(data[b * n + t], int(b * n + (t + shift) % n)) << b << " " << t;
    }
}

TEST_F(BarrierTest, ExitedThreadsAreNotWaitedFor) {
  const unsigned active = 100;
  int* out = buffer<int>(1024, -7);
  ASSERT_TRUE(run("early_exit", {1}, {1024}, 0, out, active).ok());
  for (unsigned t = 0; t < active; ++t)
    EXPECT_EQ(out[t], int((t + 1) % active) * 3) << t;
  for (unsigned t = active; t < 1024; ++t)
    EXPECT_EQ(out[t], -7) << t;
}

TEST_F(BarrierTest, RegistersAndLocalArraysSurviveBarriers) {
  const unsigned n = 96;
  int* in = buffer<int>(n);
  int* out = buffer<int>(n);
  int sum = 0;
  for (unsigned t = 0; t < n; ++t)
    sum += in[t] = int(t * 7 % 23);
  ASSERT_TRUE(run("live_across", {1}, {n}, 0, in, out).ok());
  for (unsigned t = 0; t < n; ++t) {
    int seed = in[t], local[8];
    for (int i = 0; i < 8; ++i)
      local[(i + seed) & 7] = seed * i;
    int expected = sum;
    for (int i = 0; i < 8; ++i)
      expected += local[i] * (i + 1);
    EXPECT_EQ(out[t], expected + seed) << t;
  }
}

TEST_F(BarrierTest, DynamicSharedMemorySizedAtLaunch) {
  const unsigned n = 512, blocks = 3;
  int* data = buffer<int>(n * blocks);
  std::iota(data, data + n * blocks, 0);
  ASSERT_TRUE(run("reverse_dynamic", {blocks}, {n}, n * sizeof(int), data).ok());
  for (unsigned b = 0; b < blocks; ++b)
    for (unsigned t = 0; t < n; ++t)
      EXPECT_EQ(data[b * n + t], int(b * n + n - 1 - t));
}

TEST_F(BarrierTest, ARegionTooLongToInlineRunsCalled) {
  const unsigned n = 256, blocks = 3;
  unsigned* in = hashedInput(n * blocks);
  unsigned* out = buffer<unsigned>(n * blocks);
  ASSERT_TRUE(run("long_region", {blocks}, {n}, 0, in, out).ok());
  for (unsigned b = 0; b < blocks; ++b)
    for (unsigned t = 0; t < n; ++t) {
      unsigned x = in[b * n + (t + 1) % n];
      for (int round = 0; round < 16384; ++round)
        x = (x ^ (x >> 15)) * 2246822519u + 374761393u;
      ASSERT_EQ(out[b * n + t], x) << "block " << b << ", thread " << t;
    }
}

// nvcc's path only: its 131 passes take 13 s to compile, and what runs them is the same for
// both paths (the block function is built after either has become NVVM IR).
#ifdef DRAWBRIDGE_KERNELS_FROM_PTX
TEST_F(BarrierTest, PassesOfAKernelWithManyBarriersRunAsFunctions) {
  const unsigned n = 256, blocks = 3;
  unsigned* in = hashedInput(n * blocks);
  unsigned* out = buffer<unsigned>(n * blocks);
  ASSERT_TRUE(run("many_barriers", {blocks}, {n}, 0, in, out).ok());
  for (unsigned b = 0; b < blocks; ++b) {
    std::vector<unsigned> x(in + b * n, in + (b + 1) * n);
    for (unsigned step = 0; step < 65; ++step) {
      std::vector<unsigned> shared = x;
      for (unsigned t = 0; t < n; ++t)
        x[t] = x[t] * 3u + shared[(t + step + 1) % n];
    }
    for (unsigned t = 0; t < n; ++t)
      ASSERT_EQ(out[b * n + t], x[t]) << "block " << b << ", thread " << t;
  }
}
#endif

TEST_F(BarrierTest, EachKernelReportsItsOwnStaticSharedMemory) {
  EXPECT_EQ(kernel("block_sum")->info().staticSharedBytes, 1024 * sizeof(float));
  EXPECT_EQ(kernel("rotate")->info().staticSharedBytes, 256 * sizeof(int));
  EXPECT_EQ(kernel("reverse_dynamic")->info().staticSharedBytes, 0u);
  EXPECT_EQ(kernel("rotate")->info().paramSizes, (std::vector<size_t>{8, 4}));
}

} // namespace
} // namespace drawbridge::backend::cpu::test

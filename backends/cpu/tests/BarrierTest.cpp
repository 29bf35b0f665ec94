#include "KernelFixture.h"

#include <cmath>
#include <numeric>
#include <tuple>
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

// A tail after a barrier that only threads below a limit run: warps beyond the limit skip it,
// the warp the limit falls in runs it for its lanes below, and their shuffles see only those.
TEST_F(BarrierTest, TailBelowALimitRunsForTheLanesBelowIt) {
  const unsigned blocks = 2, n = 128;
  for (unsigned limit : {0u, 1u, 40u, 64u, 127u, 128u, 300u}) {
    int* in = buffer<int>(blocks * n);
    int* out = buffer<int>(blocks * n, -1);
    for (unsigned i = 0; i < blocks * n; ++i)
      in[i] = int(i * 7 % 101);
    Status status = run("tail_below_limit", {blocks}, {n}, 0, in, out, limit);
    ASSERT_TRUE(status.ok()) << status.message;
    for (unsigned block = 0; block < blocks; ++block)
      for (unsigned t = 0; t < n; ++t) {
        const int* row = in + block * n;
        auto sum = [&](unsigned u) { return row[u] + row[(u + 1) % n]; };
        unsigned partner = (t ^ 1u);
        int expected = -1;
        if (t < limit)
          expected = sum(t) * 1000 + (partner < limit ? sum(partner) : sum(t));
        EXPECT_EQ(out[block * n + t], expected) << "limit " << limit << " thread " << t;
      }
  }
}

TEST_F(BarrierTest, ValuesSavedAcrossBarriersAlikeOrNotInAWarp) {
  // Warps in rows (vector code, warp by warp) and across rows (thread by thread).
  for (Dim3 shape : {Dim3{128, 1, 1}, Dim3{64, 2, 1}, Dim3{32, 2, 2}, Dim3{16, 8, 1}}) {
    const unsigned blocks = 3, n = 128;
    int* in = buffer<int>(blocks * n);
    int* bounds = buffer<int>(blocks * n);
    float* scales = buffer<float>(blocks * n);
    int* sums = buffer<int>(blocks, -1);
    int* loops = buffer<int>(blocks * n, -1);
    float* kept = buffer<float>(blocks * n, 7.0f);
    for (unsigned i = 0; i < blocks * n; ++i) {
      unsigned block = i / n, warp = i % n / 32, lane = i % 32;
      in[i] = int((i * 2654435761u >> 9) % 1000) - 500;
      // Block 1's warp 2 has a bound per lane; every other warp one bound for its lanes.
      bounds[i] = block == 1 && warp == 2 ? int(lane % 5) : int((warp * 3 + block) % 7);
      // Warp 1's lanes hold zeros of both signs, warp 3's one NaN-free value each.
      scales[i] = warp == 1 ? (lane % 2 ? -0.0f : 0.0f) : warp == 3 ? float(lane) : -0.5f;
    }
    const int* nowhere = nullptr;
    Status status = run("saved_across_barriers", {blocks}, shape, 0, in, bounds, scales, sums,
                        loops, kept, nowhere);
    ASSERT_TRUE(status.ok()) << status.message;
    for (unsigned block = 0; block < blocks; ++block) {
      const int* row = in + block * n;
      int sum = std::accumulate(row, row + n, 0);
      EXPECT_EQ(sums[block], sum) << "block " << block;
      for (unsigned t = 0; t < n; ++t) {
        unsigned i = block * n + t;
        int expected = sum;
        for (int k = 0; k < bounds[i]; ++k)
          expected += row[(t + unsigned(k)) % n] * (k + 1);
        EXPECT_EQ(loops[i], expected) << "block " << block << " thread " << t;
        float scale = scales[i] > -1.0f ? scales[i] : 7.0f;
        EXPECT_EQ(kept[i], scale) << "block " << block << " thread " << t;
        EXPECT_EQ(std::signbit(kept[i]), std::signbit(scale))
            << "block " << block << " thread " << t;
      }
    }
  }
}

TEST_F(BarrierTest, TiledMatmulInBlocksSixteenThreadsWide) {
  // Small integers: every product and sum is exact in float, whatever the order of additions.
  for (Dim3 shape : {Dim3{16, 16, 1}, Dim3{16, 8, 1}})
    for (auto [m, n, k] : {std::tuple{64, 64, 64}, std::tuple{37, 45, 29}, std::tuple{5, 3, 7}}) {
      float* a = buffer<float>(unsigned(m * k));
      float* b = buffer<float>(unsigned(k * n));
      float* c = buffer<float>(unsigned(m * n), -1.0f);
      for (int i = 0; i < m * k; ++i)
        a[i] = float(i * 7 % 9 - 4);
      for (int i = 0; i < k * n; ++i)
        b[i] = float(i * 5 % 7 - 3);
      Dim3 grid{unsigned(n + 15) / 16, unsigned(m + 15) / 16, 1};
      Status status = run("tiled_matmul_edges", grid, shape, 0, a, b, c, m, n, k);
      ASSERT_TRUE(status.ok()) << status.message;
      for (int row = 0; row < m; ++row)
        for (int col = 0; col < n; ++col) {
          float expected = 0.0f;
          for (int i = 0; i < k; ++i)
            expected += a[row * k + i] * b[i * n + col];
          EXPECT_EQ(c[row * n + col], expected) << "block " << shape.y << " rows, " << m << "x" << n
                                                << "x" << k << " at " << row << "," << col;
        }
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

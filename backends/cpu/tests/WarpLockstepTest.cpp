// Warp-synchronous code (kernels/warp_lockstep.cu) on both input paths: lanes of a warp trade
// values through shared memory without __syncwarp, as ggml's mul_mat_f does with one warp per
// block. Each expected value is what a converged warp computes, each instruction run for all
// its lanes before the next (the lanes of a warp step together on NVIDIA GPUs; ggml's
// test-backend-ops passes its mul_mat_f cases on them, and failed them here before).
#include "KernelFixture.h"

#include <algorithm>

namespace drawbridge::backend::cpu::test {
namespace {

class WarpLockstepTest : public KernelFixture {
protected:
  void SetUp() override { load("warp_lockstep"); }
};

// Whole warps, a partial last warp, and blocks whose warps run as vectors or thread by thread.
TEST_F(WarpLockstepTest, LanesReadRowsThatOtherLanesStored) {
  for (unsigned block : {32u, 64u, 128u, 48u, 100u}) {
    const unsigned blocks = 2, n = block * blocks;
    int* in = buffer<int>(n);
    int* out = buffer<int>(n, -1);
    for (unsigned t = 0; t < n; ++t)
      in[t] = int(t * 7919 % 211) - 100;
    Status status = run("transpose_in_warp", {blocks}, {block}, 0, in, out);
    ASSERT_TRUE(status.ok()) << status.message;
    for (unsigned t = 0; t < n; ++t) {
      unsigned local = t % block, lane = local % 32, first = t - lane;
      unsigned lanes = std::min(32u, block - (local - lane));
      // tile[k][lane] = in[lane] * 100 + k; lane reads row `lane`: tile[lane][k], k < lanes.
      int expected = 0;
      for (unsigned k = 0; k < lanes; ++k)
        expected += (in[first + k] * 100 + int(lane)) * int(k + 1);
      ASSERT_EQ(out[t], expected) << "block " << block << " thread " << t;
    }
  }
}

// A lane reads the slot another lane overwrites in the same round: every lane must have read
// before any stores.
TEST_F(WarpLockstepTest, LanesReadEveryOldValueBeforeAnyLaneStores) {
  for (unsigned block : {32u, 96u, 40u})
    for (unsigned shift : {1u, 5u, 0u}) {
      const unsigned blocks = 2, n = block * blocks, rounds = 3;
      int* data = buffer<int>(n);
      std::vector<int> start(n);
      for (unsigned t = 0; t < n; ++t)
        data[t] = start[t] = int(t * 31 % 97);
      Status status = run("rotate_in_warp", {blocks}, {block}, 0, data, shift, int(rounds));
      ASSERT_TRUE(status.ok()) << status.message;
      std::vector<int> now = start;
      for (unsigned round = 0; round < rounds; ++round) {
        std::vector<int> next = now;
        for (unsigned t = 0; t < n; ++t) {
          unsigned local = t % block, lane = local % 32, first = t - lane;
          unsigned lanes = std::min(32u, block - (local - lane));
          next[t] = now[first + (lane + shift) % lanes] + 1;
        }
        now = next;
      }
      for (unsigned t = 0; t < n; ++t)
        ASSERT_EQ(data[t], now[t]) << "block " << block << " shift " << shift << " thread " << t;
    }
}

TEST_F(WarpLockstepTest, VolatileWarpReductionSumsItsWarp) {
  for (unsigned block : {32u, 64u}) {
    const unsigned blocks = 3, n = block * blocks, warps = n / 32;
    int* in = buffer<int>(n);
    int* out = buffer<int>(warps, -1);
    for (unsigned t = 0; t < n; ++t)
      in[t] = int(t * 2654435761u >> 20) % 1000 - 300;
    Status status = run("volatile_warp_sum", {blocks}, {block}, 0, in, out);
    ASSERT_TRUE(status.ok()) << status.message;
    for (unsigned warp = 0; warp < warps; ++warp) {
      int expected = 0;
      for (unsigned lane = 0; lane < 32; ++lane)
        expected += in[warp * 32 + lane];
      EXPECT_EQ(out[warp], expected) << "block " << block << " warp " << warp;
    }
  }
}

// Each half of the warp in its own arm meets only its own lanes, and sees only its own stores.
TEST_F(WarpLockstepTest, DivergentHalvesEachKeepStep) {
  int* data = buffer<int>(32);
  std::vector<int> v(32);
  for (unsigned lane = 0; lane < 32; ++lane)
    data[lane] = v[lane] = int(lane * 13 % 29) - 9;
  Status status = run("halves_apart", {1}, {32}, 0, data);
  ASSERT_TRUE(status.ok()) << status.message;
  for (unsigned lane = 0; lane < 32; ++lane) {
    int expected = 0;
    if (lane < 16) {
      expected = v[lane * 7 & 15] * 2;
    } else {
      // Round one stores 3v; round two stores what lane reads then, plus one.
      auto second = [&](unsigned other) { return v[16 + (other * 5 & 15)] * 3 + 1; };
      expected = second(16 + (lane * 3 & 15));
    }
    EXPECT_EQ(data[lane], expected) << "lane " << lane;
  }
}

// A loop stepping each lane by half a warp: lane l + 16's update of a slot comes an iteration
// before lane l's (a loop stepping by a whole warp needs no meeting, this one does).
TEST_F(WarpLockstepTest, LoopsSteppingByHalfAWarpKeepStep) {
  int* data = buffer<int>(80);
  std::vector<int> expected(80);
  for (unsigned i = 0; i < 80; ++i)
    data[i] = expected[i] = int(i * 7 % 13);
  Status status = run("stride_by_half_warps", {1}, {32}, 0, data);
  ASSERT_TRUE(status.ok()) << status.message;
  for (unsigned iteration = 0; iteration * 16 < 64; ++iteration)
    for (unsigned lane = 0; lane < 32; ++lane)
      if (unsigned i = lane + 16 * iteration; i < 64)
        expected[i] = expected[i] * 2 + int(lane);
  for (unsigned i = 0; i < 80; ++i)
    EXPECT_EQ(data[i], expected[i]) << "slot " << i;
}

} // namespace
} // namespace drawbridge::backend::cpu::test

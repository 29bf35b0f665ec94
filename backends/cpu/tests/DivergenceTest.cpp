// Warps whose lanes do not all run the same code (kernels/warp_divergence.cu), on both input
// paths. Each expected value is computed here from CUDA's rules, lane by lane.
#include "KernelFixture.h"

#include <bit>
#include <numeric>

namespace drawbridge::backend::cpu::test {
namespace {

class DivergenceTest : public KernelFixture {
protected:
  void SetUp() override { load("warp_divergence"); }

  /// Launches `name`, which must fail the launch naming itself and an exited lane.
  template <typename... Args> void expectExitedLaneFailure(const std::string& name, Args... args) {
    Status status = run(name, {1}, {64}, 0, args...);
    EXPECT_EQ(status.code, StatusCode::LaunchFailure) << name;
    EXPECT_NE(status.message.find(name), std::string::npos) << status.message;
    EXPECT_NE(status.message.find("has exited"), std::string::npos) << status.message;
  }
};

/// The lanes of warp `warp` (of `n` threads) for which `pick(thread)` holds, as a mask.
template <typename Pick> unsigned lanesWhere(unsigned warp, unsigned n, Pick pick) {
  unsigned mask = 0;
  for (unsigned lane = 0; lane < 32 && warp * 32 + lane < n; ++lane)
    mask |= unsigned(pick(warp * 32 + lane)) << lane;
  return mask;
}

// Groups chosen by data, not by lane number, in whole and partial warps of several blocks.
TEST_F(DivergenceTest, GroupsSplitByValueShuffleWithinTheirBallot) {
  for (unsigned block : {64u, 96u, 40u, 7u}) {
    const unsigned blocks = 3, n = block * blocks;
    int* in = buffer<int>(n);
    int* out = buffer<int>(n, -1);
    for (unsigned t = 0; t < n; ++t)
      in[t] = int((t * 2654435761u >> 7) % 1000);
    Status status = run("split_by_value", {blocks}, {block}, 0, in, out);
    ASSERT_TRUE(status.ok()) << status.message;
    for (unsigned t = 0; t < n; ++t) {
      unsigned first = t / block * block, local = t - first, warp = local / 32;
      auto odd = [&](unsigned u) { return (in[first + u] & 1) != 0; };
      unsigned odds = lanesWhere(warp, block, odd);
      unsigned evens = lanesWhere(warp, block, [&](unsigned u) { return !odd(u); });
      int expected = odd(local)
                         ? in[t] * 1000 + in[first + warp * 32 + std::countr_zero(odds)]
                         : in[t] * 1000 - in[first + warp * 32 + 31 - std::countl_zero(evens)];
      ASSERT_EQ(out[t], expected) << "block size " << block << " thread " << t;
    }
  }
}

TEST_F(DivergenceTest, FourNestedGroupsShuffleInTheirOwnModes) {
  const unsigned n = 64;
  int* data = buffer<int>(n);
  std::vector<int> start(n);
  for (unsigned t = 0; t < n; ++t)
    data[t] = start[t] = int(t * 37 % 101) - 50;
  ASSERT_TRUE(run("four_way", {1}, {n}, 0, data).ok());
  for (unsigned t = 0; t < n; ++t) {
    unsigned lane = t % 32, warp = t - lane;
    int v = start[t];
    auto at = [&](unsigned source) { return start[warp + source]; };
    int expected = lane % 4 == 0   ? v + at(lane ^ 4) * 2
                   : lane % 4 == 2 ? v - (lane + 8 < 32 ? at(lane + 8) : v)
                   : lane % 4 == 1 ? v ^ (lane >= 4 ? at(lane - 4) : v)
                                   : v + at(3) * 3;
    EXPECT_EQ(data[t], expected) << "thread " << t;
  }
}

// Blocks whose last warp has 1, 16 or 4 lanes, and a whole-warp block for contrast.
TEST_F(DivergenceTest, PartialWarpsReduceVoteAndCountOnlyTheirLanes) {
  for (unsigned block : {33u, 48u, 100u, 1u, 64u}) {
    const unsigned blocks = 2, n = block * blocks;
    int* in = buffer<int>(n);
    int* out = buffer<int>(4 * n, -7);
    for (unsigned t = 0; t < n; ++t)
      in[t] = int(t % 9) - 3;
    Status status = run("partial_warp_collectives", {blocks}, {block}, 0, in, out);
    ASSERT_TRUE(status.ok()) << status.message;
    for (unsigned t = 0; t < n; ++t) {
      unsigned first = t / block * block, warp = (t - first) / 32;
      unsigned lanes = std::min(32u, block - warp * 32);
      int total = 0;
      for (unsigned lane = 0; lane < lanes; ++lane)
        total += in[first + warp * 32 + lane];
      unsigned positive = lanesWhere(warp, block, [&](unsigned u) { return in[first + u] > 0; });
      if ((t - first) % 32 == 0)
        EXPECT_EQ(out[4 * t], total) << "block size " << block << " thread " << t;
      EXPECT_EQ(out[4 * t + 1], total) << "block size " << block << " thread " << t;
      EXPECT_EQ(unsigned(out[4 * t + 2]), positive) << "block size " << block << " thread " << t;
      EXPECT_EQ(out[4 * t + 3], int(lanes)) << "block size " << block << " thread " << t;
    }
  }
}

// Whole warps leave (the generated shuffles' path: every warp all there or all gone).
TEST_F(DivergenceTest, WholeWarpsExitBeforeShufflesAndBarrier) {
  const unsigned n = 128;
  int* in = buffer<int>(n);
  for (unsigned t = 0; t < n; ++t)
    in[t] = int(t * t % 53);
  for (unsigned exiting : {0x0u, 0x2u, 0x5u, 0xeu}) {
    int* out = buffer<int>(n, -1);
    Status status = run("whole_warps_exit", {1}, {n}, 0, in, out, exiting);
    ASSERT_TRUE(status.ok()) << status.message;
    for (unsigned t = 0; t < n; ++t) {
      unsigned warp = t / 32, lane = t % 32;
      if (exiting >> warp & 1) {
        EXPECT_EQ(out[t], -1) << t;
        continue;
      }
      int sum = 0;
      for (unsigned u = warp * 32; u < warp * 32 + 32; ++u)
        sum += in[u];
      EXPECT_EQ(out[t], sum * 2 + int(lane < 31 ? t + 1 : t)) << "exiting " << exiting << " " << t;
    }
  }
}

// Lanes leave part-way through every warp; the rest shuffle and vote with masks naming only
// themselves, before and after a barrier the exited lanes never reach.
TEST_F(DivergenceTest, RemainingLanesCollectAfterOthersExit) {
  const unsigned n = 96;
  int* in = buffer<int>(n);
  for (unsigned t = 0; t < n; ++t)
    in[t] = int(t % 13) * (t % 7 == 3 ? -1 : 1);
  for (unsigned keep : {1u, 5u, 16u, 31u, 32u}) {
    int* out = buffer<int>(n, -1);
    Status status = run("lanes_exit_then_collectives", {1}, {n}, 0, in, out, keep);
    ASSERT_TRUE(status.ok()) << "keep " << keep << ": " << status.message;
    for (unsigned t = 0; t < n; ++t) {
      unsigned warp = t / 32, lane = t % 32;
      if (lane >= keep) {
        EXPECT_EQ(out[t], -1) << t;
        continue;
      }
      int sum = 0;
      bool negative = false;
      for (unsigned u = warp * 32; u < warp * 32 + keep; ++u) {
        sum += in[u];
        negative = negative || in[u] < 0;
      }
      EXPECT_EQ(out[t], sum * 100 + int(negative)) << "keep " << keep << " thread " << t;
    }
  }
}

TEST_F(DivergenceTest, VoteNamingExitedLanesFailsTheLaunch) {
  expectExitedLaneFailure("vote_names_exited_lanes", buffer<unsigned>(64));
}

TEST_F(DivergenceTest, SyncwarpNamingExitedLanesFailsTheLaunch) {
  expectExitedLaneFailure("syncwarp_names_exited_lanes", buffer<int>(64));
}

// The survivors pass the barrier together, so the block is uniform at the shuffle: the check
// must still see the exited lanes.
TEST_F(DivergenceTest, ShuffleAfterBarrierNamingExitedLanesFailsTheLaunch) {
  expectExitedLaneFailure("shuffle_after_barrier_names_exited_lanes", buffer<int>(64));
}

// The waiting lanes are still there when the others have finished: the block is not done.
TEST_F(DivergenceTest, SyncwarpWhosePartnersExitLaterFailsTheLaunch) {
  expectExitedLaneFailure("partners_exit_after_their_shuffle", buffer<int>(64));
}

TEST_F(DivergenceTest, FullShuffleAfterLanesLeftTheLoopFailsTheLaunch) {
  int* trips = buffer<int>(64, 4);
  trips[5] = 1; // leaves before the second round's shuffle, which names it
  expectExitedLaneFailure("loop_exit_then_full_shuffle", trips, buffer<int>(64));
}

// Sanity of the kernel above: with every lane staying for all rounds it runs.
TEST_F(DivergenceTest, FullShufflesInALoopEveryLaneFinishes) {
  int* trips = buffer<int>(64, 4);
  int* out = buffer<int>(64, -1);
  ASSERT_TRUE(run("loop_exit_then_full_shuffle", {1}, {64}, 0, trips, out).ok());
  std::vector<int> v(64);
  std::iota(v.begin(), v.end(), 0);
  for (int round = 0; round < 4; ++round) {
    std::vector<int> next(v);
    for (unsigned t = 0; t < 64; ++t)
      next[t] = v[t] + v[t ^ 1];
    v = next;
  }
  for (unsigned t = 0; t < 64; ++t)
    EXPECT_EQ(out[t], v[t]) << t;
}

TEST_F(DivergenceTest, LoopsWithLaneDependentTripCounts) {
  for (unsigned block : {64u, 45u}) {
    const unsigned n = block;
    int* trips = buffer<int>(n);
    int* out = buffer<int>(n, -1);
    for (unsigned t = 0; t < n; ++t)
      trips[t] = int(t * 7 % 5) + (t % 32 == 9 ? 6 : 0); // 0 to 10 rounds
    Status status = run("lane_dependent_trips", {1}, {block}, 0, trips, out);
    ASSERT_TRUE(status.ok()) << status.message;
    std::vector<int> v(n);
    std::iota(v.begin(), v.end(), 1);
    for (int round = 0; round < 11; ++round) {
      std::vector<int> next(v);
      for (unsigned t = 0; t < n; ++t) {
        if (round >= trips[t])
          continue;
        unsigned warp = t / 32;
        unsigned looping = lanesWhere(warp, n, [&](unsigned u) { return round < trips[u]; });
        next[t] = v[t] * 3 + v[warp * 32 + std::countr_zero(looping)] + round;
      }
      v = next;
    }
    for (unsigned t = 0; t < n; ++t)
      EXPECT_EQ(out[t], v[t]) << "block " << block << " thread " << t;
  }
}

TEST_F(DivergenceTest, RowLoopsOfUnevenLengthThenFullReduction) {
  int* row = buffer<int>(200);
  for (int c = 0; c < 200; ++c)
    row[c] = c * 3 - 100;
  for (int cols : {1, 7, 32, 45, 200}) {
    int* out = buffer<int>(64, -1);
    ASSERT_TRUE(run("strided_row_sum", {1}, {64}, 0, row, out, cols).ok());
    int expected = 0;
    for (int c = 0; c < cols; ++c)
      expected += row[c] * (c % 5 + 1);
    for (unsigned t = 0; t < 64; ++t)
      EXPECT_EQ(out[t], expected) << "cols " << cols << " thread " << t;
  }
}

TEST_F(DivergenceTest, HalfWaitsAtFullShuffleWhileOtherHalfTrades) {
  const unsigned n = 64;
  int* data = buffer<int>(n);
  std::vector<int> start(n), mid(n);
  for (unsigned t = 0; t < n; ++t)
    data[t] = start[t] = int(t * 11) - 200;
  Status status = run("half_trades_then_full_shuffle", {1}, {n}, 0, data);
  ASSERT_TRUE(status.ok()) << status.message;
  for (unsigned t = 0; t < n; ++t)
    mid[t] = t % 32 >= 16 ? start[t] + start[t ^ 1] * 7 : start[t];
  for (unsigned t = 0; t < n; ++t)
    EXPECT_EQ(data[t], mid[t / 32 * 32 + 31 - t % 32]) << t;
}

TEST_F(DivergenceTest, SyncwarpInBothArmsOfABranchMeets) {
  const unsigned n = 64;
  int* data = buffer<int>(n);
  std::vector<int> start(n);
  for (unsigned t = 0; t < n; ++t)
    data[t] = start[t] = int(t) * 5 + 1;
  Status status = run("syncwarp_in_both_branches", {1}, {n}, 0, data);
  ASSERT_TRUE(status.ok()) << status.message;
  for (unsigned t = 0; t < n; ++t)
    EXPECT_EQ(data[t], t % 32 < 16 ? start[t + 16] * 3 + 1 : start[t - 16] * 2 - 1) << t;
}

TEST_F(DivergenceTest, PartialWarpLeavesAShuffleLoopTogether) {
  for (unsigned block : {48u, 64u}) {
    int* data = buffer<int>(block);
    std::vector<int> want(block);
    for (unsigned t = 0; t < block; ++t)
      data[t] = want[t] = int(t) + 1;
    for (int round = 0; round < 3; ++round) {
      std::vector<int> before = want;
      for (unsigned t = 0; t < block; ++t)
        want[t] = before[t] + before[t ^ 1];
    }
    Status status = run("partial_warp_shuffle_loop", {1}, {block}, 0, data, 3);
    ASSERT_TRUE(status.ok()) << status.message;
    for (unsigned t = 0; t < block; ++t)
      EXPECT_EQ(data[t], want[t]) << "block size " << block << " thread " << t;
  }
}

} // namespace
} // namespace drawbridge::backend::cpu::test

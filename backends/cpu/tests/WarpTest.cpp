#include "KernelFixture.h"

#include <bit>

namespace drawbridge::backend::cpu::test {
namespace {

class WarpTest : public KernelFixture {
protected:
  void SetUp() override { load("warp"); }
};

/// The source lane CUDA's documentation gives for each shuffle of `lane` in a segment of
/// `width` lanes; written independently of the PTX formula the runtime implements.
unsigned expectedSource(int mode, unsigned lane, unsigned width, unsigned offset) {
  unsigned segment = lane / width * width;
  switch (mode) {
  case 0:
    return segment + offset % width;
  case 1:
    return lane >= segment + offset ? lane - offset : lane;
  case 2:
    return lane + offset < segment + width ? lane + offset : lane;
  default:
    return (lane ^ offset) < segment + width ? lane ^ offset : lane;
  }
}

TEST_F(WarpTest, EveryShuffleModeWidthAndOffset) {
  const unsigned n = 64; // two warps
  const unsigned widths[4] = {32, 16, 8, 2};
  int* in = buffer<int>(n);
  for (unsigned i = 0; i < n; ++i)
    in[i] = int(1000 + i * 13);
  for (int offset : {0, 1, 3, 7, 16, 31}) {
    int* out = buffer<int>(16 * n, -1);
    ASSERT_TRUE(run("shuffles", {1}, {n}, 0, in, out, offset).ok());
    for (int mode = 0; mode < 4; ++mode)
      for (int w = 0; w < 4; ++w)
        for (unsigned i = 0; i < n; ++i) {
          unsigned warp = i / 32 * 32;
          unsigned source = warp + expectedSource(mode, i % 32, widths[w], unsigned(offset));
          ASSERT_EQ(out[(mode * 4 + w) * n + i], in[source])
              << "mode " << mode << " width " << widths[w] << " offset " << offset << " lane " << i;
        }
  }
}

// Offsets known when the kernel is compiled (a warp reduction's, unrolled) take the generated
// code's constant-distance loads for up, down and single-bit xor at the full width; idx, xor by
// several bits and narrower segments the general one. Both against CUDA's rules.
TEST_F(WarpTest, EveryShuffleModeWithAConstantOffset) {
  const unsigned n = 64; // two warps
  const unsigned widths[2] = {32, 16}, offsets[5] = {0, 1, 3, 16, 31};
  int* in = buffer<int>(n);
  for (unsigned i = 0; i < n; ++i)
    in[i] = int(500 + i * 7);
  int* out = buffer<int>(4 * 2 * 5 * n, -1);
  ASSERT_TRUE(run("shuffles_constant", {1}, {n}, 0, in, out).ok());
  for (int mode = 0; mode < 4; ++mode)
    for (int w = 0; w < 2; ++w)
      for (int k = 0; k < 5; ++k)
        for (unsigned i = 0; i < n; ++i) {
          unsigned source = i / 32 * 32 + expectedSource(mode, i % 32, widths[w], offsets[k]);
          ASSERT_EQ(out[((mode * 2 + w) * 5 + k) * n + i], in[source])
              << "mode " << mode << " width " << widths[w] << " offset " << offsets[k] << " lane "
              << i;
        }
}

// A loop of shuffles with a constant trip count (unrolled by the backend) and one with the
// launch's (left rolled) give the same warp sums.
TEST_F(WarpTest, ShuffleLoopsUnrolledOrNot) {
  const unsigned n = 64;
  int* in = buffer<int>(n);
  for (unsigned i = 0; i < n; ++i)
    in[i] = int(i * i % 97);
  int* out = buffer<int>(2 * n, -1);
  ASSERT_TRUE(run("warp_sum_loops", {1}, {n}, 0, in, out, 5).ok());
  for (unsigned i = 0; i < n; ++i) {
    int sum = 0;
    for (unsigned j = i / 32 * 32; j < i / 32 * 32 + 32; ++j)
      sum += in[j];
    ASSERT_EQ(out[i], sum) << "xor reduction, lane " << i;
    if (i % 32 == 0)
      ASSERT_EQ(out[n + i], sum) << "down reduction, lane " << i;
  }
}

// The last warp of a 48-thread block has 16 lanes; a lane whose source does not exist gets a
// value PTX leaves undefined, so only the others are checked.
TEST_F(WarpTest, ShufflesInAPartialLastWarp) {
  const unsigned n = 48;
  const unsigned widths[4] = {32, 16, 8, 2};
  int* in = buffer<int>(n);
  for (unsigned i = 0; i < n; ++i)
    in[i] = int(7 + i * 31);
  for (int offset : {1, 5, 16}) {
    int* out = buffer<int>(16 * n, -1);
    ASSERT_TRUE(run("shuffles", {1}, {n}, 0, in, out, offset).ok());
    for (int mode = 0; mode < 4; ++mode)
      for (int w = 0; w < 4; ++w)
        for (unsigned i = 0; i < n; ++i) {
          unsigned source = i / 32 * 32 + expectedSource(mode, i % 32, widths[w], unsigned(offset));
          if (source < n)
            ASSERT_EQ(out[(mode * 4 + w) * n + i], in[source])
                << "mode " << mode << " width " << widths[w] << " offset " << offset << " lane "
                << i;
        }
  }
}

TEST_F(WarpTest, LanesReconvergeAfterADivergentShuffle) {
  const unsigned n = 64; // two warps
  int* data = buffer<int>(n);
  for (unsigned i = 0; i < n; ++i)
    data[i] = int(3 * i + 1);
  unsigned* masks = buffer<unsigned>(n);
  ASSERT_TRUE(run("reconverged_mask", {1}, {n}, 0, data, masks).ok());
  for (unsigned i = 0; i < n; ++i) {
    EXPECT_EQ(masks[i], 0xffffffffu) << "thread " << i;
    unsigned lane = i % 32;
    unsigned source = lane < 15 ? i + 1 : i; // down by 1 within lanes 0-15
    EXPECT_EQ(data[i], int(3 * (lane < 16 ? source : i) + 1)) << "thread " << i;
  }
}

TEST_F(WarpTest, DoubleShuffleMovesBothHalves) {
  double* in = buffer<double>(32);
  double* out = buffer<double>(32);
  for (int i = 0; i < 32; ++i)
    in[i] = 1e10 * i + 0.125;
  ASSERT_TRUE(run("shuffle_double", {1}, {32}, 0, in, out).ok());
  for (int i = 0; i < 32; ++i)
    EXPECT_EQ(out[i], (i + 3 < 32 ? in[i + 3] : in[i]) + in[7]) << i;
}

TEST_F(WarpTest, VotesAndActiveMask) {
  const unsigned n = 128;
  int* in = buffer<int>(n);
  unsigned* out = buffer<unsigned>(5 * n, 77);
  for (unsigned i = 0; i < n; ++i) {
    unsigned warp = i / 32, lane = i % 32;
    in[i] = warp == 0 ? 1 : warp == 1 ? 0 : warp == 2 ? int(lane % 3 == 0) : int(lane == 31);
  }
  ASSERT_TRUE(run("votes", {2}, {64}, 0, in, out).ok());
  for (unsigned i = 0; i < n; ++i) {
    unsigned ballot = 0;
    for (unsigned l = 0; l < 32; ++l)
      ballot |= unsigned(in[i / 32 * 32 + l] != 0) << l;
    EXPECT_EQ(out[5 * i], ballot == ~0u) << i;
    EXPECT_EQ(out[5 * i + 1], ballot != 0) << i;
    EXPECT_EQ(out[5 * i + 2], ballot) << i;
    EXPECT_EQ(out[5 * i + 3], ballot == 0 || ballot == ~0u) << i;
    EXPECT_EQ(out[5 * i + 4], in[i] ? ballot : 0u) << i;
  }
}

TEST_F(WarpTest, DivergentHalvesShuffleSeparately) {
  int* data = buffer<int>(64);
  for (int i = 0; i < 64; ++i)
    data[i] = i + 1;
  ASSERT_TRUE(run("divergent_halves", {1}, {64}, 0, data).ok());
  for (int i = 0; i < 64; ++i) {
    int lane = i % 32, v = i + 1;
    int expected = lane < 16 ? (lane < 15 ? v + 1 : v) * 10 : (lane > 16 ? v - 1 : v) * 100;
    EXPECT_EQ(data[i], expected) << i;
  }
}

TEST_F(WarpTest, MatchAnyAndRedux) {
  unsigned* in = buffer<unsigned>(32);
  unsigned* out = buffer<unsigned>(4 * 32);
  unsigned sum = 0, max = 0, any = 0;
  for (unsigned i = 0; i < 32; ++i) {
    in[i] = (i * 7) % 5 + (i == 9 ? 1000 : 0);
    sum += in[i];
    max = std::max(max, in[i]);
    any |= in[i];
  }
  Status status = run("match_and_reduce", {1}, {32}, 0, in, out);
  ASSERT_TRUE(status.ok()) << status.message;
  for (unsigned i = 0; i < 32; ++i) {
    unsigned same = 0;
    for (unsigned l = 0; l < 32; ++l)
      same |= unsigned(in[l] == in[i]) << l;
    EXPECT_EQ(out[4 * i], same) << i;
    EXPECT_EQ(out[4 * i + 1], sum);
    EXPECT_EQ(out[4 * i + 2], max);
    EXPECT_EQ(out[4 * i + 3], any);
  }
}

TEST_F(WarpTest, ShuffleReductionAcrossWarpsAndBlocks) {
  const int n = 10000;
  float* in = buffer<float>(n);
  float* out = buffer<float>(1, 0.0f);
  double expected = 0;
  for (int i = 0; i < n; ++i)
    expected += in[i] = float(i % 10);
  ASSERT_TRUE(run("warp_reduce", {unsigned((n + 255) / 256)}, {256}, 0, in, out, n).ok());
  EXPECT_EQ(*out, float(expected));
}

/// shuffle_runs on the host: `rounds` rounds of its four shuffles over a block of `n` threads;
/// sourceless[t] is set where a source lane of t's values was past the block (PTX leaves
/// those undefined).
struct ShuffleRuns {
  std::vector<unsigned> a, b;
  std::vector<bool> sourceless;
};
ShuffleRuns shuffleRunsOnHost(const unsigned* in, unsigned n, unsigned offset, unsigned width,
                              int rounds) {
  ShuffleRuns host{std::vector<unsigned>(in, in + n), {}, std::vector<bool>(n, false)};
  for (unsigned t = 0; t < n; ++t)
    host.b.push_back(in[t] * 3u + 1u);
  for (int r = 0; r < rounds; ++r) {
    ShuffleRuns next = host;
    for (unsigned t = 0; t < n; ++t) {
      unsigned warp = t / 32 * 32;
      auto from = [&](int mode, const std::vector<unsigned>& values) {
        unsigned source = warp + expectedSource(mode, t % 32, width, offset);
        if (source >= n) {
          next.sourceless[t] = true;
          return 0u;
        }
        next.sourceless[t] = next.sourceless[t] || host.sourceless[source];
        return values[source];
      };
      next.a[t] = from(0, host.a) + 2u * from(1, host.b);
      next.b[t] = from(2, host.a) ^ (from(3, host.b) * 5u);
    }
    host = std::move(next);
  }
  return host;
}

TEST_F(WarpTest, IndependentShufflesMeetOnceInEveryRound) {
  const Dim3 blocks[] = {{16, 2, 3},
                         {48, 1, 1}}; // whole warps across rows and planes; a partial one
  for (Dim3 block : blocks)
    for (auto [offset, width] : {std::pair{1, 32}, {5, 16}, {3, 8}}) {
      const unsigned n = block.x * block.y * block.z;
      const int rounds = 3;
      unsigned* in = buffer<unsigned>(n);
      for (unsigned t = 0; t < n; ++t)
        in[t] = t * 2654435761u + 17u;
      unsigned* out = buffer<unsigned>(2 * n, 0);
      Status status = run("shuffle_runs", {1}, block, 0, in, out, offset, width, rounds);
      ASSERT_TRUE(status.ok()) << status.message;
      ShuffleRuns host = shuffleRunsOnHost(in, n, unsigned(offset), unsigned(width), rounds);
      for (unsigned t = 0; t < n; ++t) {
        if (host.sourceless[t])
          continue;
        ASSERT_EQ(out[t], host.a[t]) << "n " << n << " offset " << offset << " thread " << t;
        ASSERT_EQ(out[n + t], host.b[t]) << "n " << n << " offset " << offset << " thread " << t;
      }
    }
}

TEST_F(WarpTest, ValuesSurviveRuntimeThenGeneratedShuffles) {
  const int n = 96;
  int* data = buffer<int>(n);
  std::vector<int> start(n), mid(n);
  for (int i = 0; i < n; ++i)
    data[i] = start[size_t(i)] = i * 7 - 100;
  ASSERT_TRUE(run("runtime_then_generated", {1}, {unsigned(n)}, 0, data).ok());
  for (int i = 0; i < n; ++i) {
    int lane = i % 32, warp = i - lane;
    mid[size_t(i)] = lane < 16 ? start[size_t(i)] + start[size_t(warp + (lane ^ 1))]
                               : start[size_t(i)] - start[size_t(warp + (lane ^ 2))];
  }
  for (int i = 0; i < n; ++i) {
    int lane = i % 32;
    int down = lane + 4 < 32 ? mid[size_t(i + 4)] : mid[size_t(i)];
    EXPECT_EQ(data[i], mid[size_t(i)] + down + start[size_t(i)] * 3) << i;
  }
}

TEST_F(WarpTest, SavedValuesOfEveryThreadOfA3dBlock) {
  const Dim3 block{5, 3, 4}; // 60 threads: warps straddle rows and planes, the last is partial
  const unsigned n = block.x * block.y * block.z, active = 1;
  int* in = buffer<int>(n);
  int* out = buffer<int>(n, -1);
  for (unsigned t = 0; t < n; ++t)
    in[t] = int(t * 13 % 17) + 1;
  auto exits = [&](unsigned t) {
    return t / (block.x * block.y) == block.z - 1 && t / block.x % block.y >= active;
  };
  int total = 0;
  for (unsigned t = 0; t < n; ++t)
    total += exits(t) ? 0 : in[t];
  Status status = run("saved_across_sites_3d", {1}, block, 0, in, out, active);
  ASSERT_TRUE(status.ok()) << status.message;
  for (unsigned t = 0; t < n; ++t) {
    if (exits(t)) {
      EXPECT_EQ(out[t], -1) << t;
      continue;
    }
    // Every partner of a remaining lane remains (a source lane outside the mask would give an
    // undefined value).
    unsigned partner = t ^ 1;
    ASSERT_TRUE(partner < n && !exits(partner)) << t;
    int neighbour = in[partner];
    int seed = in[t], local[5];
    for (int i = 0; i < 5; ++i)
      local[(i + seed) % 5] = seed + i * 100;
    int expected = total + neighbour;
    for (int i = 0; i < 5; ++i)
      expected += local[i] * (i + 1);
    EXPECT_EQ(out[t], expected + seed * 2) << t;
  }
}

TEST_F(WarpTest, MaskNamingExitedLanesFailsTheLaunch) {
  int* data = buffer<int>(32);
  Status status = run("shuffle_with_exited_lanes", {1}, {32}, 0, data);
  EXPECT_EQ(status.code, StatusCode::LaunchFailure);
  EXPECT_NE(status.message.find("shuffle_with_exited_lanes"), std::string::npos) << status.message;
  EXPECT_NE(status.message.find("has exited"), std::string::npos) << status.message;
}

TEST_F(WarpTest, MaskLeavingOutExecutingLanesFailsTheLaunch) {
  int* data = buffer<int>(32);
  Status status = run("shuffle_mask_without_own_lane", {1}, {32}, 0, data);
  EXPECT_EQ(status.code, StatusCode::LaunchFailure);
  EXPECT_NE(status.message.find("does not include its own lane"), std::string::npos)
      << status.message;
}

} // namespace
} // namespace drawbridge::backend::cpu::test

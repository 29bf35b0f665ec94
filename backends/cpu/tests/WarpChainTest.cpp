// Chains of whole-warp shuffles (kernels/warp_chains.cu) on both input paths, in block shapes
// that run them as vector code warp by warp and in shapes that run them thread by thread. Each
// expected value is computed here from CUDA's shuffle rules, lane by lane.
#include "KernelFixture.h"

#include <array>
#include <functional>

namespace drawbridge::backend::cpu::test {
namespace {

class WarpChainTest : public KernelFixture {
protected:
  void SetUp() override { load("warp_chains"); }
};

using Warp = std::array<int, 32>;

/// CUDA's __shfl_*_sync over a whole warp: each lane's result from the lane `source` names (in
/// its segment of `width` lanes), or its own value when that is out of range.
Warp shuffle(const Warp& v, unsigned width, const std::function<int(unsigned)>& source) {
  Warp result{};
  for (unsigned lane = 0; lane < 32; ++lane) {
    unsigned base = lane / width * width;
    int from = source(lane % width);
    result[lane] = from < 0 || unsigned(from) >= width ? v[lane] : v[base + unsigned(from)];
  }
  return result;
}

/// chain_mix for one warp that reaches its end; `side` is what the warp stores before its
/// fourth shuffle.
Warp chainMix(Warp v, Warp& side) {
  Warp down = shuffle(v, 32, [](unsigned l) { return int(l + 1); });
  for (unsigned lane = 0; lane < 32; ++lane) {
    v[lane] += down[lane];
    v[lane] = lane & 1 ? v[lane] * 3 : v[lane] - int(lane);
  }
  Warp other = shuffle(v, 32, [](unsigned l) { return int(l ^ 2); });
  for (unsigned lane = 0; lane < 32; ++lane)
    v[lane] = (v[lane] ^ other[lane]) + (lane != 0 ? 1000 / int(lane) : 0);
  Warp up = shuffle(v, 32, [](unsigned l) { return int(l) - 3; });
  for (unsigned lane = 0; lane < 32; ++lane)
    side[lane] = v[lane] += up[lane];
  Warp fifth = shuffle(v, 32, [](unsigned) { return 5; });
  for (unsigned lane = 0; lane < 32; ++lane)
    v[lane] -= fifth[lane];
  Warp seventh = shuffle(v, 8, [](unsigned) { return 7; });
  for (unsigned lane = 0; lane < 32; ++lane)
    v[lane] += seventh[lane];
  Warp half = shuffle(v, 16, [](unsigned l) { return int(l + 4); });
  for (unsigned lane = 0; lane < 32; ++lane)
    v[lane] ^= half[lane];
  return v;
}

TEST_F(WarpChainTest, ShufflesWithBranchesDivisionsAndExitsBetweenThem) {
  // Whole warps in rows (vector code), warps across rows (thread by thread), three dimensions.
  for (Dim3 shape : {Dim3{64, 2, 1}, Dim3{16, 8, 1}, Dim3{32, 2, 3}, Dim3{96, 1, 1}})
    for (auto [exitBelow, leaveAt] : {std::pair{0, -1}, std::pair{1, 2}}) {
      const unsigned blocks = 3, block = shape.x * shape.y * shape.z, n = blocks * block;
      int* in = buffer<int>(n);
      int* out = buffer<int>(n, -1);
      int* side = buffer<int>(n, -1);
      int* words = buffer<int>(blocks * 8, -1);
      for (unsigned t = 0; t < n; ++t)
        in[t] = int((t * 2654435761u >> 9) % 20001) - 10000;
      Status status =
          run("chain_mix", {blocks}, shape, 0, in, out, side, words, exitBelow, leaveAt);
      ASSERT_TRUE(status.ok()) << status.message;
      for (unsigned b = 0; b < blocks; ++b)
        for (unsigned warp = 0; warp < block / 32; ++warp) {
          unsigned first = b * block + warp * 32;
          Warp v{}, sideExpected{};
          std::fill(sideExpected.begin(), sideExpected.end(), -1);
          for (unsigned lane = 0; lane < 32; ++lane)
            v[lane] = in[first + lane];
          bool runs = int(warp) >= exitBelow && int(warp) != leaveAt;
          Warp expected = v;
          if (runs)
            expected = chainMix(v, sideExpected);
          std::string where = "block " + std::to_string(shape.x) + "x" + std::to_string(shape.y) +
                              "x" + std::to_string(shape.z) + ", exits " +
                              std::to_string(exitBelow) + "/" + std::to_string(leaveAt) +
                              ", thread " + std::to_string(first);
          for (unsigned lane = 0; lane < 32; ++lane) {
            ASSERT_EQ(out[first + lane], runs ? expected[lane] : -1) << where << " lane " << lane;
            ASSERT_EQ(side[first + lane], sideExpected[lane]) << where << " lane " << lane;
          }
          // One of the four lanes that stored to the word won.
          int word = words[b * 8 + warp];
          if (!runs)
            EXPECT_EQ(word, -1) << where;
          else
            EXPECT_TRUE(word == sideExpected[0] || word == sideExpected[8] ||
                        word == sideExpected[16] || word == sideExpected[24])
                << where << ": " << word;
        }
    }
}

TEST_F(WarpChainTest, LoopsOfLaneDependentLengthBeforeAReduction) {
  struct Record {
    int a, b, c, d;
  };
  for (int n : {0, 5, 37, 100}) {
    const unsigned blocks = 2, warps = 4, rows = blocks * warps;
    int* in = buffer<int>(rows * unsigned(n) + 1);
    auto* records = buffer<Record>(rows * 32);
    int* out = buffer<int>(rows, -1);
    auto* kept = buffer<Record>(rows * 32, Record{-1, -1, -1, -1});
    for (unsigned i = 0; i < rows * unsigned(n); ++i)
      in[i] = int((i * 2654435761u >> 11) % 2001) - 1000;
    for (unsigned i = 0; i < rows * 32; ++i)
      records[i] = {int(i), int(i * 3 % 17), int(i % 5), int(i * 7 % 11)};
    Status status = run("chain_after_loop", {blocks}, {warps * 32}, 0, in, records, out, kept, n);
    ASSERT_TRUE(status.ok()) << status.message;
    for (unsigned row = 0; row < rows; ++row) {
      int expected = 0;
      for (unsigned lane = 0; lane < 32; ++lane) {
        const Record& record = records[row * 32 + lane];
        int sum = record.a - record.b * 2 + record.c * 3 - record.d, last = -1;
        for (int k = int(lane); k < n; k += 32) {
          int v = in[row * unsigned(n) + unsigned(k)];
          sum = v & 1 ? sum + v : sum - v / (int(lane) + 1);
          for (int j = 0; j < (v & 3); ++j)
            sum ^= j << k;
          last = v;
        }
        sum = sum * 7 + last;
        const Record& written = kept[row * 32 + lane];
        EXPECT_TRUE(written.a == sum && written.b == last && written.c == int(lane) &&
                    written.d == (sum ^ last))
            << "n " << n << " row " << row << " lane " << lane;
        expected += sum; // the xor reduction gives every lane the warp's sum
      }
      EXPECT_EQ(out[row], expected) << "n " << n << " row " << row;
    }
  }
}

TEST_F(WarpChainTest, VectorLoadsAndStoresBeforeAReduction) {
  struct Int4 {
    int x, y, z, w;
  };
  struct Int2 {
    int x, y;
  };
  // nvcc unrolls the loop by four after a remainder loop: all lanes in both, in one, or not.
  for (int n : {0, 3, 32, 45, 100, 160, 256, 300}) {
    const unsigned blocks = 2, warps = 4, rows = blocks * warps;
    auto* in = buffer<Int4>(rows * unsigned(n) + 1);
    auto* pairs = buffer<Int2>(rows * 32, Int2{-1, -1});
    int* out = buffer<int>(rows, -1);
    for (unsigned i = 0; i < rows * unsigned(n); ++i)
      in[i] = {int(i * 7 % 101) - 50, int(i % 13), int(i * 5 % 31) - 15,
               int(i * 2654435761u >> 20)};
    Status status = run("chain_vector_rows", {blocks}, {warps * 32}, 0, in, pairs, out, n);
    ASSERT_TRUE(status.ok()) << status.message;
    for (unsigned row = 0; row < rows; ++row) {
      int expected = 0;
      for (unsigned lane = 0; lane < 32; ++lane) {
        int sum = 0, mix = 0;
        for (unsigned k = lane; k < unsigned(n); k += 32) {
          const Int4& v = in[row * unsigned(n) + k];
          sum += v.x - 2 * v.y + 3 * v.z - 4 * v.w;
          mix ^= v.w;
        }
        EXPECT_TRUE(pairs[row * 32 + lane].x == sum && pairs[row * 32 + lane].y == mix)
            << "n " << n << " row " << row << " lane " << lane;
        expected += sum;
      }
      EXPECT_EQ(out[row], expected) << "n " << n << " row " << row;
    }
  }
}

TEST_F(WarpChainTest, RowsFromAPointerWithLanesLeavingTheUnrolledLoopApart) {
  struct Int4 {
    int x, y, z, w;
  };
  for (int n : {45, 100, 236, 256, 300, 417}) {
    const unsigned blocks = 2, warps = 4, rows = blocks * warps;
    auto* in = buffer<Int4>(rows * unsigned(n));
    int* out = buffer<int>(rows, -1);
    for (unsigned i = 0; i < rows * unsigned(n); ++i)
      in[i] = {int(i * 7 % 101) - 50, int(i % 13), int(i * 5 % 31) - 15, int(i % 9)};
    Status status = run("chain_row_pointer", {blocks}, {warps * 32}, 0, in, out, n);
    ASSERT_TRUE(status.ok()) << status.message;
    for (unsigned row = 0; row < rows; ++row) {
      int expected = 0;
      for (unsigned k = 0; k < unsigned(n); ++k) {
        const Int4& v = in[row * unsigned(n) + k];
        expected += v.x - 2 * v.y + 3 * v.z - 4 * v.w;
      }
      EXPECT_EQ(out[row], expected) << "n " << n << " row " << row;
    }
  }
}

TEST_F(WarpChainTest, OneFieldOfEachLanesRecord) {
  struct Int4 {
    int x, y, z, w;
  };
  const unsigned threads = 128;
  auto* in = buffer<Int4>(threads);
  int* out = buffer<int>(threads, 0);
  for (unsigned i = 0; i < threads; ++i)
    in[i] = {int(i), int(i * 3 + 1000), int(i * 5 + 2000), int(i * 7 + 3000)};
  Status status = run("chain_record_field", {1}, {threads}, 0, in, out);
  ASSERT_TRUE(status.ok()) << status.message;
  for (unsigned i = 0; i < threads; ++i)
    EXPECT_EQ(out[i], in[i].y + in[i ^ 1].y) << "thread " << i;
}

TEST_F(WarpChainTest, IndicesThatWrapInsideAWarp) {
  // From 2^32 - 16 the index wraps at lane 16: lanes 16-31 read in[0..15], where an index one
  // element per lane from lane 0's would put them 16 GiB past it.
  const unsigned threads = 64, n = 32;
  int* in = buffer<int>(n);
  for (unsigned i = 0; i < n; ++i)
    in[i] = int(i * 11 + 5);
  for (unsigned start : {0u, 7u, 0xfffffff0u, 0xffffffe1u}) {
    int* out = buffer<int>(threads, 0);
    Status status = run("chain_wrapping_index", {1}, {threads}, 0, in, out, start, n);
    ASSERT_TRUE(status.ok()) << status.message;
    auto read = [&](unsigned lane) {
      unsigned index = start + lane;
      return index < n ? in[index] : -1;
    };
    for (unsigned t = 0; t < threads; ++t)
      EXPECT_EQ(out[t], read(t % 32) + read((t % 32) ^ 1)) << "start " << start << " thread " << t;
  }
}

TEST_F(WarpChainTest, ShuffleNamingLanesThatLeftMidChainFailsTheLaunch) {
  int* data = buffer<int>(64, 1);
  Status status = run("chain_half_warp_leaves", {1}, {64}, 0, data);
  EXPECT_EQ(status.code, StatusCode::LaunchFailure);
  EXPECT_NE(status.message.find("chain_half_warp_leaves"), std::string::npos) << status.message;
  EXPECT_NE(status.message.find("has exited"), std::string::npos) << status.message;
}

} // namespace
} // namespace drawbridge::backend::cpu::test

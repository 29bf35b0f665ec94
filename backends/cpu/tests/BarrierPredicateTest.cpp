// __syncthreads_count/_and/_or, and the error a block's threads at different barriers make.
#include "KernelFixture.h"

namespace drawbridge::backend::cpu::test {
namespace {

class BarrierPredicateTest : public KernelFixture {
protected:
  void SetUp() override { load("barrier_predicates"); }
};

TEST_F(BarrierPredicateTest, CountAndOrPredicates) {
  const unsigned n = 200;
  for (int pattern = 0; pattern < 3; ++pattern) {
    int* flags = buffer<int>(n);
    int* out = buffer<int>(3 * n, -1);
    int count = 0;
    for (unsigned t = 0; t < n; ++t)
      count += flags[t] = pattern == 0 ? 0 : pattern == 1 ? 1 : int(t % 3 == 0) * int(t + 1);
    ASSERT_TRUE(run("barrier_predicates", {1}, {n}, 0, flags, out).ok());
    for (unsigned t = 0; t < n; ++t) {
      EXPECT_EQ(out[3 * t], pattern == 2 ? 67 : count) << pattern;
      EXPECT_EQ(out[3 * t + 1], pattern == 1) << pattern;
      EXPECT_EQ(out[3 * t + 2], pattern != 0) << pattern;
    }
  }
}

TEST_F(BarrierPredicateTest, DivergentBarrierFailsTheLaunchNamingTheKernel) {
  int* out = buffer<int>(1);
  Status status = run("divergent_barrier", {1}, {64}, 0, out);
  EXPECT_EQ(status.code, StatusCode::LaunchFailure);
  EXPECT_NE(status.message.find("divergent_barrier"), std::string::npos) << status.message;
  EXPECT_NE(status.message.find("different barriers"), std::string::npos) << status.message;
  // Sticky, as on CUDA.
  EXPECT_EQ(run("divergent_barrier", {1}, {64}, 0, out).code, StatusCode::LaunchFailure);
}

} // namespace
} // namespace drawbridge::backend::cpu::test

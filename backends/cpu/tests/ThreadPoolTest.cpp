// The thread pool under the race that once crashed it: many tiny jobs, whose chunks the
// submitting thread claims while the workers it woke are still looking for work.
#include "ThreadPool.h"

#include <atomic>
#include <gtest/gtest.h>

namespace drawbridge::backend::cpu {
namespace {

TEST(ThreadPool, TinyJobsFinishedByTheSubmitterLeaveWorkersNothing) {
  ThreadPool pool(8);
  std::atomic<uint64_t> total{0};
  uint64_t expected = 0;
  for (int round = 0; round < 20000; ++round) {
    uint64_t count = 2 + round % 7;
    pool.parallelFor(count, [&](uint64_t begin, uint64_t end) { total += end - begin; });
    expected += count;
  }
  EXPECT_EQ(total.load(), expected) << "every index runs exactly once";
}

} // namespace
} // namespace drawbridge::backend::cpu

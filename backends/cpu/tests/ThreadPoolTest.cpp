// The thread pool under the race that once crashed it: many tiny jobs, whose chunks the
// submitting thread claims while the workers it woke are still looking for work.
#include "ThreadPool.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <gtest/gtest.h>
#include <string>
#include <thread>

namespace drawbridge::backend::cpu {
namespace {

/// Runs `rounds` jobs on `pool`, job r over count(r) indices, then between(r); expects every
/// index to run exactly once.
template <typename Count, typename Between>
void expectEveryIndexOnce(ThreadPool& pool, int rounds, Count&& count, Between&& between) {
  std::atomic<uint64_t> total{0};
  uint64_t expected = 0;
  for (int round = 0; round < rounds; ++round) {
    pool.parallelFor(count(round), [&](uint64_t begin, uint64_t end) { total += end - begin; });
    expected += count(round);
    between(round);
  }
  EXPECT_EQ(total.load(), expected) << "every index runs exactly once";
}

TEST(ThreadPool, TinyJobsFinishedByTheSubmitterLeaveWorkersNothing) {
  ThreadPool pool(8);
  expectEveryIndexOnce(
      pool, 20000, [](int round) { return uint64_t(2 + round % 7); }, [](int) {});
}

TEST(ThreadPool, WorkersThatSleepAtOnceOrSpinFirstRunEveryJob) {
  // DRAWBRIDGE_CPU_SPIN_US=0: a worker sleeps as soon as it finds nothing, so every job wakes
  // it; then a long spin, where the submitter posts while workers watch. Jobs are spaced so
  // that workers run out of work between them.
  for (const char* spin : {"0", "2000"}) {
    setenv("DRAWBRIDGE_CPU_SPIN_US", spin, 1);
    SCOPED_TRACE(std::string("spin ") + spin);
    ThreadPool pool(4);
    expectEveryIndexOnce(
        pool, 300, [](int round) { return uint64_t(64 + round % 5); },
        [](int round) {
          if (round % 50 == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(3));
        });
  }
  unsetenv("DRAWBRIDGE_CPU_SPIN_US");
}

TEST(ThreadPool, SpinTimeComesFromTheEnvironment) {
  setenv("DRAWBRIDGE_CPU_SPIN_US", "250", 1);
  EXPECT_EQ(ThreadPool::defaultSpin().count(), 250);
  setenv("DRAWBRIDGE_CPU_SPIN_US", "0", 1);
  EXPECT_EQ(ThreadPool::defaultSpin().count(), 0);
  for (const char* bad : {"-1", "many", "2000000", ""}) {
    setenv("DRAWBRIDGE_CPU_SPIN_US", bad, 1);
    EXPECT_EQ(ThreadPool::defaultSpin().count(), 100) << "'" << bad << "' keeps the default";
  }
  unsetenv("DRAWBRIDGE_CPU_SPIN_US");
  EXPECT_EQ(ThreadPool::defaultSpin().count(), 100);
}

} // namespace
} // namespace drawbridge::backend::cpu

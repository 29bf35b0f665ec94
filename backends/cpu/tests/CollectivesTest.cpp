// The runtime's collective resolution, on thread states set up by hand.
#include "Collectives.h"

#include <gtest/gtest.h>

namespace drawbridge::backend::cpu {
namespace {

TEST(ShuffleTest, PtxClampAndSegmentRules) {
  uint32_t values[32];
  for (uint32_t i = 0; i < 32; ++i)
    values[i] = 100 + i;
  const uint32_t all = ~0u;
  // c = ((32 - width) << 8) | 31 for idx/down/bfly, (32 - width) << 8 for up (clang's encoding).
  auto clamp = [](uint32_t width) { return ((32 - width) << 8) | 31; };
  EXPECT_EQ(shuffle(SiteKind::ShflIdx, 5, 2, clamp(32), values, all), 102u);
  EXPECT_EQ(shuffle(SiteKind::ShflIdx, 21, 2, clamp(16), values, all), 118u);  // segment 16..31
  EXPECT_EQ(shuffle(SiteKind::ShflDown, 30, 4, clamp(32), values, all), 130u); // past the end
  EXPECT_EQ(shuffle(SiteKind::ShflDown, 6, 1, clamp(8), values, all), 107u);
  EXPECT_EQ(shuffle(SiteKind::ShflDown, 7, 1, clamp(8), values, all), 107u); // segment end
  EXPECT_EQ(shuffle(SiteKind::ShflUp, 8, 1, (32 - 8) << 8, values, all), 108u);
  EXPECT_EQ(shuffle(SiteKind::ShflUp, 9, 1, (32 - 8) << 8, values, all), 108u);
  EXPECT_EQ(shuffle(SiteKind::ShflBfly, 3, 1, clamp(32), values, all), 102u);
  EXPECT_EQ(shuffle(SiteKind::ShflBfly, 3, 4, clamp(4), values, all), 103u); // later segment
  EXPECT_EQ(shuffle(SiteKind::ShflBfly, 7, 4, clamp(4), values, all), 103u); // earlier one
  // A source lane that does not take part yields the lane's own value.
  EXPECT_EQ(shuffle(SiteKind::ShflIdx, 5, 9, clamp(32), values, all & ~(1u << 9)), 105u);
}

std::vector<ThreadState> waiting(size_t count, int32_t site) {
  std::vector<ThreadState> threads(count);
  for (ThreadState& thread : threads) {
    thread.status = site;
    thread.mask = ~0u;
  }
  return threads;
}

TEST(ResolveSitesTest, BarrierCountsPredicatesOfWaitingThreadsOnly) {
  const uint32_t kinds[] = {0, uint32_t(SiteKind::BarrierPopc)};
  auto threads = waiting(64, 1);
  for (size_t t = 0; t < 64; ++t)
    threads[t].value = t % 4 == 0;
  threads[4].status = kStepExited; // exited: neither waited for nor counted
  std::string message;
  ASSERT_EQ(resolveSites(threads, kinds, message), Resolution::Resumed);
  EXPECT_EQ(threads[0].result, 15u);
  EXPECT_EQ(threads[0].resume, 1);
  EXPECT_EQ(threads[0].runnable, 1);
  EXPECT_EQ(threads[4].runnable, 0);
}

// match.all: the member mask and true when every member holds the same value, else 0 and false.
TEST(ResolveSitesTest, MatchAll) {
  const uint32_t kinds[] = {0, uint32_t(SiteKind::MatchAll32)};
  auto threads = waiting(32, 1);
  for (ThreadState& thread : threads)
    thread.value = 5;
  std::string message;
  ASSERT_EQ(resolveSites(threads, kinds, message), Resolution::Resumed) << message;
  EXPECT_EQ(threads[9].result, ~0u);
  EXPECT_EQ(threads[9].resultPredicate, 1u);
  threads = waiting(32, 1);
  for (ThreadState& thread : threads)
    thread.value = 5;
  threads[30].value = 6;
  ASSERT_EQ(resolveSites(threads, kinds, message), Resolution::Resumed) << message;
  EXPECT_EQ(threads[9].result, 0u);
  EXPECT_EQ(threads[9].resultPredicate, 0u);
}

// Threads that slept (nanosleep, an mbarrier wait) run on while the others wait at a barrier:
// they may be what the others wait for.
TEST(ResolveSitesTest, SleepersRunOnWhileOthersWaitAtABarrier) {
  const uint32_t kinds[] = {0, uint32_t(SiteKind::Barrier), uint32_t(SiteKind::Yield)};
  auto threads = waiting(64, 1);
  threads[3].status = 2;
  threads[50].status = 2;
  std::string message;
  ASSERT_EQ(resolveSites(threads, kinds, message), Resolution::Yielded) << message;
  EXPECT_EQ(threads[3].runnable, 1);
  EXPECT_EQ(threads[3].resume, 2);
  EXPECT_EQ(threads[50].runnable, 1);
  EXPECT_EQ(threads[0].runnable, 0);
  // Once they reach the barrier too, it is resolved.
  threads[3].status = threads[50].status = 1;
  threads[3].runnable = threads[50].runnable = 0;
  EXPECT_EQ(resolveSites(threads, kinds, message), Resolution::Resumed);
  EXPECT_EQ(threads[0].runnable, 1);
}

// A shuffle whose mask names a lane that slept waits for it instead of failing.
TEST(ResolveSitesTest, CollectiveWaitsForASleepingLane) {
  const uint32_t kinds[] = {0, uint32_t(SiteKind::ShflIdx), uint32_t(SiteKind::Yield)};
  auto threads = waiting(32, 1);
  threads[7].status = 2;
  std::string message;
  ASSERT_EQ(resolveSites(threads, kinds, message), Resolution::Yielded) << message;
  EXPECT_EQ(threads[7].runnable, 1);
  EXPECT_EQ(threads[0].runnable, 0);
}

TEST(ResolveSitesTest, DifferentBarriersAreAnError) {
  const uint32_t kinds[] = {0, uint32_t(SiteKind::Barrier), uint32_t(SiteKind::Barrier)};
  auto threads = waiting(64, 1);
  threads[40].status = 2;
  std::string message;
  EXPECT_EQ(resolveSites(threads, kinds, message), Resolution::Error);
  EXPECT_NE(message.find("thread 40"), std::string::npos) << message;
}

TEST(ResolveSitesTest, WarpCollectivesResolveBeforeBarriers) {
  const uint32_t kinds[] = {0, uint32_t(SiteKind::Barrier), uint32_t(SiteKind::VoteBallot)};
  auto threads = waiting(64, 1);
  for (size_t t = 32; t < 64; ++t) {
    threads[t].status = 2;
    threads[t].value = t % 2;
  }
  std::string message;
  ASSERT_EQ(resolveSites(threads, kinds, message), Resolution::Resumed);
  EXPECT_EQ(threads[33].result, 0xaaaaaaaau);
  EXPECT_EQ(threads[33].runnable, 1);
  EXPECT_EQ(threads[0].runnable, 0); // still waiting at the barrier
}

TEST(ResolveSitesTest, MaskWithoutOwnLaneIsAnError) {
  const uint32_t kinds[] = {0, uint32_t(SiteKind::ShflIdx)};
  auto threads = waiting(32, 1);
  threads[3].mask = ~0u & ~(1u << 3);
  std::string message;
  EXPECT_EQ(resolveSites(threads, kinds, message), Resolution::Error);
  EXPECT_NE(message.find("own lane"), std::string::npos) << message;
}

TEST(ResolveSitesTest, AllExitedIsDone) {
  auto threads = waiting(8, kStepExited);
  const uint32_t kinds[] = {0};
  std::string message;
  EXPECT_EQ(resolveSites(threads, kinds, message), Resolution::Done);
}

} // namespace
} // namespace drawbridge::backend::cpu

// The CPU device's shared memory (SharedArena.h): placement, reuse without system calls, the
// ledger that tells live allocations from freed ones, and a second mapping of the same pages
// (what another process gets), under concurrent allocation (built with ThreadSanitizer too).
#include "SharedArena.h"

#include "StreamQueue.h"

#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <set>
#include <thread>
#include <unistd.h>
#include <vector>

namespace drawbridge::backend::cpu {
namespace {

void* allocate(SharedArena& arena, size_t bytes) {
  auto allocated = arena.allocate(bytes);
  EXPECT_TRUE(allocated) << (allocated ? "" : allocated.status().message);
  return allocated ? *allocated : nullptr;
}

// What another process reads: the generation in the file's ledger, through the file itself.
uint64_t ledgerGeneration(const SharedArena::Region& region) {
  std::string path = "/proc/self/fd/" + std::to_string(region.fd);
  int fd = open(path.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0);
  uint64_t generation = ~uint64_t(0);
  EXPECT_EQ(pread(fd, &generation, sizeof generation, off_t(region.ledgerOffset)),
            ssize_t(sizeof generation));
  close(fd);
  return generation;
}

TEST(SharedArena, AllocationsAreAlignedDisjointAndWritable) {
  SharedArena arena;
  std::vector<std::pair<std::byte*, size_t>> live;
  for (size_t bytes : {1, 255, 256, 257, 4096, 100000, 1 << 20, 5 << 20}) {
    auto* p = static_cast<std::byte*>(allocate(arena, bytes));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % SharedArena::kGranule, 0u) << bytes;
    std::memset(p, int(bytes & 0xff), bytes);
    live.emplace_back(p, bytes);
  }
  for (auto [p, bytes] : live) {
    for (auto [q, other] : live)
      if (p != q)
        EXPECT_TRUE(p + bytes <= q || q + other <= p) << "allocations overlap";
    EXPECT_EQ(p[bytes - 1], std::byte(bytes & 0xff)) << "overwritten by a neighbour";
  }
  for (auto [p, bytes] : live)
    EXPECT_TRUE(arena.free(p));
}

TEST(SharedArena, FreedSmallMemoryIsReusedAndFreeTwiceIsRefused) {
  SharedArena arena;
  void* first = allocate(arena, 1000);
  EXPECT_TRUE(arena.free(first));
  EXPECT_FALSE(arena.free(first));
  // The same size class comes from the free list: the same place, no new file.
  void* second = allocate(arena, 700);
  EXPECT_EQ(second, first);
  int stray = 0;
  EXPECT_FALSE(arena.free(&stray));
  EXPECT_TRUE(arena.free(second));
}

TEST(SharedArena, AFreedLargeFileServesARequestOfItsSizeAgain) {
  SharedArena arena;
  const size_t bytes = SharedArena::kLargest * 2;
  void* first = allocate(arena, bytes);
  auto before = arena.find(first);
  ASSERT_TRUE(before);
  EXPECT_TRUE(arena.free(first));
  EXPECT_EQ(ledgerGeneration(*before), 0u);
  void* larger = allocate(arena, bytes * 2 + 1); // too large for the cached file: a new one
  EXPECT_NE(larger, first);
  void* again = allocate(arena, bytes - 100);
  EXPECT_EQ(again, first);
  auto reused = arena.find(again);
  ASSERT_TRUE(reused);
  EXPECT_EQ(reused->file, before->file);
  EXPECT_NE(reused->generation, before->generation); // a stale handle stays stale
  EXPECT_EQ(ledgerGeneration(*reused), reused->generation);
  EXPECT_TRUE(arena.free(again));
  EXPECT_TRUE(arena.free(larger));
}

TEST(SharedArena, FindNamesTheAllocationAndItsLedgerEntry) {
  SharedArena arena;
  auto* small = static_cast<std::byte*>(allocate(arena, 3000));
  auto* large = static_cast<std::byte*>(allocate(arena, SharedArena::kLargest + 1));
  auto inSmall = arena.find(small + 2999);
  ASSERT_TRUE(inSmall);
  EXPECT_EQ(inSmall->base, small);
  EXPECT_EQ(inSmall->size, 3000u);
  EXPECT_FALSE(arena.find(small + 3000)); // past the requested size
  auto inLarge = arena.find(large + 12345);
  ASSERT_TRUE(inLarge);
  EXPECT_EQ(inLarge->base, large);
  EXPECT_EQ(inLarge->offset, 0u); // a file of its own
  EXPECT_NE(inLarge->fd, inSmall->fd);
  EXPECT_NE(inLarge->generation, inSmall->generation);
  EXPECT_EQ(ledgerGeneration(*inSmall), inSmall->generation);
  EXPECT_EQ(ledgerGeneration(*inLarge), inLarge->generation);

  // Freed, the ledger says so; reused, it holds a new generation.
  SharedArena::Region before = *inSmall;
  EXPECT_TRUE(arena.free(small));
  EXPECT_FALSE(arena.find(small));
  EXPECT_EQ(ledgerGeneration(before), 0u);
  void* again = allocate(arena, 3000);
  ASSERT_EQ(again, small);
  auto reused = arena.find(again);
  ASSERT_TRUE(reused);
  EXPECT_NE(reused->generation, before.generation);
  EXPECT_EQ(ledgerGeneration(*reused), reused->generation);
  EXPECT_TRUE(arena.free(again));
  EXPECT_TRUE(arena.free(large));
}

TEST(SharedArena, ASecondMappingSharesThePages) {
  SharedArena arena;
  auto* p = static_cast<int*>(allocate(arena, 5000 * sizeof(int)));
  auto region = arena.find(p);
  ASSERT_TRUE(region);
  auto peer =
      SharedFile::openPeer(getpid(), region->fd, region->file, region->offset, region->size);
  ASSERT_TRUE(peer) << peer.status().message;
  auto* q = reinterpret_cast<int*>(peer->at(region->offset));
  EXPECT_NE(static_cast<void*>(q), static_cast<void*>(p));
  for (int i = 0; i < 5000; ++i)
    p[i] = i * 3;
  for (int i = 0; i < 5000; ++i)
    ASSERT_EQ(q[i], i * 3);
  q[4999] = -1;
  EXPECT_EQ(p[4999], -1);
  EXPECT_TRUE(arena.free(p));
}

TEST(SharedArena, APeerFileThatChangedIsRefused) {
  SharedArena arena;
  void* p = allocate(arena, 256);
  auto region = arena.find(p);
  ASSERT_TRUE(region);
  FileIdentity other = region->file;
  ++other.inode;
  auto refused = SharedFile::openPeer(getpid(), region->fd, other, region->offset, 256);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code, StatusCode::MapFailed);
  auto beyond = SharedFile::openPeer(getpid(), region->fd, region->file,
                                     region->ledgerOffset + (size_t(1) << 30), 256);
  ASSERT_FALSE(beyond); // past the end of the file
  EXPECT_EQ(beyond.status().code, StatusCode::MapFailed);
  EXPECT_TRUE(arena.free(p));
}

TEST(SharedArena, ThreadsAllocateAndFreeConcurrently) {
  SharedArena arena;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::vector<std::pair<int*, size_t>> mine;
      for (int i = 0; i < 2000; ++i) {
        size_t count = size_t(1 + (i * 37 + t * 11) % 3000);
        auto allocated = arena.allocate(count * sizeof(int));
        if (!allocated) {
          ++failures;
          return;
        }
        auto* p = static_cast<int*>(*allocated);
        for (size_t k = 0; k < count; ++k)
          p[k] = t;
        mine.emplace_back(p, count);
        if (i % 3 == 2) { // free an older one, so that the free lists are shared and reused
          auto [q, n] = mine[mine.size() / 2];
          for (size_t k = 0; k < n; ++k)
            if (q[k] != t)
              ++failures;
          if (!arena.free(q))
            ++failures;
          mine.erase(mine.begin() + std::ptrdiff_t(mine.size() / 2));
        }
      }
      for (auto [q, n] : mine)
        if (!arena.free(q))
          ++failures;
    });
  for (std::thread& thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
}

// An interprocess event's counters live in shared memory: a second mapping (another process's
// view) records and completes, and the first sees it.
TEST(SharedEvent, TwoMappingsOfTheCountersAreOneEvent) {
  auto file = SharedFile::create("test-event", sizeof(EventCounters));
  ASSERT_TRUE(file);
  auto owner = std::make_shared<SharedFile>(std::move(*file));
  auto peerFile =
      SharedFile::openPeer(getpid(), owner->fd(), owner->identity(), 0, sizeof(EventCounters));
  ASSERT_TRUE(peerFile);
  auto peer = std::make_shared<SharedFile>(std::move(*peerFile));
  CpuEvent local(new (owner->at(0)) EventCounters, owner);
  CpuEvent remote(reinterpret_cast<EventCounters*>(peer->at(0)), peer);
  uint64_t generation = remote.record();
  EXPECT_EQ(local.latest(), generation);
  EXPECT_FALSE(local.isDone());
  std::thread completer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    remote.complete(generation);
  });
  local.wait(); // polls: the completion comes through the other mapping
  EXPECT_TRUE(local.isDone());
  completer.join();
}

} // namespace
} // namespace drawbridge::backend::cpu

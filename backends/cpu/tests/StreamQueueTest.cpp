// The stream queues and events the runtime orders work with, driven from several host threads
// (built with ThreadSanitizer too: the data the work writes is plain memory, so a missing
// happens-before edge between the work and whoever waited for it is reported as a race).
#include "StreamQueue.h"

#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <thread>
#include <vector>

namespace drawbridge::backend::cpu {
namespace {

TEST(StreamQueue, WorkRunsInTicketOrderAndWaitingSeesItsWrites) {
  StreamQueue stream;
  std::vector<int> order; // written by whichever thread runs the work, one piece at a time
  std::vector<uint64_t> tickets;
  for (int i = 0; i < 1000; ++i)
    tickets.push_back(stream.enqueue([&order, i] { order.push_back(i); }));
  stream.waitFor(tickets[499]);
  EXPECT_TRUE(stream.isDone(tickets[499]));
  stream.synchronize();
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i)
    EXPECT_EQ(order[size_t(i)], i);
}

TEST(StreamQueue, SeveralHostThreadsEnqueueOnOneStream) {
  StreamQueue stream;
  long total = 0; // unsynchronized: the work runs one piece at a time
  std::vector<std::thread> hosts;
  for (int h = 0; h < 4; ++h)
    hosts.emplace_back([&] {
      for (int i = 0; i < 500; ++i)
        stream.waitFor(stream.enqueue([&total, i] { total += i; }));
    });
  for (std::thread& host : hosts)
    host.join();
  stream.synchronize();
  EXPECT_EQ(total, 4L * 499 * 500 / 2);
}

// Synchronizing hosts run queued work themselves when the stream's thread has not taken it:
// still one piece at a time, in ticket order.
TEST(StreamQueue, SynchronizingHostsRunWorkInOrder) {
  StreamQueue stream;
  std::vector<int> order; // unsynchronized: the work runs one piece at a time
  std::atomic<bool> enqueued{false};
  std::vector<std::thread> hosts;
  for (int h = 0; h < 3; ++h)
    hosts.emplace_back([&] {
      while (!enqueued.load())
        stream.synchronize();
    });
  for (int i = 0; i < 3000; ++i)
    stream.enqueue([&order, i] { order.push_back(i); });
  enqueued.store(true);
  for (std::thread& host : hosts)
    host.join();
  stream.synchronize();
  ASSERT_EQ(order.size(), 3000u);
  for (int i = 0; i < 3000; ++i)
    EXPECT_EQ(order[size_t(i)], i);
}

TEST(StreamQueue, EventOrdersWorkAcrossStreams) {
  StreamQueue producer, consumer;
  for (int round = 0; round < 200; ++round) {
    CpuEvent event;
    std::vector<int> data; // written on one stream, read on the other
    uint64_t generation = event.record();
    producer.enqueue([&] {
      std::this_thread::yield();
      data.assign(64, round);
    });
    producer.enqueue([&event, generation] { event.complete(generation); });
    int sum = 0;
    consumer.enqueue([&] {
      event.waitFor(generation);
      for (int value : data)
        sum += value;
    });
    consumer.synchronize();
    producer.synchronize(); // the event outlives its completion's notification
    EXPECT_EQ(sum, 64 * round);
    EXPECT_TRUE(event.isDone());
    EXPECT_TRUE(event.completedAt().has_value());
  }
}

TEST(StreamQueue, StreamsRunConcurrently) {
  // Each stream's work waits for the other's to start: it finishes only if both run at once.
  StreamQueue a, b;
  std::atomic<int> started{0};
  auto meet = [&] {
    ++started;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (started.load() < 2 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
  };
  a.enqueue(meet);
  b.enqueue(meet);
  a.synchronize();
  b.synchronize();
  EXPECT_EQ(started.load(), 2);
}

TEST(StreamQueue, DestructionRunsWhatIsQueued) {
  int ran = 0;
  {
    StreamQueue stream;
    for (int i = 0; i < 100; ++i)
      stream.enqueue([&ran] { ++ran; });
  }
  EXPECT_EQ(ran, 100);
}

TEST(CpuEvent, UnrecordedEventIsDoneWithoutATime) {
  CpuEvent event;
  EXPECT_TRUE(event.isDone());
  EXPECT_FALSE(event.completedAt().has_value());
  uint64_t generation = event.record();
  EXPECT_FALSE(event.isDone());
  std::thread completer([&] { event.complete(generation); });
  event.wait();
  completer.join();
  EXPECT_TRUE(event.isDone());
}

} // namespace
} // namespace drawbridge::backend::cpu

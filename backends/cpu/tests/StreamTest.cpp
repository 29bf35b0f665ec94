#include "KernelFixture.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace drawbridge::backend::cpu::test {
namespace {

using namespace std::chrono_literals;

class StreamTest : public KernelFixture {
protected:
  void SetUp() override { load("basic"); }

  Stream* stream(StreamKind kind = StreamKind::Blocking) {
    auto created = device->createStream(kind);
    EXPECT_TRUE(created);
    return *created;
  }
};

/// A host callback that blocks its stream until released (or a timeout, so a bug cannot hang
/// the test run); remembers whether it was released in time.
struct Gate {
  std::atomic<bool> open{false};
  std::atomic<bool> released{false};
  static void wait(void* user, StatusCode) {
    auto* gate = static_cast<Gate*>(user);
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!gate->open && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    gate->released = gate->open.load();
  }
  static void release(void* user, StatusCode) { static_cast<Gate*>(user)->open = true; }
};

struct Log {
  std::mutex mutex;
  std::string order;
  struct Entry {
    Log* log;
    char name;
  };
  static void append(void* user, StatusCode) {
    auto* entry = static_cast<Entry*>(user);
    std::lock_guard lock(entry->log->mutex);
    entry->log->order.push_back(entry->name);
  }
};

TEST_F(StreamTest, WorkOnOneStreamRunsInOrder) {
  Stream* s = stream();
  const int n = 4096;
  float* a = buffer<float>(n, 1.0f);
  float* b = buffer<float>(n, 2.0f);
  float* c = buffer<float>(n, 0.0f);
  std::vector<float> host(n, 0.0f);
  void* args[] = {&a, &b, &c, const_cast<int*>(&n)};
  ASSERT_TRUE(device->fill(a, 0, n * sizeof(float), s, true).ok()); // a = 0
  ASSERT_TRUE(device->launch(kernel("vector_add"), {{n / 128}, {128}, 0}, args, s).ok());
  ASSERT_TRUE(device->copy(host.data(), c, n * sizeof(float), s, true).ok());
  ASSERT_TRUE(device->synchronizeStream(s).ok());
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(host[i], 2.0f) << i;
  EXPECT_TRUE(device->destroyStream(s).ok());
}

TEST_F(StreamTest, StreamsRunConcurrently) {
  Stream* first = stream();
  Stream* second = stream();
  Gate gate;
  ASSERT_TRUE(device->addHostCallback(first, &Gate::wait, &gate).ok());
  EXPECT_EQ(device->queryStream(first).code, StatusCode::NotReady);
  // Only a second stream running while the first is blocked can open the gate.
  ASSERT_TRUE(device->addHostCallback(second, &Gate::release, &gate).ok());
  ASSERT_TRUE(device->synchronize().ok());
  EXPECT_TRUE(gate.released);
  EXPECT_TRUE(device->queryStream(first).ok());
}

TEST_F(StreamTest, StreamWaitsForEventRecordedOnAnother) {
  Stream* first = stream();
  Stream* second = stream();
  Event* event = *device->createEvent();
  Gate gate;
  Log log;
  Log::Entry a{&log, 'a'}, b{&log, 'b'};
  ASSERT_TRUE(device->addHostCallback(first, &Gate::wait, &gate).ok());
  ASSERT_TRUE(device->addHostCallback(first, &Log::append, &a).ok());
  ASSERT_TRUE(device->recordEvent(event, first).ok());
  ASSERT_TRUE(device->waitEvent(second, event).ok());
  ASSERT_TRUE(device->addHostCallback(second, &Log::append, &b).ok());
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(device->queryEvent(event).code, StatusCode::NotReady);
  gate.open = true;
  ASSERT_TRUE(device->synchronize().ok());
  EXPECT_EQ(log.order, "ab");
  EXPECT_TRUE(device->queryEvent(event).ok());
  EXPECT_TRUE(device->destroyEvent(event).ok());
}

TEST_F(StreamTest, LegacyDefaultStreamWaitsForOtherStreamsAndTheyForIt) {
  Stream* other = stream();
  Gate gate;
  Log log;
  Log::Entry a{&log, 'a'}, b{&log, 'b'}, c{&log, 'c'};
  ASSERT_TRUE(device->addHostCallback(other, &Gate::wait, &gate).ok());
  ASSERT_TRUE(device->addHostCallback(other, &Log::append, &a).ok());
  ASSERT_TRUE(device->addHostCallback(nullptr, &Log::append, &b).ok()); // after a
  ASSERT_TRUE(device->addHostCallback(other, &Log::append, &c).ok());   // after b
  std::this_thread::sleep_for(20ms);
  gate.open = true;
  ASSERT_TRUE(device->synchronize().ok());
  EXPECT_EQ(log.order, "abc");
}

TEST_F(StreamTest, NonBlockingStreamDoesNotWaitForTheLegacyStream) {
  Stream* other = stream(StreamKind::NonBlocking);
  Gate gate;
  ASSERT_TRUE(device->addHostCallback(nullptr, &Gate::wait, &gate).ok());
  // Only a stream that does not wait for the blocked legacy stream can open the gate.
  ASSERT_TRUE(device->addHostCallback(other, &Gate::release, &gate).ok());
  ASSERT_TRUE(device->synchronize().ok());
  EXPECT_TRUE(gate.released);
}

TEST_F(StreamTest, EventsMeasureElapsedTime) {
  Stream* s = stream();
  Event* start = *device->createEvent();
  Event* end = *device->createEvent();
  EXPECT_EQ(device->elapsedMilliseconds(start, end).status().code, StatusCode::NotReady);
  ASSERT_TRUE(device->recordEvent(start, s).ok());
  ASSERT_TRUE(device
                  ->addHostCallback(
                      s, [](void*, StatusCode) { std::this_thread::sleep_for(30ms); }, nullptr)
                  .ok());
  ASSERT_TRUE(device->recordEvent(end, s).ok());
  ASSERT_TRUE(device->synchronizeEvent(end).ok());
  auto elapsed = device->elapsedMilliseconds(start, end);
  ASSERT_TRUE(elapsed);
  EXPECT_GE(*elapsed, 25.0f);
  EXPECT_LT(*elapsed, 2000.0f);
}

TEST_F(StreamTest, BadHandlesAndPointersAreRejected) {
  int local = 0;
  EXPECT_EQ(device->free(&local).code, StatusCode::InvalidValue);
  EXPECT_EQ(device->synchronizeStream(reinterpret_cast<Stream*>(&local)).code,
            StatusCode::InvalidHandle);
  EXPECT_EQ(device->queryEvent(reinterpret_cast<Event*>(&local)).code, StatusCode::InvalidHandle);
  EXPECT_EQ(device->copy(nullptr, &local, 4, nullptr, false).code, StatusCode::InvalidValue);
  GemmArgs negative;
  negative.m = -1;
  EXPECT_EQ(device->gemm(negative, nullptr).code, StatusCode::InvalidValue);
}

} // namespace
} // namespace drawbridge::backend::cpu::test

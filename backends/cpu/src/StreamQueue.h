// One stream: a thread that runs the stream's work in order. Each piece of work gets a ticket;
// waiting for a ticket waits for everything enqueued up to it. A host thread that synchronizes
// runs the queued work itself while the stream's thread has not taken it, one piece at a time
// and in order as always: enqueue-then-synchronize (a copy, a host function such as an NCCL
// collective) then costs no thread hand-off, which on a loaded machine is a scheduler wait.
// For the same reason the stream's thread, woken for new work, yields once before taking it.
#pragma once

#include "drawbridge/backend/Backend.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace drawbridge::backend::cpu {

class StreamQueue : public Stream {
public:
  explicit StreamQueue(StreamKind kind = StreamKind::Blocking);
  ~StreamQueue() override; // runs what is queued, then stops

  StreamKind kind() const { return kind_; }

  uint64_t enqueue(std::function<void()> work);
  uint64_t lastTicket();
  void waitFor(uint64_t ticket);
  bool isDone(uint64_t ticket);
  /// Waits for everything enqueued so far, running queued work on the calling thread meanwhile.
  void synchronize();

private:
  void run();
  /// Runs the front of the queue on the calling thread; `lock` is held before and after.
  void runFront(std::unique_lock<std::mutex>& lock);
  /// Waits, `lock` held, until woken: `ticket` completed, or spuriously.
  void awaitProgress(std::unique_lock<std::mutex>& lock, uint64_t ticket);

  std::mutex mutex_;
  std::condition_variable workReady_; // the stream's thread waits for work it can take
  std::condition_variable progress_;  // waiters for tickets, woken when one of theirs completes
  // The tickets host threads wait for. Waking them after every piece of work instead cost a
  // thread switch per kernel while a host synchronized (decode: about fifty per token).
  std::multiset<uint64_t> awaited_;
  std::deque<std::function<void()>> queue_;
  uint64_t enqueued_ = 0;
  uint64_t completed_ = 0;
  bool stopping_ = false;
  bool running_ = false; // a piece of work is running, on the stream's thread or a host's
  StreamKind kind_;
  std::thread thread_;
};

/// An event's two counters. Lock-free atomics, so they work in memory that other processes map.
struct EventCounters {
  std::atomic<uint64_t> recorded{0};
  std::atomic<uint64_t> completed{0};
};
static_assert(std::atomic<uint64_t>::is_always_lock_free);

/// A CUDA event: each record() starts a new generation, completed when the stream reaches it.
/// An interprocess event keeps its counters in shared memory (CUDA IPC): any process that maps
/// them records, completes and waits; a waiter polls, since another process's completion
/// cannot notify it.
class CpuEvent : public Event {
public:
  using Clock = std::chrono::steady_clock;

  CpuEvent() = default;
  /// Counters that `owner` keeps mapped for the event's life.
  CpuEvent(EventCounters* shared, std::shared_ptr<void> owner)
      : counters_(shared), owner_(std::move(owner)) {}

  uint64_t record();
  uint64_t latest(); // the newest recorded generation
  void complete(uint64_t generation);
  bool isDone();
  void wait();
  void waitFor(uint64_t generation);
  /// The time the latest generation completed, or nothing while it has not (or never was
  /// recorded).
  std::optional<Clock::time_point> completedAt();

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  EventCounters own_;
  EventCounters* counters_ = &own_;
  std::shared_ptr<void> owner_;
  Clock::time_point time_;
};

} // namespace drawbridge::backend::cpu

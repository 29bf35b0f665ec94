#include "StreamQueue.h"

namespace drawbridge::backend::cpu {

StreamQueue::StreamQueue(StreamKind kind) : kind_(kind), thread_([this] { run(); }) {}

StreamQueue::~StreamQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  workReady_.notify_one();
  thread_.join();
}

uint64_t StreamQueue::enqueue(std::function<void()> work) {
  uint64_t ticket;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(work));
    ticket = ++enqueued_;
  }
  workReady_.notify_one();
  return ticket;
}

uint64_t StreamQueue::lastTicket() {
  std::lock_guard lock(mutex_);
  return enqueued_;
}

void StreamQueue::waitFor(uint64_t ticket) {
  std::unique_lock lock(mutex_);
  while (completed_ < ticket)
    awaitProgress(lock, ticket);
}

void StreamQueue::awaitProgress(std::unique_lock<std::mutex>& lock, uint64_t ticket) {
  auto entry = awaited_.insert(ticket);
  progress_.wait(lock);
  awaited_.erase(entry);
}

bool StreamQueue::isDone(uint64_t ticket) {
  std::lock_guard lock(mutex_);
  return completed_ >= ticket;
}

void StreamQueue::synchronize() {
  std::unique_lock lock(mutex_);
  uint64_t ticket = enqueued_;
  while (completed_ < ticket) {
    if (!queue_.empty() && !running_)
      runFront(lock);
    else
      awaitProgress(lock, ticket);
  }
}

void StreamQueue::runFront(std::unique_lock<std::mutex>& lock) {
  std::function<void()> work = std::move(queue_.front());
  queue_.pop_front();
  running_ = true;
  lock.unlock();
  work();
  lock.lock();
  running_ = false;
  ++completed_;
  if (!awaited_.empty() && *awaited_.begin() <= completed_)
    progress_.notify_all();
  if (!queue_.empty() || stopping_) // else the stream's thread has nothing to wake for
    workReady_.notify_one();
}

void StreamQueue::run() {
  std::unique_lock lock(mutex_);
  auto ready = [&] { return (stopping_ && queue_.empty()) || (!queue_.empty() && !running_); };
  for (;;) {
    if (!ready()) {
      workReady_.wait(lock, ready);
      // Woken for new work: the host thread that enqueued it usually synchronizes next. Where
      // both share a core (mpirun binds each rank to one), yielding once lets that host run the
      // work itself rather than sleep through it and be woken after, two thread switches that
      // a loaded machine turns into scheduler waits. Elsewhere the yield returns at once.
      lock.unlock();
      std::this_thread::yield();
      lock.lock();
      continue;
    }
    if (queue_.empty())
      return; // stopping, and everything queued has run
    runFront(lock);
  }
}

uint64_t CpuEvent::record() {
  return counters_->recorded.fetch_add(1) + 1;
}

uint64_t CpuEvent::latest() {
  return counters_->recorded.load();
}

void CpuEvent::complete(uint64_t generation) {
  {
    std::lock_guard lock(mutex_);
    uint64_t seen = counters_->completed.load();
    while (seen < generation && !counters_->completed.compare_exchange_weak(seen, generation)) {
    }
    if (seen < generation)
      time_ = Clock::now();
  }
  changed_.notify_all();
}

bool CpuEvent::isDone() {
  return counters_->completed.load() >= counters_->recorded.load();
}

void CpuEvent::wait() {
  waitFor(latest());
}

void CpuEvent::waitFor(uint64_t generation) {
  std::unique_lock lock(mutex_);
  auto done = [&] { return counters_->completed.load() >= generation; };
  if (counters_ == &own_) {
    changed_.wait(lock, done);
    return;
  }
  while (!done())
    changed_.wait_for(lock, std::chrono::microseconds(100));
}

std::optional<CpuEvent::Clock::time_point> CpuEvent::completedAt() {
  std::lock_guard lock(mutex_);
  uint64_t recorded = counters_->recorded.load();
  if (recorded == 0 || counters_->completed.load() < recorded)
    return std::nullopt;
  return time_;
}

} // namespace drawbridge::backend::cpu

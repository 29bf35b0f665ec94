#include "StreamQueue.h"

namespace drawbridge::backend::cpu {

StreamQueue::StreamQueue(StreamKind kind) : kind_(kind), thread_([this] { run(); }) {}

StreamQueue::~StreamQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

uint64_t StreamQueue::enqueue(std::function<void()> work) {
  uint64_t ticket;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(work));
    ticket = ++enqueued_;
  }
  changed_.notify_all();
  return ticket;
}

uint64_t StreamQueue::lastTicket() {
  std::lock_guard lock(mutex_);
  return enqueued_;
}

void StreamQueue::waitFor(uint64_t ticket) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return completed_ >= ticket; });
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
      changed_.wait(lock);
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
  changed_.notify_all();
}

void StreamQueue::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock,
                  [&] { return (stopping_ && queue_.empty()) || (!queue_.empty() && !running_); });
    if (queue_.empty())
      return; // stopping, and everything queued has run
    runFront(lock);
  }
}

uint64_t CpuEvent::record() {
  std::lock_guard lock(mutex_);
  return ++recorded_;
}

uint64_t CpuEvent::latest() {
  std::lock_guard lock(mutex_);
  return recorded_;
}

void CpuEvent::complete(uint64_t generation) {
  {
    std::lock_guard lock(mutex_);
    if (generation > completed_) {
      completed_ = generation;
      time_ = Clock::now();
    }
  }
  changed_.notify_all();
}

bool CpuEvent::isDone() {
  std::lock_guard lock(mutex_);
  return completed_ >= recorded_;
}

void CpuEvent::wait() {
  std::unique_lock lock(mutex_);
  uint64_t target = recorded_;
  changed_.wait(lock, [&] { return completed_ >= target; });
}

void CpuEvent::waitFor(uint64_t generation) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return completed_ >= generation; });
}

std::optional<CpuEvent::Clock::time_point> CpuEvent::completedAt() {
  std::lock_guard lock(mutex_);
  if (recorded_ == 0 || completed_ < recorded_)
    return std::nullopt;
  return time_;
}

} // namespace drawbridge::backend::cpu

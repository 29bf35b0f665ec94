#include "ThreadPool.h"

#include <cstdlib>
#include <optional>
#include <string>

namespace drawbridge::backend::cpu {

ThreadPool::ThreadPool(unsigned threads) : spin_(defaultSpin()), threads_(std::max(1u, threads)) {
  for (unsigned i = 1; i < threads_; ++i)
    workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    posted_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  for (std::thread& worker : workers_)
    worker.join();
}

namespace {

/// The number in environment variable `name` when it is one from `low` to `high`.
std::optional<long> numberFromEnvironment(const char* name, long low, long high) {
  const char* text = std::getenv(name);
  if (!text)
    return std::nullopt;
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || value < low || value > high)
    return std::nullopt;
  return value;
}

} // namespace

unsigned ThreadPool::defaultThreadCount() {
  if (std::optional<long> threads = numberFromEnvironment("DRAWBRIDGE_CPU_THREADS", 1, 4096))
    return unsigned(*threads);
  return std::max(1u, std::thread::hardware_concurrency());
}

std::chrono::microseconds ThreadPool::defaultSpin() {
  return std::chrono::microseconds(
      numberFromEnvironment("DRAWBRIDGE_CPU_SPIN_US", 0, 1'000'000).value_or(100));
}

template <typename Ready> bool ThreadPool::spinUntil(Ready&& ready) const {
  if (spin_.count() == 0)
    return ready();
  auto deadline = std::chrono::steady_clock::now() + spin_;
  for (unsigned i = 1;; ++i) {
    if (ready())
      return true;
    if (i % 64 == 0 && std::chrono::steady_clock::now() >= deadline)
      return false;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
  }
}

bool ThreadPool::work(Job& job) {
  bool finished = false;
  for (;;) {
    uint64_t begin = job.next.fetch_add(job.grain, std::memory_order_relaxed);
    if (begin >= job.count)
      return finished;
    uint64_t end = std::min(job.count, begin + job.grain);
    (*job.task)(begin, end);
    finished =
        job.done.fetch_add(end - begin, std::memory_order_acq_rel) + (end - begin) == job.count;
  }
}

void ThreadPool::parallelFor(uint64_t count, const Task& task) {
  if (count == 0)
    return;
  auto job = std::make_shared<Job>();
  job->count = count;
  // Small chunks balance uneven blocks; enough of them that claiming is not the cost.
  job->grain = std::max<uint64_t>(1, count / (uint64_t(threads_) * 16));
  job->task = &task;
  if (threads_ > 1 && count > job->grain) {
    bool sleeping = false;
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(job);
      posted_.fetch_add(1, std::memory_order_release);
      sleeping = sleepers_ > 0;
    }
    if (sleeping)
      wake_.notify_all();
  }
  work(*job);
  auto done = [&] { return job->done.load(std::memory_order_acquire) == job->count; };
  spinUntil(done);
  std::unique_lock lock(mutex_);
  finished_.wait(lock, done);
  std::erase(jobs_, job);
}

std::shared_ptr<ThreadPool::Job> ThreadPool::takeable() const {
  for (const auto& job : jobs_)
    if (job->next.load(std::memory_order_relaxed) < job->count)
      return job;
  return nullptr;
}

void ThreadPool::workerLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stopping_)
      return;
    std::shared_ptr<Job> job = takeable();
    if (!job) {
      // Nothing to take: watch for the next post a while, then sleep until one comes.
      uint64_t seen = posted_.load(std::memory_order_acquire);
      lock.unlock();
      bool posted = spinUntil([&] { return posted_.load(std::memory_order_acquire) != seen; });
      lock.lock();
      if (!posted) {
        ++sleepers_;
        wake_.wait(lock, [&] { return stopping_ || takeable(); });
        --sleepers_;
      }
      continue;
    }
    // Chunks are claimed without the lock (the submitting thread works too): every chunk seen
    // here may be taken by now; work() then returns at once.
    lock.unlock();
    if (work(*job)) {
      std::lock_guard finishedLock(mutex_);
      finished_.notify_all();
    }
    lock.lock();
  }
}

} // namespace drawbridge::backend::cpu

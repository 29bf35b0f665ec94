#include "ThreadPool.h"

#include <cstdlib>
#include <string>

namespace drawbridge::backend::cpu {

ThreadPool::ThreadPool(unsigned threads) : threads_(std::max(1u, threads)) {
  for (unsigned i = 1; i < threads_; ++i)
    workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& worker : workers_)
    worker.join();
}

unsigned ThreadPool::defaultThreadCount() {
  if (const char* text = std::getenv("DRAWBRIDGE_CPU_THREADS")) {
    char* end = nullptr;
    long value = std::strtol(text, &end, 10);
    if (end != text && *end == '\0' && value > 0 && value <= 4096)
      return unsigned(value);
  }
  return std::max(1u, std::thread::hardware_concurrency());
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
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(job);
    }
    wake_.notify_all();
  }
  work(*job);
  std::unique_lock lock(mutex_);
  finished_.wait(lock, [&] { return job->done.load(std::memory_order_acquire) == job->count; });
  std::erase(jobs_, job);
}

void ThreadPool::workerLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] {
      if (stopping_)
        return true;
      for (const auto& job : jobs_)
        if (job->next.load(std::memory_order_relaxed) < job->count)
          return true;
      return false;
    });
    if (stopping_)
      return;
    std::shared_ptr<Job> job;
    for (const auto& candidate : jobs_)
      if (candidate->next.load(std::memory_order_relaxed) < candidate->count) {
        job = candidate;
        break;
      }
    // Chunks are claimed without the lock (the submitting thread works too): every chunk the
    // wait saw may be taken by now. Then there is nothing to do but wait again.
    if (!job)
      continue;
    lock.unlock();
    if (work(*job)) {
      std::lock_guard finishedLock(mutex_);
      finished_.notify_all();
    }
    lock.lock();
  }
}

} // namespace drawbridge::backend::cpu

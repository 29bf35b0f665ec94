// Worker threads that run the blocks of launches. Several launches (from several streams) may
// be in flight; workers take blocks from the oldest first. The thread that submits a launch
// works on it too, so a pool of N - 1 workers keeps N cores busy.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace drawbridge::backend::cpu {

class ThreadPool {
public:
  /// `threads` counts the submitting thread: the pool starts threads - 1 workers.
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();

  /// Runs task(begin, end) over chunks that cover [0, count); returns when all have run.
  using Task = std::function<void(uint64_t begin, uint64_t end)>;
  void parallelFor(uint64_t count, const Task& task);

  /// DRAWBRIDGE_CPU_THREADS when set to a positive number, else the cores available.
  static unsigned defaultThreadCount();

private:
  struct Job {
    uint64_t count;
    uint64_t grain;
    const Task* task;
    std::atomic<uint64_t> next{0};
    std::atomic<uint64_t> done{0};
  };
  /// Claims and runs chunks of `job` until none are left; true if this finished the job.
  static bool work(Job& job);
  void workerLoop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable finished_;
  std::deque<std::shared_ptr<Job>> jobs_;
  bool stopping_ = false;
  unsigned threads_;
  std::vector<std::thread> workers_;
};

} // namespace drawbridge::backend::cpu

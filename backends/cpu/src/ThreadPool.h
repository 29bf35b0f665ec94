// Worker threads that run the blocks of launches. Several launches (from several streams) may
// be in flight; workers take blocks from the oldest first. The thread that submits a launch
// works on it too, so a pool of N - 1 workers keeps N cores busy. An idle worker watches for the
// next launch for a while (DRAWBRIDGE_CPU_SPIN_US, default 100 us) before it sleeps, as OpenMP's
// runtimes do: waking a sleeping thread cost more than a small launch's blocks (a decode step
// launches about fifty kernels of a few microseconds each).
#pragma once

#include <atomic>
#include <chrono>
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
  /// DRAWBRIDGE_CPU_SPIN_US when set to a number from 0 to 1,000,000, else 100.
  static std::chrono::microseconds defaultSpin();

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
  /// The oldest job with chunks left to claim; mutex_ held.
  std::shared_ptr<Job> takeable() const;
  /// Polls `ready` for up to spin_; whether it held.
  template <typename Ready> bool spinUntil(Ready&& ready) const;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable finished_;
  std::deque<std::shared_ptr<Job>> jobs_;
  bool stopping_ = false;
  unsigned sleepers_ = 0;           // workers waiting on wake_
  std::atomic<uint64_t> posted_{0}; // jobs posted (and the stop), for spinning workers
  std::chrono::microseconds spin_;
  unsigned threads_;
  std::vector<std::thread> workers_;
};

} // namespace drawbridge::backend::cpu

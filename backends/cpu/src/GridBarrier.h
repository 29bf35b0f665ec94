// The grid workspace cooperative groups finds through %envreg1/%envreg2, and the watch that
// keeps a grid barrier from hanging a launch. CUDA 13 gives every launch a workspace, so
// grid.is_valid() is true in an ordinary <<<>>> launch too (measured on an H200); there
// grid.sync() completes only if every block happens to be resident, and otherwise hangs. Here
// an ordinary launch's blocks share the pool, so a block waiting at the barrier may hold the
// worker that the last block needs: a barrier left part-way for a second fails the launch with
// an error naming grid.sync() and the cooperative launch it needs, rather than hanging.
#pragma once

#include "Runtime.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <thread>

namespace drawbridge::backend::cpu {

/// The driver's grid workspace as cooperative groups reads it: its size, then the barrier,
/// whose top bit is the phase a waiting block watches for a change.
struct GridWorkspace {
  uint32_t size = sizeof(GridWorkspace);
  uint32_t barrier = 0;

  /// Flips the barrier's phase: every block waiting at it leaves its spin. Used once a launch
  /// has failed, so that blocks waiting for a block that stopped do not wait for ever.
  void releaseWaiters();
};

/// Watches the grid barriers of the launches in flight on the pool from one thread, started
/// by the first launch. A launch that failed (a trap, or a stalled barrier) has its waiting
/// blocks released until it ends.
class GridBarrierWatch {
  struct Watched {
    GridWorkspace* workspace;
    LaunchState* state;
    uint64_t blocks;
    uint32_t seen = 0;
    std::chrono::steady_clock::time_point since;
  };

public:
  ~GridBarrierWatch();

  /// Watches one launch while it lives.
  class [[nodiscard]] Scope {
  public:
    Scope(GridBarrierWatch& watch, std::list<Watched>::iterator entry)
        : watch_(watch), entry_(entry) {}
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope();

  private:
    GridBarrierWatch& watch_;
    std::list<Watched>::iterator entry_;
  };
  Scope watch(GridWorkspace& workspace, LaunchState& state, uint64_t blocks);

private:
  void loop();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::list<Watched> watched_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace drawbridge::backend::cpu

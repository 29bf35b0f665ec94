#include "GridBarrier.h"

#include <atomic>
#include <string>

namespace drawbridge::backend::cpu {

namespace {

/// How often the watch looks, and how long a barrier may stay part-way before the launch fails.
constexpr auto kPoll = std::chrono::milliseconds(10);
constexpr auto kStall = std::chrono::seconds(1);
constexpr uint32_t kPhase = 0x80000000u;

} // namespace

void GridWorkspace::releaseWaiters() {
  std::atomic_ref<uint32_t>(barrier).fetch_xor(kPhase);
}

GridBarrierWatch::~GridBarrierWatch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

GridBarrierWatch::Scope GridBarrierWatch::watch(GridWorkspace& workspace, LaunchState& state,
                                                uint64_t blocks) {
  std::lock_guard lock(mutex_);
  if (!thread_.joinable())
    thread_ = std::thread([this] { loop(); });
  watched_.push_back({&workspace, &state, blocks, 0, std::chrono::steady_clock::now()});
  if (watched_.size() == 1)
    changed_.notify_all();
  return {*this, std::prev(watched_.end())};
}

GridBarrierWatch::Scope::~Scope() {
  std::lock_guard lock(watch_.mutex_);
  watch_.watched_.erase(entry_);
}

void GridBarrierWatch::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (watched_.empty()) {
      changed_.wait(lock);
      continue;
    }
    changed_.wait_for(lock, kPoll);
    auto now = std::chrono::steady_clock::now();
    for (Watched& launch : watched_) {
      if (launch.state->failed.load()) {
        launch.workspace->releaseWaiters();
        continue;
      }
      // Blocks have arrived at a barrier and not all of them yet: the count bits are not zero.
      uint32_t value = std::atomic_ref<uint32_t>(launch.workspace->barrier).load();
      if ((value & ~kPhase) == 0 || value != launch.seen) {
        launch.seen = value;
        launch.since = now;
      } else if (now - launch.since >= kStall) {
        launch.state->fail(
            StatusCode::LaunchFailure,
            "kernel '" + std::string(launch.state->kernel->name) +
                "' waited in cooperative groups' grid.sync() for a second in an ordinary launch "
                "of " +
                std::to_string(launch.blocks) +
                " blocks: the blocks it waits for cannot start until it returns. Grid-wide "
                "synchronisation needs every block running at once: launch the kernel with "
                "cudaLaunchCooperativeKernel (or the cooperative launch attribute)");
      }
    }
  }
}

} // namespace drawbridge::backend::cpu

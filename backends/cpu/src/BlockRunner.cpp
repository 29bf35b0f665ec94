#include "BlockRunner.h"

#include "Collectives.h"

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace drawbridge::backend::cpu {

namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

/// Grows but never shrinks: a worker runs many blocks of the same shape.
class Scratch {
public:
  char* get(size_t bytes) {
    if (bytes > size_) {
      size_ = std::max(bytes, size_ * 2);
      memory_.reset(static_cast<char*>(std::aligned_alloc(64, (size_ + 63) / 64 * 64)));
    }
    return memory_.get();
  }

private:
  std::unique_ptr<char, FreeDeleter> memory_;
  size_t size_ = 0;
};

struct WorkerBuffers {
  Scratch shared, frames;
  std::vector<ThreadState> threads;
  Dim3 shape{0, 0, 0}; // the block shape `threads` holds thread indices for
};
thread_local WorkerBuffers buffers;

/// Thread records for the block shape, thread indices written once per shape.
void shapeThreads(WorkerBuffers& worker, const Dim3& block) {
  if (worker.shape.x == block.x && worker.shape.y == block.y && worker.shape.z == block.z)
    return;
  std::vector<ThreadState>& threads = worker.threads;
  worker.shape = block;
  threads.assign(block.count(), ThreadState{});
  size_t t = 0;
  for (uint32_t z = 0; z < block.z; ++z)
    for (uint32_t y = 0; y < block.y; ++y)
      for (uint32_t x = 0; x < block.x; ++x, ++t) {
        threads[t].tid[0] = x;
        threads[t].tid[1] = y;
        threads[t].tid[2] = z;
      }
}

/// Where each thread resumes and whether it runs, as at the start of a block. A call from the
/// start reads no record, and the block function writes every thread's status and operands
/// before it returns to the runtime, so a block that runs to its end in one call (most blocks,
/// once barriers are region loops) never needs this: runBlock does it when the block first
/// waits for the runtime. It was a quarter of a 256-thread reduction block's instructions.
void resetWaits(std::span<ThreadState> threads) {
  for (ThreadState& thread : threads) {
    thread.resume = 0;
    thread.runnable = 0;
  }
}

/// The site every thread that runs next resumes at, when there is one (BlockContext::entry);
/// the region loop it selects runs threads by their status, so no thread stays marked runnable.
int32_t uniformEntry(std::span<ThreadState> threads) {
  int32_t entry = -1;
  for (const ThreadState& thread : threads) {
    if (thread.runnable) {
      if (entry >= 0 && thread.resume != entry)
        return -1;
      entry = thread.resume;
    } else if (thread.status != kStepExited) {
      return -1; // waits elsewhere while others run
    }
  }
  if (entry > 0)
    for (ThreadState& thread : threads)
      thread.runnable = 0;
  return entry;
}

/// Tells a block that waits for nothing that will happen from one that is slow. Its threads
/// only yield (mbarrier waits, nanosleep polls) and only memory can wake them: its own shared
/// memory, where mbarriers live, or global memory that other blocks or the host write. A block
/// whose shared memory stays the same for kStuckAfter while its threads only yield is reported;
/// a block polling for other blocks' writes for that long is reported too.
class StuckWatch {
public:
  static constexpr std::chrono::seconds kStuckAfter{2};

  void progressed() { checkpoint_.reset(); }

  /// Called after a round in which threads only yielded; true once the block is stuck.
  bool stuck(std::string_view shared) {
    auto now = std::chrono::steady_clock::now();
    if (checkpoint_ && now - *checkpoint_ < kStuckAfter)
      return false;
    size_t hash = std::hash<std::string_view>{}(shared);
    bool same = checkpoint_ && hash == hash_;
    checkpoint_ = now;
    hash_ = hash;
    return same;
  }

private:
  std::optional<std::chrono::steady_clock::time_point> checkpoint_;
  size_t hash_ = 0;
};

std::string blockName(const BlockContext& context) {
  return "block (" + std::to_string(context.ctaid[0]) + "," + std::to_string(context.ctaid[1]) +
         "," + std::to_string(context.ctaid[2]) + ")";
}

/// Runs one block whose context the caller has set up.
void runBlock(const GridLaunch& launch, BlockContext& context) {
  const KernelDescriptor& kernel = *launch.state->kernel;
  if (kernel.siteCount == 0) {
    // Traps are recorded by the hook; the return value only ends the block early.
    kernel.run(launch.args, &context);
    return;
  }
  shapeThreads(buffers, launch.block);
  context.threads = buffers.threads.data();
  context.entry = 0; // every thread from the start
  std::span<const uint32_t> kinds(kernel.sites, kernel.siteCount + 1);
  std::string_view shared(context.shared, kernel.staticShared + launch.dynamicSharedBytes);
  StuckWatch watch;
  for (bool waited = false;; waited = true) {
    int32_t stopped = kernel.run(launch.args, &context);
    if (stopped == kStepExited || launch.state->failed.load(std::memory_order_relaxed))
      return;
    if (!waited)
      resetWaits(buffers.threads);
    std::string message;
    switch (resolveSites(buffers.threads, kinds, message)) {
    case Resolution::Resumed:
      watch.progressed();
      context.entry = uniformEntry(buffers.threads);
      continue;
    case Resolution::Yielded:
      if (watch.stuck(shared)) {
        launch.state->fail(
            StatusCode::LaunchFailure,
            "kernel '" + std::string(kernel.name) + "' in " + blockName(context) +
                ": every thread that has not exited has waited (an mbarrier wait or nanosleep) "
                "for " +
                std::to_string(StuckWatch::kStuckAfter.count()) +
                " s while the block's shared memory stayed the same; it waits for something "
                "that does not happen (an mbarrier expecting more arrivals or bytes than come?)");
        return;
      }
      context.entry = uniformEntry(buffers.threads);
      continue;
    case Resolution::Done:
      return;
    case Resolution::Error:
      launch.state->fail(StatusCode::LaunchFailure, "kernel '" + std::string(kernel.name) +
                                                        "' in " + blockName(context) + ": " +
                                                        message);
      return;
    }
  }
}

} // namespace

void runBlocks(const GridLaunch& launch, uint64_t begin, uint64_t end) {
  const KernelDescriptor& kernel = *launch.state->kernel;
  BlockContext context{};
  context.ntid[0] = launch.block.x;
  context.ntid[1] = launch.block.y;
  context.ntid[2] = launch.block.z;
  context.nctaid[0] = launch.grid.x;
  context.nctaid[1] = launch.grid.y;
  context.nctaid[2] = launch.grid.z;
  context.nthreads = uint32_t(launch.block.count());
  context.shared = buffers.shared.get(kernel.staticShared + launch.dynamicSharedBytes + 1);
  context.frames = buffers.frames.get(size_t(kernel.frameSize) * context.nthreads + 1);
  context.launch = launch.state;
  context.gridWorkspace = launch.gridWorkspace;
  context.dynamicShared = uint32_t(launch.dynamicSharedBytes);
  context.totalShared =
      uint32_t((kernel.staticShared + launch.dynamicSharedBytes + 127) / 128 * 128);
  // Block coordinates advance like an odometer instead of being divided out per block.
  context.ctaid[0] = uint32_t(begin % launch.grid.x);
  context.ctaid[1] = uint32_t(begin / launch.grid.x % launch.grid.y);
  context.ctaid[2] = uint32_t(begin / (uint64_t(launch.grid.x) * launch.grid.y));
  for (uint64_t index = begin; index < end; ++index) {
    if (launch.state->failed.load(std::memory_order_relaxed))
      return;
    runBlock(launch, context);
    if (++context.ctaid[0] == launch.grid.x) {
      context.ctaid[0] = 0;
      if (++context.ctaid[1] == launch.grid.y) {
        context.ctaid[1] = 0;
        ++context.ctaid[2];
      }
    }
  }
}

} // namespace drawbridge::backend::cpu

// Kernel launches: validate the shape, copy the arguments, run the grid on the pool in order
// on the stream.
#include "BlockRunner.h"
#include "CpuDevice.h"
#include "GridBarrier.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

namespace drawbridge::backend::cpu {

namespace {

std::string dims(const Dim3& d) {
  return "(" + std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z) + ")";
}

/// The launch's own copy of its arguments, laid out like CUDA's void** array.
struct ArgumentCopy {
  std::vector<std::byte> storage;
  std::vector<void*> pointers;

  ArgumentCopy(const std::vector<size_t>& sizes, void** args) {
    constexpr size_t kAlign = 16;
    size_t total = 0;
    for (size_t size : sizes)
      total += (size + kAlign - 1) / kAlign * kAlign;
    storage.resize(total + kAlign);
    auto base = reinterpret_cast<uintptr_t>(storage.data());
    size_t offset = (kAlign - base % kAlign) % kAlign;
    for (size_t i = 0; i < sizes.size(); ++i) {
      std::memcpy(storage.data() + offset, args[i], sizes[i]);
      pointers.push_back(storage.data() + offset);
      offset += (sizes[i] + kAlign - 1) / kAlign * kAlign;
    }
  }
};

} // namespace

Status CpuDevice::validate(const LaunchConfig& config, const CpuKernel& kernel) const {
  const DeviceProperties& p = properties_;
  const std::string& name = kernel.info().name;
  if (config.block.x == 0 || config.block.y == 0 || config.block.z == 0 ||
      config.block.x > p.maxBlockDim.x || config.block.y > p.maxBlockDim.y ||
      config.block.z > p.maxBlockDim.z || config.block.count() > uint64_t(p.maxThreadsPerBlock))
    // CUDA 13 answers an oversized block with cudaErrorInvalidValue (measured on an H200).
    return failure(StatusCode::InvalidValue,
                   "launch of '" + name + "' with block " + dims(config.block) +
                       ": blocks have 1 to 1024 threads, at most (1024,1024,64)");
  if (config.grid.x == 0 || config.grid.y == 0 || config.grid.z == 0 ||
      config.grid.x > p.maxGridDim.x || config.grid.y > p.maxGridDim.y ||
      config.grid.z > p.maxGridDim.z)
    return failure(StatusCode::InvalidConfiguration,
                   "launch of '" + name + "' with grid " + dims(config.grid) +
                       ": grids are 1 to (2147483647,65535,65535) blocks");
  if (kernel.info().staticSharedBytes + config.dynamicSharedBytes > p.sharedMemoryPerBlockMax)
    return failure(StatusCode::InvalidValue,
                   "launch of '" + name + "' asks for " +
                       std::to_string(kernel.info().staticSharedBytes + config.dynamicSharedBytes) +
                       " bytes of shared memory; the device has " +
                       std::to_string(p.sharedMemoryPerBlockMax) + " per block");
  if (config.cooperative && config.grid.count() > uint64_t(p.multiProcessorCount))
    return failure(StatusCode::InvalidConfiguration,
                   "cooperative launch of '" + name + "' with grid " + dims(config.grid) +
                       ": all blocks must run at once, and the device runs " +
                       std::to_string(p.multiProcessorCount) + " blocks at a time");
  return Status::success();
}

namespace {

/// Cooperative groups' grid barrier spins until every block arrives, so each block of a
/// cooperative grid gets its own thread rather than waiting for a pool worker.
///
/// A block that traps or fails never arrives, and the others would spin for ever. A waiting
/// block leaves its spin when the barrier's top bit (its phase) differs from the phase it
/// arrived in, so once the launch has failed the phase is flipped again and again until every
/// block has stopped: each block goes on to the block barrier after the spin and stops at the
/// next point where the runtime sees the failure, or runs to its end. Results are undefined
/// after a fault, as on CUDA; what matters is that the launch ends and reports it.
void runCooperative(const GridLaunch& grid, GridWorkspace& workspace) {
  std::atomic<uint64_t> running{grid.grid.count()};
  std::vector<std::thread> blocks;
  blocks.reserve(grid.grid.count());
  for (uint64_t block = 0; block < grid.grid.count(); ++block)
    blocks.emplace_back([&grid, &running, block] {
      runBlocks(grid, block, block + 1);
      running.fetch_sub(1);
      running.notify_all();
    });
  for (uint64_t left = running.load(); left != 0; left = running.load()) {
    if (grid.state->failed.load()) {
      workspace.releaseWaiters();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } else {
      running.wait(left);
    }
  }
  for (auto& thread : blocks)
    thread.join();
}

} // namespace

Status CpuDevice::launch(Kernel* kernel, const LaunchConfig& config, void** args, Stream* stream) {
  if (Status status = sticky(); !status.ok())
    return status;
  auto* cpuKernel = dynamic_cast<CpuKernel*>(kernel);
  if (!cpuKernel)
    return failure(StatusCode::InvalidHandle, "unknown kernel handle");
  if (Status status = validate(config, *cpuKernel); !status.ok())
    return status;
  const std::vector<size_t>& sizes = cpuKernel->info().paramSizes;
  if (!sizes.empty() && !args)
    return failure(StatusCode::InvalidValue,
                   "launch of '" + cpuKernel->info().name + "' without its arguments");
  auto arguments = std::make_shared<ArgumentCopy>(sizes, args);
  const KernelDescriptor* descriptor = cpuKernel->descriptor();
  auto submitted = submit(stream, [this, arguments, descriptor, config] {
    if (!sticky().ok())
      return; // a failed kernel leaves the device unusable, as on CUDA
    LaunchState state;
    state.kernel = descriptor;
    // Every launch has a grid workspace, as on CUDA 13 (grid.is_valid() is true in each).
    GridWorkspace workspace;
    GridLaunch grid{&state,       arguments->pointers.data(), config.grid,
                    config.block, config.dynamicSharedBytes,  &workspace};
    if (config.cooperative) {
      runCooperative(grid, workspace);
    } else {
      auto watched = gridWatch_.watch(workspace, state, config.grid.count());
      pool_.parallelFor(config.grid.count(),
                        [&](uint64_t begin, uint64_t end) { runBlocks(grid, begin, end); });
    }
    if (state.failed.load())
      setSticky(state.result());
  });
  return submitted ? Status::success() : submitted.status();
}

} // namespace drawbridge::backend::cpu

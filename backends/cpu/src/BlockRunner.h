// Runs blocks of a launch on the calling worker thread, with buffers reused across blocks.
#pragma once

#include "Runtime.h"
#include "drawbridge/backend/Types.h"

namespace drawbridge::backend::cpu {

struct GridLaunch {
  LaunchState* state;
  void** args;
  Dim3 grid;
  Dim3 block;
  size_t dynamicSharedBytes;
  void* gridWorkspace = nullptr; // every launch has one, as on CUDA 13
};

/// Runs blocks [begin, end) (linear, x fastest); stops early once the launch has failed, which
/// launch.state records.
void runBlocks(const GridLaunch& launch, uint64_t begin, uint64_t end);

} // namespace drawbridge::backend::cpu

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
};

/// Runs block `index` (linear, x fastest). A failure is recorded in launch.state.
void runBlock(const GridLaunch& launch, uint64_t index);

} // namespace drawbridge::backend::cpu

// Occupancy as the CPU backend has it: a multiprocessor is a worker thread, which runs one
// block at a time, so a kernel that fits a block at all has one active block per multiprocessor.
#pragma once

#include "Registry.h"

#include <cuda_runtime_api.h>

namespace drawbridge::cudart {

cudaError_t activeBlocksPerMultiprocessor(RegisteredFunction& function, int blockSize,
                                          size_t dynamicShared, int& blocks, int& multiprocessors);

} // namespace drawbridge::cudart

// Stream-ordered allocation (cudaMallocAsync, cudaFreeAsync): each device's default pool.
// Memory is handed out at once; a free happens when the stream reaches it.
#pragma once

#include <cuda_runtime_api.h>

namespace drawbridge::cudart {

/// cudaFree of memory from cudaMallocAsync: CUDA allows it, after the device is idle.
/// False when the pointer is not the pool's.
bool freeFromPoolNow(void* pointer);

} // namespace drawbridge::cudart

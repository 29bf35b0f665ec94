// What the _ptsz/_ptds entry points of a program built with `--default-stream per-thread` share:
// stream 0 then means the calling thread's own default stream rather than the legacy one.
#pragma once

#include <cuda_runtime_api.h>

namespace drawbridge::cudart {

inline cudaStream_t perThread(cudaStream_t stream) {
  return stream == nullptr ? cudaStreamPerThread : stream;
}

/// Synchronous calls of a per-thread program are ordered on, and wait for, its default stream.
inline cudaError_t waitIf(cudaError_t enqueued) {
  return enqueued != cudaSuccess ? enqueued : cudaStreamSynchronize(cudaStreamPerThread);
}

} // namespace drawbridge::cudart

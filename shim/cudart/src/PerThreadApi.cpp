// The _ptsz/_ptds entry points a program built with `--default-stream per-thread` calls: stream
// 0 then means the calling thread's own default stream rather than the legacy one.
#include "Export.h"

#include <cuda_runtime_api.h>

namespace {

cudaStream_t perThread(cudaStream_t stream) {
  return stream == nullptr ? cudaStreamPerThread : stream;
}

// Synchronous calls of a per-thread program are ordered on, and wait for, its default stream.
cudaError_t waitIf(cudaError_t enqueued) {
  return enqueued != cudaSuccess ? enqueued : cudaStreamSynchronize(cudaStreamPerThread);
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy_ptds(void* dst, const void* src, size_t count,
                                                     cudaMemcpyKind kind) {
  return waitIf(cudaMemcpyAsync(dst, src, count, kind, cudaStreamPerThread));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyAsync_ptsz(void* dst, const void* src, size_t count,
                                                          cudaMemcpyKind kind,
                                                          cudaStream_t stream) {
  return cudaMemcpyAsync(dst, src, count, kind, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemset_ptds(void* devPtr, int value, size_t count) {
  return waitIf(cudaMemsetAsync(devPtr, value, count, cudaStreamPerThread));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemsetAsync_ptsz(void* devPtr, int value, size_t count,
                                                          cudaStream_t stream) {
  return cudaMemsetAsync(devPtr, value, count, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaEventRecord_ptsz(cudaEvent_t event, cudaStream_t stream) {
  return cudaEventRecord(event, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamSynchronize_ptsz(cudaStream_t stream) {
  return cudaStreamSynchronize(perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamQuery_ptsz(cudaStream_t stream) {
  return cudaStreamQuery(perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamWaitEvent_ptsz(cudaStream_t stream,
                                                              cudaEvent_t event,
                                                              unsigned int flags) {
  return cudaStreamWaitEvent(perThread(stream), event, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLaunchHostFunc_ptsz(cudaStream_t stream, cudaHostFn_t fn,
                                                             void* userData) {
  return cudaLaunchHostFunc(perThread(stream), fn, userData);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamAddCallback_ptsz(cudaStream_t stream,
                                                                cudaStreamCallback_t callback,
                                                                void* userData,
                                                                unsigned int flags) {
  return cudaStreamAddCallback(perThread(stream), callback, userData, flags);
}

// The _ptsz/_ptds entry points a program built with `--default-stream per-thread` calls: stream
// 0 then means the calling thread's own default stream rather than the legacy one.
#include "Export.h"
#include "PerThread.h"

using namespace drawbridge::cudart;

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

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2D_ptds(void* dst, size_t dpitch, const void* src,
                                                       size_t spitch, size_t width, size_t height,
                                                       cudaMemcpyKind kind) {
  return waitIf(
      cudaMemcpy2DAsync(dst, dpitch, src, spitch, width, height, kind, cudaStreamPerThread));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2DAsync_ptsz(void* dst, size_t dpitch,
                                                            const void* src, size_t spitch,
                                                            size_t width, size_t height,
                                                            cudaMemcpyKind kind,
                                                            cudaStream_t stream) {
  return cudaMemcpy2DAsync(dst, dpitch, src, spitch, width, height, kind, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy3D_ptds(const cudaMemcpy3DParms* p) {
  return waitIf(cudaMemcpy3DAsync(p, cudaStreamPerThread));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy3DAsync_ptsz(const cudaMemcpy3DParms* p,
                                                            cudaStream_t stream) {
  return cudaMemcpy3DAsync(p, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemset2D_ptds(void* devPtr, size_t pitch, int value,
                                                       size_t width, size_t height) {
  return waitIf(cudaMemset2DAsync(devPtr, pitch, value, width, height, cudaStreamPerThread));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemset2DAsync_ptsz(void* devPtr, size_t pitch, int value,
                                                            size_t width, size_t height,
                                                            cudaStream_t stream) {
  return cudaMemset2DAsync(devPtr, pitch, value, width, height, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemset3D_ptds(cudaPitchedPtr pitchedDevPtr, int value,
                                                       cudaExtent extent) {
  return waitIf(cudaMemset3DAsync(pitchedDevPtr, value, extent, cudaStreamPerThread));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemset3DAsync_ptsz(cudaPitchedPtr pitchedDevPtr, int value,
                                                            cudaExtent extent,
                                                            cudaStream_t stream) {
  return cudaMemset3DAsync(pitchedDevPtr, value, extent, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamBeginCapture_ptsz(cudaStream_t stream,
                                                                 cudaStreamCaptureMode mode) {
  return cudaStreamBeginCapture(perThread(stream), mode);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamEndCapture_ptsz(cudaStream_t stream,
                                                               cudaGraph_t* pGraph) {
  return cudaStreamEndCapture(perThread(stream), pGraph);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaStreamIsCapturing_ptsz(cudaStream_t stream, cudaStreamCaptureStatus* pCaptureStatus) {
  return cudaStreamIsCapturing(perThread(stream), pCaptureStatus);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamGetCaptureInfo_ptsz(
    cudaStream_t stream, cudaStreamCaptureStatus* captureStatus_out, unsigned long long* id_out,
    cudaGraph_t* graph_out, const cudaGraphNode_t** dependencies_out,
    const cudaGraphEdgeData** edgeData_out, size_t* numDependencies_out) {
  return cudaStreamGetCaptureInfo(perThread(stream), captureStatus_out, id_out, graph_out,
                                  dependencies_out, edgeData_out, numDependencies_out);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamGetPriority_ptsz(cudaStream_t hStream,
                                                                int* priority) {
  return cudaStreamGetPriority(perThread(hStream), priority);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamGetFlags_ptsz(cudaStream_t hStream,
                                                             unsigned int* flags) {
  return cudaStreamGetFlags(perThread(hStream), flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamUpdateCaptureDependencies_ptsz(
    cudaStream_t stream, cudaGraphNode_t* dependencies, const cudaGraphEdgeData* dependencyData,
    size_t numDependencies, unsigned int flags) {
  return cudaStreamUpdateCaptureDependencies(perThread(stream), dependencies, dependencyData,
                                             numDependencies, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyToSymbol_ptds(const void* symbol, const void* src,
                                                             size_t count, size_t offset,
                                                             cudaMemcpyKind kind) {
  return waitIf(cudaMemcpyToSymbolAsync(symbol, src, count, offset, kind, cudaStreamPerThread));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyFromSymbol_ptds(void* dst, const void* symbol,
                                                               size_t count, size_t offset,
                                                               cudaMemcpyKind kind) {
  return waitIf(cudaMemcpyFromSymbolAsync(dst, symbol, count, offset, kind, cudaStreamPerThread));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyToSymbolAsync_ptsz(const void* symbol,
                                                                  const void* src, size_t count,
                                                                  size_t offset,
                                                                  cudaMemcpyKind kind,
                                                                  cudaStream_t stream) {
  return cudaMemcpyToSymbolAsync(symbol, src, count, offset, kind, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyFromSymbolAsync_ptsz(void* dst, const void* symbol,
                                                                    size_t count, size_t offset,
                                                                    cudaMemcpyKind kind,
                                                                    cudaStream_t stream) {
  return cudaMemcpyFromSymbolAsync(dst, symbol, count, offset, kind, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaEventRecordWithFlags_ptsz(cudaEvent_t event,
                                                                   cudaStream_t stream,
                                                                   unsigned int flags) {
  return cudaEventRecordWithFlags(event, perThread(stream), flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy3DPeer_ptds(const cudaMemcpy3DPeerParms* p) {
  return waitIf(cudaMemcpy3DPeerAsync(p, cudaStreamPerThread));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy3DPeerAsync_ptsz(const cudaMemcpy3DPeerParms* p,
                                                                cudaStream_t stream) {
  return cudaMemcpy3DPeerAsync(p, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyBatchAsync_ptsz(
    void* const* dsts, const void* const* srcs, const size_t* sizes, size_t count,
    cudaMemcpyAttributes* attrs, size_t* attrsIdxs, size_t numAttrs, cudaStream_t stream) {
  return cudaMemcpyBatchAsync(dsts, srcs, sizes, count, attrs, attrsIdxs, numAttrs,
                              perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy3DBatchAsync_ptsz(size_t numOps,
                                                                 cudaMemcpy3DBatchOp* opList,
                                                                 unsigned long long flags,
                                                                 cudaStream_t stream) {
  return cudaMemcpy3DBatchAsync(numOps, opList, flags, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemPrefetchBatchAsync_ptsz(
    void** dptrs, size_t* sizes, size_t count, cudaMemLocation* prefetchLocs,
    size_t* prefetchLocIdxs, size_t numPrefetchLocs, unsigned long long flags,
    cudaStream_t stream) {
  return cudaMemPrefetchBatchAsync(dptrs, sizes, count, prefetchLocs, prefetchLocIdxs,
                                   numPrefetchLocs, flags, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemDiscardBatchAsync_ptsz(void** dptrs, size_t* sizes,
                                                                   size_t count,
                                                                   unsigned long long flags,
                                                                   cudaStream_t stream) {
  return cudaMemDiscardBatchAsync(dptrs, sizes, count, flags, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemDiscardAndPrefetchBatchAsync_ptsz(
    void** dptrs, size_t* sizes, size_t count, cudaMemLocation* prefetchLocs,
    size_t* prefetchLocIdxs, size_t numPrefetchLocs, unsigned long long flags,
    cudaStream_t stream) {
  return cudaMemDiscardAndPrefetchBatchAsync(dptrs, sizes, count, prefetchLocs, prefetchLocIdxs,
                                             numPrefetchLocs, flags, perThread(stream));
}

// The array copies a program built with `--default-stream per-thread` calls (_ptds, _ptsz).
// Some forward to the 1D array copies, deprecated but still exported: the define keeps the
// compiler from warning about those calls.
#define CUDA_ENABLE_DEPRECATED
#include "Export.h"
#include "PerThread.h"

using namespace drawbridge::cudart;

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2DToArray_ptds(cudaArray_t dst, size_t wOffset,
                                                              size_t hOffset, const void* src,
                                                              size_t spitch, size_t width,
                                                              size_t height, cudaMemcpyKind kind) {
  return waitIf(cudaMemcpy2DToArrayAsync(dst, wOffset, hOffset, src, spitch, width, height, kind,
                                         cudaStreamPerThread));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2DToArrayAsync_ptsz(
    cudaArray_t dst, size_t wOffset, size_t hOffset, const void* src, size_t spitch, size_t width,
    size_t height, cudaMemcpyKind kind, cudaStream_t stream) {
  return cudaMemcpy2DToArrayAsync(dst, wOffset, hOffset, src, spitch, width, height, kind,
                                  perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2DFromArray_ptds(void* dst, size_t dpitch,
                                                                cudaArray_const_t src,
                                                                size_t wOffset, size_t hOffset,
                                                                size_t width, size_t height,
                                                                cudaMemcpyKind kind) {
  return waitIf(cudaMemcpy2DFromArrayAsync(dst, dpitch, src, wOffset, hOffset, width, height, kind,
                                           cudaStreamPerThread));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2DFromArrayAsync_ptsz(
    void* dst, size_t dpitch, cudaArray_const_t src, size_t wOffset, size_t hOffset, size_t width,
    size_t height, cudaMemcpyKind kind, cudaStream_t stream) {
  return cudaMemcpy2DFromArrayAsync(dst, dpitch, src, wOffset, hOffset, width, height, kind,
                                    perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyToArray_ptds(cudaArray_t dst, size_t wOffset,
                                                            size_t hOffset, const void* src,
                                                            size_t count, cudaMemcpyKind kind) {
  return waitIf(
      cudaMemcpyToArrayAsync(dst, wOffset, hOffset, src, count, kind, cudaStreamPerThread));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyToArrayAsync_ptsz(cudaArray_t dst, size_t wOffset,
                                                                 size_t hOffset, const void* src,
                                                                 size_t count, cudaMemcpyKind kind,
                                                                 cudaStream_t stream) {
  return cudaMemcpyToArrayAsync(dst, wOffset, hOffset, src, count, kind, perThread(stream));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyFromArray_ptds(void* dst, cudaArray_const_t src,
                                                              size_t wOffset, size_t hOffset,
                                                              size_t count, cudaMemcpyKind kind) {
  return waitIf(
      cudaMemcpyFromArrayAsync(dst, src, wOffset, hOffset, count, kind, cudaStreamPerThread));
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyFromArrayAsync_ptsz(void* dst, cudaArray_const_t src,
                                                                   size_t wOffset, size_t hOffset,
                                                                   size_t count,
                                                                   cudaMemcpyKind kind,
                                                                   cudaStream_t stream) {
  return cudaMemcpyFromArrayAsync(dst, src, wOffset, hOffset, count, kind, perThread(stream));
}

// Copies between arrays have no asynchronous form: the thread's stream drains first.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2DArrayToArray_ptds(
    cudaArray_t dst, size_t wOffsetDst, size_t hOffsetDst, cudaArray_const_t src, size_t wOffsetSrc,
    size_t hOffsetSrc, size_t width, size_t height, cudaMemcpyKind kind) {
  if (cudaError_t error = cudaStreamSynchronize(cudaStreamPerThread))
    return error;
  return cudaMemcpy2DArrayToArray(dst, wOffsetDst, hOffsetDst, src, wOffsetSrc, hOffsetSrc, width,
                                  height, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyArrayToArray_ptds(
    cudaArray_t dst, size_t wOffsetDst, size_t hOffsetDst, cudaArray_const_t src, size_t wOffsetSrc,
    size_t hOffsetSrc, size_t count, cudaMemcpyKind kind) {
  if (cudaError_t error = cudaStreamSynchronize(cudaStreamPerThread))
    return error;
  return cudaMemcpyArrayToArray(dst, wOffsetDst, hOffsetDst, src, wOffsetSrc, hOffsetSrc, count,
                                kind);
}

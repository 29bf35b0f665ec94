// Batches of prefetches and discards of managed (or, as the CPU device reports pageable memory
// access, any) memory. A prefetch moves nothing on the CPU device and records its location as
// cudaMemPrefetchAsync does; a discard only makes the contents undefined, and keeping them is
// one way of being undefined. Every entry is checked before any takes effect.
#include "Api.h"
#include "Export.h"
#include "ManagedAdvice.h"

using namespace drawbridge::cudart;

namespace {

// What every batch call checks: its ranges, its reserved flags, and a stream other than the
// legacy default stream.
cudaError_t checkRanges(void** dptrs, const size_t* sizes, size_t count, unsigned long long flags,
                        cudaStream_t stream) {
  if (!dptrs || !sizes || count == 0 || flags != 0 || !stream || stream == cudaStreamLegacy)
    return cudaErrorInvalidValue;
  for (size_t i = 0; i < count; ++i)
    if (!dptrs[i] || sizes[i] == 0)
      return cudaErrorInvalidValue;
  return cudaSuccess;
}

// prefetchLocs[k] applies to the ranges from prefetchLocIdxs[k] up to the next entry's index (the
// last one to the end); the indices start at 0 and rise.
cudaError_t prefetchBatch(void** dptrs, size_t* sizes, size_t count, cudaMemLocation* prefetchLocs,
                          size_t* prefetchLocIdxs, size_t numPrefetchLocs) {
  if (!prefetchLocs || !prefetchLocIdxs || numPrefetchLocs == 0 || numPrefetchLocs > count ||
      prefetchLocIdxs[0] != 0)
    return cudaErrorInvalidValue;
  for (size_t k = 0; k < numPrefetchLocs; ++k) {
    size_t end = k + 1 < numPrefetchLocs ? prefetchLocIdxs[k + 1] : count;
    if (end <= prefetchLocIdxs[k] || end > count)
      return cudaErrorInvalidValue;
    if (cudaError_t error = checkMemLocation(prefetchLocs[k]))
      return error;
  }
  for (size_t k = 0; k < numPrefetchLocs; ++k) {
    size_t end = k + 1 < numPrefetchLocs ? prefetchLocIdxs[k + 1] : count;
    for (size_t i = prefetchLocIdxs[k]; i < end; ++i)
      if (cudaError_t error = prefetch(dptrs[i], sizes[i], prefetchLocs[k]))
        return error;
  }
  return cudaSuccess;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaMemPrefetchBatchAsync(void** dptrs, size_t* sizes, size_t count, cudaMemLocation* prefetchLocs,
                          size_t* prefetchLocIdxs, size_t numPrefetchLocs, unsigned long long flags,
                          cudaStream_t stream) {
  return api(
      "cudaMemPrefetchBatchAsync",
      [&] {
        if (cudaError_t error = checkRanges(dptrs, sizes, count, flags, stream))
          return error;
        return prefetchBatch(dptrs, sizes, count, prefetchLocs, prefetchLocIdxs, numPrefetchLocs);
      },
      dptrs, sizes, count, prefetchLocs, prefetchLocIdxs, numPrefetchLocs, flags, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemDiscardBatchAsync(void** dptrs, size_t* sizes,
                                                              size_t count,
                                                              unsigned long long flags,
                                                              cudaStream_t stream) {
  return api(
      "cudaMemDiscardBatchAsync", [&] { return checkRanges(dptrs, sizes, count, flags, stream); },
      dptrs, sizes, count, flags, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemDiscardAndPrefetchBatchAsync(
    void** dptrs, size_t* sizes, size_t count, cudaMemLocation* prefetchLocs,
    size_t* prefetchLocIdxs, size_t numPrefetchLocs, unsigned long long flags,
    cudaStream_t stream) {
  return api(
      "cudaMemDiscardAndPrefetchBatchAsync",
      [&] {
        if (cudaError_t error = checkRanges(dptrs, sizes, count, flags, stream))
          return error;
        return prefetchBatch(dptrs, sizes, count, prefetchLocs, prefetchLocIdxs, numPrefetchLocs);
      },
      dptrs, sizes, count, prefetchLocs, prefetchLocIdxs, numPrefetchLocs, flags, stream);
}

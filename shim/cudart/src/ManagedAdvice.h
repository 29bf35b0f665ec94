// What the program told CUDA about its managed memory (cudaMemAdvise) and where it last asked
// for it to be prefetched (cudaMemPrefetchAsync), page by page, so that
// cudaMemRangeGetAttribute(s) answers for any range as NVIDIA's does. On the CPU device the
// advice moves nothing: every managed byte already lives where both host and device reach it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cuda_runtime_api.h>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace drawbridge::cudart {

class ManagedAdvice {
public:
  explicit ManagedAdvice(size_t size);

  /// `location` is checked by the caller; for the read-mostly advice it is not used.
  void advise(size_t offset, size_t count, cudaMemoryAdvise advice, cudaMemLocation location);
  void prefetched(size_t offset, size_t count, cudaMemLocation location);
  /// cudaMemRangeGetAttribute over the bytes [offset, offset + count) of the allocation.
  cudaError_t attribute(size_t offset, size_t count, cudaMemRangeAttribute attribute, void* data,
                        size_t dataSize) const;

private:
  struct Page {
    bool readMostly = false;
    cudaMemLocation preferred = {cudaMemLocationTypeInvalid, 0};
    uint64_t accessedBy = 0; // bit d: device d; the top bit: the host
    cudaMemLocation lastPrefetch = {cudaMemLocationTypeInvalid, 0};
  };
  // The pages that hold any of the bytes.
  size_t first(size_t offset) const;
  size_t end(size_t offset, size_t count) const;
  // A location all the pages share, else an invalid one.
  cudaMemLocation common(size_t offset, size_t count, cudaMemLocation Page::*which) const;

  mutable std::mutex mutex_;
  std::vector<Page> pages_;
};

/// A location CUDA accepts for advice and prefetches: an existing device
/// (cudaErrorInvalidDevice otherwise) or the host (cudaErrorInvalidValue for anything else).
cudaError_t checkMemLocation(const cudaMemLocation& location);

/// The managed allocation that holds all of [pointer, pointer + count), and where in it.
struct ManagedRange {
  std::shared_ptr<ManagedAdvice> advice;
  size_t offset;
};
std::optional<ManagedRange> managedRange(const void* pointer, size_t count);

/// cudaMemPrefetchAsync's work once its flags are checked: it moves nothing (the memory already
/// is where every processor reads it) and records the location for cudaMemRangeGetAttribute.
cudaError_t prefetch(const void* pointer, size_t count, cudaMemLocation location);

} // namespace drawbridge::cudart

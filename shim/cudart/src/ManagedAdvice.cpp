#include "ManagedAdvice.h"

#include "Allocations.h"
#include "Runtime.h"

#include <cstring>

namespace drawbridge::cudart {
namespace {

// The host's page: advice and prefetches apply to whole pages.
constexpr size_t kPage = 4096;
constexpr unsigned kHostBit = 63;

bool sameLocation(const cudaMemLocation& a, const cudaMemLocation& b) {
  return a.type == b.type && (a.type != cudaMemLocationTypeDevice || a.id == b.id);
}

// The location as the legacy int attributes give it: a device, cudaCpuDeviceId for the host,
// cudaInvalidDeviceId for none.
int legacyId(const cudaMemLocation& location) {
  switch (location.type) {
  case cudaMemLocationTypeDevice:
    return location.id;
  case cudaMemLocationTypeHost:
  case cudaMemLocationTypeHostNuma:
  case cudaMemLocationTypeHostNumaCurrent:
    return cudaCpuDeviceId;
  default:
    return cudaInvalidDeviceId;
  }
}

unsigned accessBit(const cudaMemLocation& location) {
  return location.type == cudaMemLocationTypeDevice ? static_cast<unsigned>(location.id) : kHostBit;
}

cudaError_t writeInt(void* data, size_t dataSize, int value) {
  if (dataSize != sizeof(int))
    return cudaErrorInvalidValue;
  std::memcpy(data, &value, sizeof value);
  return cudaSuccess;
}

} // namespace

ManagedAdvice::ManagedAdvice(size_t size) : pages_((size + kPage - 1) / kPage) {}

size_t ManagedAdvice::first(size_t offset) const {
  return offset / kPage;
}

size_t ManagedAdvice::end(size_t offset, size_t count) const {
  return (offset + count + kPage - 1) / kPage;
}

void ManagedAdvice::advise(size_t offset, size_t count, cudaMemoryAdvise advice,
                           cudaMemLocation location) {
  std::lock_guard lock(mutex_);
  for (size_t p = first(offset); p < end(offset, count); ++p) {
    Page& page = pages_[p];
    switch (advice) {
    case cudaMemAdviseSetReadMostly:
    case cudaMemAdviseUnsetReadMostly:
      page.readMostly = advice == cudaMemAdviseSetReadMostly;
      break;
    case cudaMemAdviseSetPreferredLocation:
      page.preferred = location;
      break;
    case cudaMemAdviseUnsetPreferredLocation:
      page.preferred = {cudaMemLocationTypeInvalid, 0};
      break;
    case cudaMemAdviseSetAccessedBy:
      page.accessedBy |= uint64_t(1) << accessBit(location);
      break;
    case cudaMemAdviseUnsetAccessedBy:
      page.accessedBy &= ~(uint64_t(1) << accessBit(location));
      break;
    }
  }
}

void ManagedAdvice::prefetched(size_t offset, size_t count, cudaMemLocation location) {
  std::lock_guard lock(mutex_);
  for (size_t p = first(offset); p < end(offset, count); ++p)
    pages_[p].lastPrefetch = location;
}

cudaMemLocation ManagedAdvice::common(size_t offset, size_t count,
                                      cudaMemLocation Page::*which) const {
  cudaMemLocation shared = pages_[first(offset)].*which;
  for (size_t p = first(offset); p < end(offset, count); ++p)
    if (!sameLocation(pages_[p].*which, shared))
      return {cudaMemLocationTypeInvalid, 0};
  return shared;
}

cudaError_t ManagedAdvice::attribute(size_t offset, size_t count, cudaMemRangeAttribute attribute,
                                     void* data, size_t dataSize) const {
  std::lock_guard lock(mutex_);
  switch (attribute) {
  case cudaMemRangeAttributeReadMostly: {
    bool all = true;
    for (size_t p = first(offset); p < end(offset, count); ++p)
      all = all && pages_[p].readMostly;
    return writeInt(data, dataSize, all ? 1 : 0);
  }
  case cudaMemRangeAttributePreferredLocation:
    return writeInt(data, dataSize, legacyId(common(offset, count, &Page::preferred)));
  case cudaMemRangeAttributePreferredLocationType:
    return writeInt(data, dataSize, common(offset, count, &Page::preferred).type);
  case cudaMemRangeAttributePreferredLocationId:
    return writeInt(data, dataSize, common(offset, count, &Page::preferred).id);
  case cudaMemRangeAttributeLastPrefetchLocation:
    return writeInt(data, dataSize, legacyId(common(offset, count, &Page::lastPrefetch)));
  case cudaMemRangeAttributeLastPrefetchLocationType:
    return writeInt(data, dataSize, common(offset, count, &Page::lastPrefetch).type);
  case cudaMemRangeAttributeLastPrefetchLocationId:
    return writeInt(data, dataSize, common(offset, count, &Page::lastPrefetch).id);
  case cudaMemRangeAttributeAccessedBy: {
    // Every device (and the host) advised for all the pages, then cudaInvalidDeviceId.
    if (dataSize == 0 || dataSize % sizeof(int) != 0)
      return cudaErrorInvalidValue;
    uint64_t all = ~uint64_t(0);
    for (size_t p = first(offset); p < end(offset, count); ++p)
      all &= pages_[p].accessedBy;
    std::vector<int> ids(dataSize / sizeof(int), cudaInvalidDeviceId);
    size_t next = 0;
    for (unsigned bit = 0; bit <= kHostBit && next < ids.size(); ++bit)
      if (all & (uint64_t(1) << bit))
        ids[next++] = bit == kHostBit ? cudaCpuDeviceId : static_cast<int>(bit);
    std::memcpy(data, ids.data(), dataSize);
    return cudaSuccess;
  }
  }
  return cudaErrorInvalidValue;
}

cudaError_t checkMemLocation(const cudaMemLocation& location) {
  switch (location.type) {
  case cudaMemLocationTypeDevice: {
    drawbridge::backend::Device* device = nullptr;
    return Runtime::instance().device(location.id, device) == cudaSuccess ? cudaSuccess
                                                                          : cudaErrorInvalidDevice;
  }
  case cudaMemLocationTypeHost:
  case cudaMemLocationTypeHostNuma:
  case cudaMemLocationTypeHostNumaCurrent:
    return cudaSuccess;
  default:
    return cudaErrorInvalidValue;
  }
}

std::optional<ManagedRange> managedRange(const void* pointer, size_t count) {
  auto allocation = Allocations::instance().find(pointer);
  if (!allocation || !allocation->advice)
    return std::nullopt;
  size_t offset = static_cast<const char*>(pointer) - static_cast<const char*>(allocation->base);
  if (count > allocation->size - offset)
    return std::nullopt;
  return ManagedRange{allocation->advice, offset};
}

cudaError_t prefetch(const void* pointer, size_t count, cudaMemLocation location) {
  if (!pointer || count == 0)
    return cudaErrorInvalidValue;
  if (cudaError_t error = checkMemLocation(location))
    return error;
  if (auto range = managedRange(pointer, count))
    range->advice->prefetched(range->offset, count, location);
  return cudaSuccess;
}

} // namespace drawbridge::cudart

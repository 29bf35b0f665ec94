#include "MemPool.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>

namespace {

constexpr size_t kAlign = 256; // cudaMalloc's alignment

size_t aligned(size_t size) {
  return (size + kAlign - 1) / kAlign * kAlign;
}

} // namespace

void* CUmemPoolHandle_st::allocate(size_t size) {
  std::lock_guard lock(mutex);
  if (imported || (maxSize && (size > maxSize || used > maxSize - size)))
    return nullptr;
  void* p = region ? carve(aligned(size)) : std::aligned_alloc(kAlign, aligned(size));
  if (!p)
    return nullptr;
  live[p] = size;
  used += size;
  usedHigh = std::max(usedHigh, used);
  return p;
}

void* CUmemPoolHandle_st::carve(size_t bytes) {
  for (auto it = freeRanges.begin(); it != freeRanges.end(); ++it) {
    if (it->second < bytes)
      continue;
    auto [offset, available] = *it;
    freeRanges.erase(it);
    if (available > bytes)
      freeRanges[offset + bytes] = available - bytes;
    return region + offset;
  }
  return nullptr;
}

bool CUmemPoolHandle_st::owns(void* p) {
  std::lock_guard lock(mutex);
  return live.count(p) != 0;
}

void CUmemPoolHandle_st::release(void* p) {
  std::lock_guard lock(mutex);
  auto it = live.find(p);
  if (it == live.end())
    return;
  size_t size = it->second;
  used -= size;
  live.erase(it);
  if (imported)
    return; // the exporting process owns the memory
  if (!region) {
    std::free(p);
    return;
  }
  // Back into the region's free ranges, merged with its neighbours.
  size_t offset = size_t(static_cast<std::byte*>(p) - region), bytes = aligned(size);
  auto next = freeRanges.lower_bound(offset);
  if (next != freeRanges.end() && offset + bytes == next->first) {
    bytes += next->second;
    next = freeRanges.erase(next);
  }
  if (next != freeRanges.begin()) {
    auto previous = std::prev(next);
    if (previous->first + previous->second == offset) {
      previous->second += bytes;
      return;
    }
  }
  freeRanges[offset] = bytes;
}

void* CUmemPoolHandle_st::adopt(size_t offset, size_t size) {
  std::lock_guard lock(mutex);
  void* p = region + offset;
  live[p] = size;
  used += size;
  usedHigh = std::max(usedHigh, used);
  return p;
}

cudaMemAccessFlags CUmemPoolHandle_st::deviceAccess(int device) {
  if (ownedBy(device))
    return cudaMemAccessFlagsProtReadWrite;
  std::lock_guard lock(mutex);
  auto it = peerAccess.find(device);
  return it == peerAccess.end() ? cudaMemAccessFlagsProtNone : it->second;
}

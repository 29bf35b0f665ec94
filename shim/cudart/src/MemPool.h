// Memory pools (MemPoolApi.cpp) and what other files need of them: stream-ordered allocation
// frees (cudaFree of cudaMallocAsync memory) and pools shared between processes
// (MemPoolSharingApi.cpp).
#pragma once

#include "PoolLocation.h"

#include <cstddef>
#include <cstdint>
#include <cuda_runtime_api.h>
#include <map>
#include <mutex>

struct CUmemPoolHandle_st {
  drawbridge::cudart::PoolKey key; // where its memory lives and of which kind
  size_t maxSize = 0;              // cudaMemPoolProps::maxSize; 0 for no limit of the pool's own
  bool destroyed = false;          // cudaMemPoolDestroy came while allocations were still live
  // A pool shared by descriptor (cudaMemHandleTypePosixFileDescriptor) hands out memory from
  // one region of the device's shareable memory, whose descriptor it exports; an imported pool
  // maps another process's region and only imports pointers into it. Others use the heap.
  std::byte* region = nullptr;
  size_t regionBytes = 0;
  bool imported = false;
  std::mutex mutex;
  // Devices' access, as cudaMemPoolSetAccess left it; the owner always has read-write.
  std::map<int, cudaMemAccessFlags> peerAccess;
  std::map<void*, size_t> live;
  std::map<size_t, size_t> freeRanges; // of the region: offset to bytes
  uint64_t used = 0, usedHigh = 0;
  uint64_t releaseThreshold = 0;
  int reuseFollowEvents = 1, reuseOpportunistic = 1, reuseInternalDependencies = 1;

  /// Null when the pool cannot hold `size` more bytes.
  void* allocate(size_t size);
  bool owns(void* p);
  void release(void* p);
  /// Memory of an imported pool, at `offset` of the exporter's region (cudaMemPoolImportPointer).
  void* adopt(size_t offset, size_t size);
  /// Whether the device has the memory for its own: the pool's own device, and every device
  /// for managed memory, which every processor reaches.
  bool ownedBy(int device) const {
    return key.type == cudaMemAllocationTypeManaged || (key.onDevice() && key.id == device);
  }
  /// The access a device has: read-write for an owner, what cudaMemPoolSetAccess gave it
  /// otherwise.
  cudaMemAccessFlags deviceAccess(int device);

private:
  void* carve(size_t bytes); // from the region's free ranges; the lock is held
};

namespace drawbridge::cudart {

/// cudaFree of memory from cudaMallocAsync: CUDA allows it, after the device is idle.
/// False when the pointer is not the pool's.
bool freeFromPoolNow(void* pointer);
/// A pool the program may still use: a default one, or a created one not destroyed.
bool poolUsable(cudaMemPool_t pool);
/// The pool that handed out `pointer`, or null.
cudaMemPool_t poolOwning(void* pointer);
/// A pool cudaMemPoolImportFromShareableHandle made, kept as the created ones are.
void addImportedPool(cudaMemPool_t pool);

} // namespace drawbridge::cudart

// The default memory pool of each device and the stream-ordered allocator on it. Freed memory
// goes back to the system when the stream reaches the free, so the pool holds exactly what is
// in use: the release threshold is kept but has nothing to hold back.
#include "Allocations.h"
#include "Api.h"
#include "Capture.h"
#include "Export.h"
#include "MemPool.h"
#include "Operations.h"
#include "Runtime.h"

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>

using namespace drawbridge::cudart;

struct CUmemPoolHandle_st {
  int device;
  std::mutex mutex;
  std::map<void*, size_t> live;
  uint64_t used = 0, usedHigh = 0;
  uint64_t releaseThreshold = 0;
  int reuseFollowEvents = 1, reuseOpportunistic = 1, reuseInternalDependencies = 1;

  void* allocate(size_t size) {
    constexpr size_t kAlign = 256; // cudaMalloc's alignment
    void* p = std::aligned_alloc(kAlign, (size + kAlign - 1) / kAlign * kAlign);
    if (!p)
      return nullptr;
    std::lock_guard lock(mutex);
    live[p] = size;
    used += size;
    usedHigh = std::max(usedHigh, used);
    return p;
  }
  bool owns(void* p) {
    std::lock_guard lock(mutex);
    return live.count(p) != 0;
  }
  void release(void* p) {
    std::lock_guard lock(mutex);
    auto it = live.find(p);
    if (it == live.end())
      return;
    used -= it->second;
    live.erase(it);
    std::free(p);
  }
};

namespace {

constexpr int kMaxDevices = 64;

CUmemPoolHandle_st* defaultPool(int device) {
  static CUmemPoolHandle_st* pools[kMaxDevices] = {};
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (!pools[device]) {
    pools[device] = new CUmemPoolHandle_st; // lives as long as the process, as CUDA's
    pools[device]->device = device;
  }
  return pools[device];
}

cudaError_t poolOf(int device, cudaMemPool_t* pool) {
  if (!pool)
    return cudaErrorInvalidValue;
  drawbridge::backend::Device* d = nullptr;
  if (cudaError_t error = Runtime::instance().device(device, d))
    return error;
  if (device >= kMaxDevices)
    return cudaErrorInvalidDevice;
  *pool = defaultPool(device);
  return cudaSuccess;
}

cudaError_t allocateFrom(cudaMemPool_t pool, void** pointer, size_t size) {
  if (!pointer || !pool)
    return cudaErrorInvalidValue;
  *pointer = nullptr;
  if (size == 0)
    return cudaErrorInvalidValue;
  void* p = pool->allocate(size);
  if (!p)
    return cudaErrorMemoryAllocation;
  Allocations::instance().add({p, size, cudaMemoryTypeDevice, pool->device, false});
  *pointer = p;
  return cudaSuccess;
}

CUmemPoolHandle_st* owningPool(void* pointer) {
  int count = 0;
  (void)Runtime::instance().deviceCount(count);
  for (int device = 0; device < count && device < kMaxDevices; ++device)
    if (defaultPool(device)->owns(pointer))
      return defaultPool(device);
  return nullptr;
}

cudaError_t freeInStreamOrder(void* pointer, cudaStream_t stream) {
  if (!pointer)
    return cudaErrorInvalidValue;
  CUmemPoolHandle_st* pool = owningPool(pointer);
  if (!pool)
    return cudaErrorInvalidValue;
  if (capture::active())
    return cudaErrorStreamCaptureUnsupported; // graph memory nodes are not supported
  Allocations::instance().remove(pointer);
  return enqueueHostWork(
      stream, [pool, pointer] { pool->release(pointer); }, "cudaFreeAsync");
}

template <typename T> cudaError_t readValue(T value, void* out) {
  *static_cast<T*>(out) = value;
  return cudaSuccess;
}

cudaError_t getAttribute(CUmemPoolHandle_st& pool, cudaMemPoolAttr attr, void* value) {
  std::lock_guard lock(pool.mutex);
  switch (attr) {
  case cudaMemPoolReuseFollowEventDependencies:
    return readValue(pool.reuseFollowEvents, value);
  case cudaMemPoolReuseAllowOpportunistic:
    return readValue(pool.reuseOpportunistic, value);
  case cudaMemPoolReuseAllowInternalDependencies:
    return readValue(pool.reuseInternalDependencies, value);
  case cudaMemPoolAttrReleaseThreshold:
    return readValue(pool.releaseThreshold, value);
  case cudaMemPoolAttrReservedMemCurrent:
  case cudaMemPoolAttrUsedMemCurrent:
    return readValue(pool.used, value);
  case cudaMemPoolAttrReservedMemHigh:
  case cudaMemPoolAttrUsedMemHigh:
    return readValue(pool.usedHigh, value);
  default:
    return cudaErrorInvalidValue;
  }
}

cudaError_t setAttribute(CUmemPoolHandle_st& pool, cudaMemPoolAttr attr, void* value) {
  std::lock_guard lock(pool.mutex);
  switch (attr) {
  case cudaMemPoolReuseFollowEventDependencies:
    pool.reuseFollowEvents = *static_cast<int*>(value);
    return cudaSuccess;
  case cudaMemPoolReuseAllowOpportunistic:
    pool.reuseOpportunistic = *static_cast<int*>(value);
    return cudaSuccess;
  case cudaMemPoolReuseAllowInternalDependencies:
    pool.reuseInternalDependencies = *static_cast<int*>(value);
    return cudaSuccess;
  case cudaMemPoolAttrReleaseThreshold:
    pool.releaseThreshold = *static_cast<uint64_t*>(value);
    return cudaSuccess;
  case cudaMemPoolAttrReservedMemHigh:
  case cudaMemPoolAttrUsedMemHigh:
    // Only resetting the watermark to zero is allowed; it restarts from the current use.
    if (*static_cast<uint64_t*>(value) != 0)
      return cudaErrorInvalidValue;
    pool.usedHigh = pool.used;
    return cudaSuccess;
  default:
    return cudaErrorInvalidValue;
  }
}

} // namespace

namespace drawbridge::cudart {

bool freeFromPoolNow(void* pointer) {
  CUmemPoolHandle_st* pool = owningPool(pointer);
  if (!pool)
    return false;
  Allocations::instance().remove(pointer);
  (void)cudaDeviceSynchronize();
  pool->release(pointer);
  return true;
}

} // namespace drawbridge::cudart

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetDefaultMemPool(cudaMemPool_t* memPool,
                                                                 int device) {
  return api(
      "cudaDeviceGetDefaultMemPool", [&] { return poolOf(device, memPool); }, memPool, device);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetMemPool(cudaMemPool_t* memPool, int device) {
  return api(
      "cudaDeviceGetMemPool", [&] { return poolOf(device, memPool); }, memPool, device);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMallocAsync(void** devPtr, size_t size,
                                                     cudaStream_t hStream) {
  return api(
      "cudaMallocAsync",
      [&] {
        cudaMemPool_t pool = nullptr;
        if (cudaError_t error = poolOf(Runtime::instance().currentOrdinal(), &pool))
          return error;
        return allocateFrom(pool, devPtr, size);
      },
      devPtr, size, hStream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMallocFromPoolAsync(void** ptr, size_t size,
                                                             cudaMemPool_t memPool,
                                                             cudaStream_t stream) {
  return api(
      "cudaMallocFromPoolAsync", [&] { return allocateFrom(memPool, ptr, size); }, ptr, size,
      memPool, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaFreeAsync(void* devPtr, cudaStream_t hStream) {
  return api(
      "cudaFreeAsync", [&] { return freeInStreamOrder(devPtr, hStream); }, devPtr, hStream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMallocAsync_ptsz(void** devPtr, size_t size,
                                                          cudaStream_t hStream) {
  return cudaMallocAsync(devPtr, size, hStream ? hStream : cudaStreamPerThread);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaFreeAsync_ptsz(void* devPtr, cudaStream_t hStream) {
  return cudaFreeAsync(devPtr, hStream ? hStream : cudaStreamPerThread);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemPoolGetAttribute(cudaMemPool_t memPool,
                                                             cudaMemPoolAttr attr, void* value) {
  return api(
      "cudaMemPoolGetAttribute",
      [&] {
        if (!memPool || !value)
          return cudaErrorInvalidValue;
        return getAttribute(*memPool, attr, value);
      },
      memPool, attr, value);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemPoolSetAttribute(cudaMemPool_t memPool,
                                                             cudaMemPoolAttr attr, void* value) {
  return api(
      "cudaMemPoolSetAttribute",
      [&] {
        if (!memPool || !value)
          return cudaErrorInvalidValue;
        return setAttribute(*memPool, attr, value);
      },
      memPool, attr, value);
}

// Freed memory is returned to the system at once, so there is never more to trim.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemPoolTrimTo(cudaMemPool_t memPool,
                                                       size_t minBytesToKeep) {
  return api(
      "cudaMemPoolTrimTo", [&] { return memPool ? cudaSuccess : cudaErrorInvalidValue; }, memPool,
      minBytesToKeep);
}

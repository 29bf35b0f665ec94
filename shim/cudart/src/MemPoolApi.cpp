// Memory pools: each device's default pool, the pools a program creates, each device's current
// pool, and the stream-ordered allocator on them. Freed memory goes back to the system when the
// stream reaches the free, so a pool holds exactly what is in use: the release threshold is
// kept but has nothing to hold back.
#include "Allocations.h"
#include "Api.h"
#include "Capture.h"
#include "Export.h"
#include "GraphMemory.h"
#include "GraphWork.h"
#include "Log.h"
#include "MemPool.h"
#include "Operations.h"
#include "Runtime.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

using namespace drawbridge::cudart;

struct CUmemPoolHandle_st {
  int device;
  bool destroyed = false; // cudaMemPoolDestroy came while allocations were still live
  std::mutex mutex;
  // Other devices' access, as cudaMemPoolSetAccess left it; the owner always has read-write.
  std::map<int, cudaMemAccessFlags> peerAccess;
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

// Every pool: the devices' default pools (made on first use, living as long as the process, as
// CUDA's) and the created ones, with each device's current pool.
struct Pools {
  std::mutex mutex;
  CUmemPoolHandle_st* defaults[kMaxDevices] = {};
  CUmemPoolHandle_st* current[kMaxDevices] = {};
  std::set<CUmemPoolHandle_st*> created;

  static Pools& instance() {
    static Pools pools;
    return pools;
  }
  CUmemPoolHandle_st* defaultLocked(int device) {
    if (!defaults[device]) {
      defaults[device] = new CUmemPoolHandle_st;
      defaults[device]->device = device;
    }
    return defaults[device];
  }
  /// A pool the program may still use: a default one, or a created one not destroyed.
  bool usable(cudaMemPool_t pool) {
    std::lock_guard lock(mutex);
    if (created.count(pool))
      return !pool->destroyed;
    return pool && pool->device >= 0 && pool->device < kMaxDevices &&
           defaults[pool->device] == pool;
  }
};

cudaError_t checkDevice(int device) {
  drawbridge::backend::Device* d = nullptr;
  if (cudaError_t error = Runtime::instance().device(device, d))
    return error;
  return device < kMaxDevices ? cudaSuccess : cudaErrorInvalidDevice;
}

cudaError_t poolOf(int device, cudaMemPool_t* pool, bool current) {
  if (!pool)
    return cudaErrorInvalidValue;
  if (cudaError_t error = checkDevice(device))
    return error;
  Pools& pools = Pools::instance();
  std::lock_guard lock(pools.mutex);
  *pool = current && pools.current[device] ? pools.current[device] : pools.defaultLocked(device);
  return cudaSuccess;
}

cudaError_t setCurrentPool(int device, cudaMemPool_t pool) {
  if (cudaError_t error = checkDevice(device))
    return error;
  Pools& pools = Pools::instance();
  if (!pools.usable(pool) || pool->device != device)
    return cudaErrorInvalidValue;
  std::lock_guard lock(pools.mutex);
  pools.current[device] = pool;
  return cudaSuccess;
}

/// The pool CUDA's location-and-type calls name: the CPU device has pinned device pools only.
cudaError_t devicePoolLocation(const cudaMemLocation* location, cudaMemAllocationType type,
                               const char* api, int& device) {
  if (!location)
    return cudaErrorInvalidValue;
  if (location->type != cudaMemLocationTypeDevice || type != cudaMemAllocationTypePinned) {
    logError("drawbridge: %s: only pinned pools on a device are supported (host, NUMA and "
             "managed pools are not); use the device's pool\n",
             api);
    return cudaErrorNotSupported;
  }
  device = location->id;
  return checkDevice(device);
}

cudaError_t createPool(cudaMemPool_t* pool, const cudaMemPoolProps* props) {
  if (!pool || !props || props->allocType != cudaMemAllocationTypePinned)
    return cudaErrorInvalidValue;
  if (props->location.type != cudaMemLocationTypeDevice ||
      props->handleTypes != cudaMemHandleTypeNone) {
    logError("drawbridge: cudaMemPoolCreate: only pools on a device without IPC "
             "handles are supported (devices live in one process)\n");
    return cudaErrorNotSupported;
  }
  if (checkDevice(props->location.id) != cudaSuccess)
    return cudaErrorInvalidValue;
  auto* made = new CUmemPoolHandle_st;
  made->device = props->location.id;
  Pools& pools = Pools::instance();
  std::lock_guard lock(pools.mutex);
  pools.created.insert(made);
  *pool = made;
  return cudaSuccess;
}

// A pool with live allocations stays until they are freed (CUDA releases it then); the handle
// is unusable at once. The device's current pool becomes its default pool again.
cudaError_t destroyPool(cudaMemPool_t pool) {
  Pools& pools = Pools::instance();
  if (!pools.usable(pool))
    return cudaErrorInvalidValue;
  std::lock_guard lock(pools.mutex);
  if (!pools.created.count(pool))
    return cudaErrorInvalidValue; // a default pool cannot be destroyed
  if (pools.current[pool->device] == pool)
    pools.current[pool->device] = nullptr;
  {
    std::lock_guard poolLock(pool->mutex);
    if (!pool->live.empty()) {
      pool->destroyed = true;
      return cudaSuccess;
    }
  }
  pools.created.erase(pool);
  delete pool;
  return cudaSuccess;
}

cudaError_t allocateFrom(cudaMemPool_t pool, void** pointer, size_t size) {
  if (!pointer || !Pools::instance().usable(pool))
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
  Pools& pools = Pools::instance();
  std::lock_guard lock(pools.mutex);
  for (CUmemPoolHandle_st* pool : pools.defaults)
    if (pool && pool->owns(pointer))
      return pool;
  for (CUmemPoolHandle_st* pool : pools.created)
    if (pool->owns(pointer))
      return pool;
  return nullptr;
}

/// Frees one allocation; a destroyed pool goes with its last one.
void releaseFrom(CUmemPoolHandle_st* pool, void* pointer) {
  pool->release(pointer);
  Pools& pools = Pools::instance();
  std::lock_guard lock(pools.mutex);
  if (!pool->destroyed || !pools.created.count(pool))
    return;
  {
    std::lock_guard poolLock(pool->mutex);
    if (!pool->live.empty())
      return;
  }
  pools.created.erase(pool);
  delete pool;
}

// On a capturing stream, an allocation becomes an allocation node, whose address the program
// gets at once (CUDA's); nothing otherwise.
std::optional<cudaError_t> allocateInCapture(void** pointer, size_t size, int device,
                                             cudaStream_t stream) {
  if (capture::info(stream).status == cudaStreamCaptureStatusNone)
    return std::nullopt;
  if (!pointer || size == 0)
    return cudaErrorInvalidValue;
  MemAllocWork work;
  if (cudaError_t error = graphMemory::create(size, device, work.allocation))
    return error;
  void* address = work.allocation->address;
  std::optional<cudaError_t> result = capture::intercept(stream, std::move(work));
  if (result && *result == cudaSuccess)
    *pointer = address;
  return result;
}

cudaError_t freeInStreamOrder(void* pointer, cudaStream_t stream) {
  if (!pointer)
    return cudaErrorInvalidValue;
  if (graphMemory::find(pointer)) {
    // A graph allocation: freed by a free node when captured, else now in issue order.
    if (capture::info(stream).status != cudaStreamCaptureStatusNone) {
      NodeWork work;
      if (cudaError_t error = freeWork(pointer, work))
        return error;
      return capture::intercept(stream, std::move(work)).value_or(cudaSuccess);
    }
    return graphMemory::release(pointer) ? cudaSuccess : cudaErrorInvalidValue;
  }
  CUmemPoolHandle_st* pool = owningPool(pointer);
  if (!pool)
    return cudaErrorInvalidValue;
  if (capture::active())
    return cudaErrorStreamCaptureUnsupported; // only graph allocations can be freed by a node
  Allocations::instance().remove(pointer);
  return enqueueHostWork(
      stream, [pool, pointer] { releaseFrom(pool, pointer); }, "cudaFreeAsync");
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
  releaseFrom(pool, pointer);
  return true;
}

} // namespace drawbridge::cudart

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetDefaultMemPool(cudaMemPool_t* memPool,
                                                                 int device) {
  return api(
      "cudaDeviceGetDefaultMemPool", [&] { return poolOf(device, memPool, false); }, memPool,
      device);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetMemPool(cudaMemPool_t* memPool, int device) {
  return api(
      "cudaDeviceGetMemPool", [&] { return poolOf(device, memPool, true); }, memPool, device);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMallocAsync(void** devPtr, size_t size,
                                                     cudaStream_t hStream) {
  return api(
      "cudaMallocAsync",
      [&] {
        int device = Runtime::instance().currentOrdinal();
        if (auto captured = allocateInCapture(devPtr, size, device, hStream))
          return *captured;
        cudaMemPool_t pool = nullptr;
        if (cudaError_t error = poolOf(device, &pool, true))
          return error;
        return allocateFrom(pool, devPtr, size);
      },
      devPtr, size, hStream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMallocFromPoolAsync(void** ptr, size_t size,
                                                             cudaMemPool_t memPool,
                                                             cudaStream_t stream) {
  return api(
      "cudaMallocFromPoolAsync",
      [&] {
        if (!Pools::instance().usable(memPool))
          return cudaErrorInvalidValue;
        if (auto captured = allocateInCapture(ptr, size, memPool->device, stream))
          return *captured;
        return allocateFrom(memPool, ptr, size);
      },
      ptr, size, memPool, stream);
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
        if (!Pools::instance().usable(memPool) || !value)
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
        if (!Pools::instance().usable(memPool) || !value)
          return cudaErrorInvalidValue;
        return setAttribute(*memPool, attr, value);
      },
      memPool, attr, value);
}

// Freed memory is returned to the system at once, so there is never more to trim.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemPoolTrimTo(cudaMemPool_t memPool,
                                                       size_t minBytesToKeep) {
  return api(
      "cudaMemPoolTrimTo",
      [&] { return Pools::instance().usable(memPool) ? cudaSuccess : cudaErrorInvalidValue; },
      memPool, minBytesToKeep);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMallocFromPoolAsync_ptsz(void** ptr, size_t size,
                                                                  cudaMemPool_t memPool,
                                                                  cudaStream_t stream) {
  return cudaMallocFromPoolAsync(ptr, size, memPool, stream ? stream : cudaStreamPerThread);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemPoolCreate(cudaMemPool_t* memPool,
                                                       const cudaMemPoolProps* poolProps) {
  return api(
      "cudaMemPoolCreate", [&] { return createPool(memPool, poolProps); }, memPool, poolProps);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemPoolDestroy(cudaMemPool_t memPool) {
  return api(
      "cudaMemPoolDestroy", [&] { return destroyPool(memPool); }, memPool);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceSetMemPool(int device, cudaMemPool_t memPool) {
  return api(
      "cudaDeviceSetMemPool", [&] { return setCurrentPool(device, memPool); }, device, memPool);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemGetDefaultMemPool(cudaMemPool_t* memPool,
                                                              cudaMemLocation* location,
                                                              cudaMemAllocationType type) {
  return api(
      "cudaMemGetDefaultMemPool",
      [&] {
        int device = 0;
        if (cudaError_t error =
                devicePoolLocation(location, type, "cudaMemGetDefaultMemPool", device))
          return error;
        return poolOf(device, memPool, false);
      },
      memPool, location, type);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemGetMemPool(cudaMemPool_t* memPool,
                                                       cudaMemLocation* location,
                                                       cudaMemAllocationType type) {
  return api(
      "cudaMemGetMemPool",
      [&] {
        int device = 0;
        if (cudaError_t error = devicePoolLocation(location, type, "cudaMemGetMemPool", device))
          return error;
        return poolOf(device, memPool, true);
      },
      memPool, location, type);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemSetMemPool(cudaMemLocation* location,
                                                       cudaMemAllocationType type,
                                                       cudaMemPool_t memPool) {
  return api(
      "cudaMemSetMemPool",
      [&] {
        int device = 0;
        if (cudaError_t error = devicePoolLocation(location, type, "cudaMemSetMemPool", device))
          return error;
        return setCurrentPool(device, memPool);
      },
      location, type, memPool);
}

// Every device's memory is the host's, so any device can be given access to any pool; the
// pool's own device always has read-write access, which cannot be taken away.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemPoolSetAccess(cudaMemPool_t memPool,
                                                          const cudaMemAccessDesc* descList,
                                                          size_t count) {
  return api(
      "cudaMemPoolSetAccess",
      [&] {
        if (!Pools::instance().usable(memPool) || (count && !descList))
          return cudaErrorInvalidValue;
        for (size_t i = 0; i < count; ++i) {
          const cudaMemAccessDesc& desc = descList[i];
          bool knownFlags = desc.flags == cudaMemAccessFlagsProtNone ||
                            desc.flags == cudaMemAccessFlagsProtReadWrite;
          if (desc.location.type != cudaMemLocationTypeDevice || !knownFlags)
            return cudaErrorInvalidValue;
          if (cudaError_t error = checkDevice(desc.location.id))
            return error;
          if (desc.location.id == memPool->device && desc.flags != cudaMemAccessFlagsProtReadWrite)
            return cudaErrorInvalidValue;
        }
        std::lock_guard lock(memPool->mutex);
        for (size_t i = 0; i < count; ++i)
          if (descList[i].location.id != memPool->device)
            memPool->peerAccess[descList[i].location.id] = descList[i].flags;
        return cudaSuccess;
      },
      memPool, descList, count);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemPoolGetAccess(cudaMemAccessFlags* flags,
                                                          cudaMemPool_t memPool,
                                                          cudaMemLocation* location) {
  return api(
      "cudaMemPoolGetAccess",
      [&] {
        if (!flags || !location || !Pools::instance().usable(memPool) ||
            location->type != cudaMemLocationTypeDevice)
          return cudaErrorInvalidValue;
        if (cudaError_t error = checkDevice(location->id))
          return error;
        std::lock_guard lock(memPool->mutex);
        auto it = memPool->peerAccess.find(location->id);
        *flags = location->id == memPool->device   ? cudaMemAccessFlagsProtReadWrite
                 : it == memPool->peerAccess.end() ? cudaMemAccessFlagsProtNone
                                                   : it->second;
        return cudaSuccess;
      },
      flags, memPool, location);
}

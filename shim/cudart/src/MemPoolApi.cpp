// Memory pools: each location's default pools (devices, the host and its NUMA nodes; pinned and
// managed), the pools a program creates, each location's current pools, and the stream-ordered
// allocator on them. Freed memory goes back to the system (to the region, for a pool shared by
// descriptor) when the stream reaches the free, so a pool holds exactly what is in use: the
// release threshold is kept but has nothing to hold back.
#include "Allocations.h"
#include "Api.h"
#include "Capture.h"
#include "Export.h"
#include "GraphMemory.h"
#include "GraphWork.h"
#include "Log.h"
#include "ManagedAdvice.h"
#include "MemPool.h"
#include "Operations.h"
#include "PoolLocation.h"
#include "Runtime.h"

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>

using namespace drawbridge::cudart;

namespace {

// Every pool: each location's default pools (made on first use, living as long as the process,
// as CUDA's) and the created ones, with each location's current pools.
struct Pools {
  std::mutex mutex;
  std::map<PoolKey, CUmemPoolHandle_st*> defaults, current;
  std::set<CUmemPoolHandle_st*> defaultSet, created;

  // Never destroyed, as the default pools live as long as the process (and stay reachable).
  static Pools& instance() {
    static Pools& pools = *new Pools;
    return pools;
  }
  CUmemPoolHandle_st* defaultLocked(const PoolKey& key) {
    CUmemPoolHandle_st*& pool = defaults[key];
    if (!pool) {
      pool = new CUmemPoolHandle_st;
      pool->key = key;
      defaultSet.insert(pool);
    }
    return pool;
  }
  /// A pool the program may still use: a default one, or a created one not destroyed.
  bool usable(cudaMemPool_t pool) {
    std::lock_guard lock(mutex);
    if (created.count(pool))
      return !pool->destroyed;
    return defaultSet.count(pool) != 0;
  }
};

PoolKey devicePool(int device) {
  return {cudaMemAllocationTypePinned, cudaMemLocationTypeDevice, device};
}

cudaError_t checkDevice(int device) {
  drawbridge::backend::Device* d = nullptr;
  return Runtime::instance().device(device, d);
}

cudaError_t poolOf(const PoolKey& key, cudaMemPool_t* pool, bool current) {
  if (!pool)
    return cudaErrorInvalidValue;
  Pools& pools = Pools::instance();
  std::lock_guard lock(pools.mutex);
  auto it = pools.current.find(key);
  *pool = current && it != pools.current.end() ? it->second : pools.defaultLocked(key);
  return cudaSuccess;
}

cudaError_t devicePoolOf(int device, cudaMemPool_t* pool, bool current) {
  if (cudaError_t error = checkDevice(device))
    return error;
  return poolOf(devicePool(device), pool, current);
}

/// A pool becomes a location's current pool only for its own location and type.
cudaError_t setCurrentPool(const PoolKey& key, cudaMemPool_t pool) {
  Pools& pools = Pools::instance();
  if (!pools.usable(pool) || pool->key != key || pool->imported)
    return cudaErrorInvalidValue; // an imported pool makes no allocations (CUDA)
  std::lock_guard lock(pools.mutex);
  pools.current[key] = pool;
  return cudaSuccess;
}

/// The key of the pool cudaMemPoolCreate's properties describe: what cudaMemGetMemPool takes,
/// except that a created pool's NUMA node must be named, and only device pools can be shared.
cudaError_t createdPoolKey(const cudaMemPoolProps& props, PoolKey& key) {
  if (props.location.type == cudaMemLocationTypeDevice &&
      checkDevice(props.location.id) != cudaSuccess)
    return cudaErrorInvalidValue;
  if (poolKey(&props.location, props.allocType, key) != cudaSuccess)
    return cudaErrorInvalidValue;
  if (props.handleTypes == cudaMemHandleTypeNone)
    return cudaSuccess;
  if (!key.onDevice() || key.type != cudaMemAllocationTypePinned)
    return cudaErrorInvalidValue; // CUDA's host and managed pools cannot be shared at all
  if (props.handleTypes == cudaMemHandleTypePosixFileDescriptor)
    return cudaSuccess;
  logError("drawbridge: cudaMemPoolCreate: pools are shared by POSIX file descriptor only "
           "(Windows handles and fabric handles need a Windows or NVLink fabric producer); "
           "create the pool with cudaMemHandleTypePosixFileDescriptor\n");
  return cudaErrorNotSupported;
}

cudaError_t createPool(cudaMemPool_t* pool, const cudaMemPoolProps* props) {
  if (!pool || !props)
    return cudaErrorInvalidValue;
  PoolKey key;
  if (cudaError_t error = createdPoolKey(*props, key))
    return error;
  auto made = std::make_unique<CUmemPoolHandle_st>();
  made->key = key;
  made->maxSize = props->maxSize;
  if (props->handleTypes == cudaMemHandleTypePosixFileDescriptor) {
    // One region as large as the pool may grow (the device's memory without a maximum); its
    // pages are used only as allocations touch them.
    drawbridge::backend::Device* d = nullptr;
    if (cudaError_t error = Runtime::instance().device(key.id, d))
      return error;
    size_t bytes = props->maxSize ? props->maxSize : d->properties().totalMemory;
    auto region = d->createShareableRegion(bytes);
    if (!region)
      return toCudaError(region.status(), "cudaMemPoolCreate");
    made->region = static_cast<std::byte*>(*region);
    made->regionBytes = bytes;
    made->freeRanges[0] = bytes;
  }
  Pools& pools = Pools::instance();
  std::lock_guard lock(pools.mutex);
  *pool = made.release();
  pools.created.insert(*pool);
  return cudaSuccess;
}

// A created pool's end: its shareable region, or the mapping of an imported one, goes with it.
void deletePool(CUmemPoolHandle_st* pool) {
  drawbridge::backend::Device* d = nullptr;
  if (pool->region && Runtime::instance().device(pool->key.id, d) == cudaSuccess)
    static_cast<void>(pool->imported ? d->unmapExternalMemory(pool->region)
                                     : d->destroyShareableRegion(pool->region));
  delete pool;
}

// A pool with live allocations stays until they are freed (CUDA releases it then); the handle
// is unusable at once. Its location's current pool becomes the default pool again.
cudaError_t destroyPool(cudaMemPool_t pool) {
  Pools& pools = Pools::instance();
  if (!pools.usable(pool))
    return cudaErrorInvalidValue;
  std::lock_guard lock(pools.mutex);
  if (!pools.created.count(pool))
    return cudaErrorInvalidValue; // a default pool cannot be destroyed
  auto it = pools.current.find(pool->key);
  if (it != pools.current.end() && it->second == pool)
    pools.current.erase(it);
  {
    std::lock_guard poolLock(pool->mutex);
    if (!pool->live.empty()) {
      pool->destroyed = true;
      return cudaSuccess;
    }
  }
  pools.created.erase(pool);
  deletePool(pool);
  return cudaSuccess;
}

/// What cudaPointerGetAttributes says of the pool's memory: device memory of its device, pinned
/// host memory, or managed memory with advice of its own; host and managed memory belong to
/// the device current when it was allocated, as cudaMallocHost's and cudaMallocManaged's do.
Allocation describeAllocation(const CUmemPoolHandle_st& pool, void* p, size_t size) {
  if (pool.key.type == cudaMemAllocationTypePinned && pool.key.onDevice())
    return {p, size, cudaMemoryTypeDevice, pool.key.id, false};
  int device = Runtime::instance().currentOrdinal();
  if (pool.key.type == cudaMemAllocationTypePinned)
    return {p, size, cudaMemoryTypeHost, device, false};
  Allocation managed{p, size, cudaMemoryTypeManaged, pool.key.onDevice() ? pool.key.id : device,
                     false};
  managed.advice = std::make_shared<ManagedAdvice>(size);
  return managed;
}

cudaError_t allocateFrom(cudaMemPool_t pool, void** pointer, size_t size) {
  if (!pointer || !Pools::instance().usable(pool))
    return cudaErrorInvalidValue;
  *pointer = nullptr;
  if (size == 0 || pool->imported) // an imported pool makes no allocations (CUDA)
    return cudaErrorInvalidValue;
  void* p = pool->allocate(size);
  if (!p)
    return cudaErrorMemoryAllocation;
  Allocations::instance().add(describeAllocation(*pool, p, size));
  *pointer = p;
  return cudaSuccess;
}

CUmemPoolHandle_st* owningPool(void* pointer) {
  Pools& pools = Pools::instance();
  std::lock_guard lock(pools.mutex);
  for (CUmemPoolHandle_st* pool : pools.defaultSet)
    if (pool->owns(pointer))
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
  deletePool(pool);
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

/// Whether the host has the pool's memory for its own: host and managed pools.
bool hostOwns(const CUmemPoolHandle_st& pool) {
  return pool.key.onHost() || pool.key.type == cudaMemAllocationTypeManaged;
}

/// One entry of cudaMemPoolSetAccess: a device or (for the pools the host owns) the host, and
/// no taking away the owner's read-write access.
cudaError_t checkAccess(CUmemPoolHandle_st& pool, const cudaMemAccessDesc& desc) {
  if (desc.flags != cudaMemAccessFlagsProtNone && desc.flags != cudaMemAccessFlagsProtReadWrite)
    return cudaErrorInvalidValue;
  if (desc.location.type == cudaMemLocationTypeDevice) {
    if (cudaError_t error = checkDevice(desc.location.id))
      return error;
    return pool.ownedBy(desc.location.id) && desc.flags != cudaMemAccessFlagsProtReadWrite
               ? cudaErrorInvalidValue
               : cudaSuccess;
  }
  if (!namesHost(desc.location) || !hostOwns(pool))
    return cudaErrorInvalidValue;
  return desc.flags == cudaMemAccessFlagsProtReadWrite ? cudaSuccess : cudaErrorInvalidValue;
}

} // namespace

namespace drawbridge::cudart {

bool poolUsable(cudaMemPool_t pool) {
  return Pools::instance().usable(pool);
}

cudaMemPool_t poolOwning(void* pointer) {
  return owningPool(pointer);
}

void addImportedPool(cudaMemPool_t pool) {
  Pools& pools = Pools::instance();
  std::lock_guard lock(pools.mutex);
  pools.created.insert(pool);
}

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
      "cudaDeviceGetDefaultMemPool", [&] { return devicePoolOf(device, memPool, false); }, memPool,
      device);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetMemPool(cudaMemPool_t* memPool, int device) {
  return api(
      "cudaDeviceGetMemPool", [&] { return devicePoolOf(device, memPool, true); }, memPool, device);
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
        if (cudaError_t error = devicePoolOf(device, &pool, true))
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
        if (capture::info(stream).status != cudaStreamCaptureStatusNone &&
            (!memPool->key.onDevice() || memPool->key.type != cudaMemAllocationTypePinned)) {
          logError("drawbridge: cudaMallocFromPoolAsync: capturing an allocation from a host or "
                   "managed pool is not supported (graph memory is device memory); allocate it "
                   "before the capture\n");
          return cudaErrorNotSupported;
        }
        if (auto captured = allocateInCapture(ptr, size, memPool->key.id, stream))
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
      "cudaDeviceSetMemPool",
      [&] {
        if (cudaError_t error = checkDevice(device))
          return error;
        return setCurrentPool(devicePool(device), memPool);
      },
      device, memPool);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemGetDefaultMemPool(cudaMemPool_t* memPool,
                                                              cudaMemLocation* location,
                                                              cudaMemAllocationType type) {
  return api(
      "cudaMemGetDefaultMemPool",
      [&] {
        PoolKey key;
        if (cudaError_t error = poolKey(location, type, key))
          return error;
        return poolOf(key, memPool, false);
      },
      memPool, location, type);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemGetMemPool(cudaMemPool_t* memPool,
                                                       cudaMemLocation* location,
                                                       cudaMemAllocationType type) {
  return api(
      "cudaMemGetMemPool",
      [&] {
        PoolKey key;
        if (cudaError_t error = poolKey(location, type, key))
          return error;
        return poolOf(key, memPool, true);
      },
      memPool, location, type);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemSetMemPool(cudaMemLocation* location,
                                                       cudaMemAllocationType type,
                                                       cudaMemPool_t memPool) {
  return api(
      "cudaMemSetMemPool",
      [&] {
        PoolKey key;
        if (cudaError_t error = poolKey(location, type, key))
          return error;
        return setCurrentPool(key, memPool);
      },
      location, type, memPool);
}

// Every device's memory is the host's, so any device can be given access to any pool. What
// owns the pool keeps read-write access, which cannot be taken away: its device, the host for
// host pools, every processor for managed pools. Device pools answer for devices only.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemPoolSetAccess(cudaMemPool_t memPool,
                                                          const cudaMemAccessDesc* descList,
                                                          size_t count) {
  return api(
      "cudaMemPoolSetAccess",
      [&] {
        if (!Pools::instance().usable(memPool) || (count && !descList))
          return cudaErrorInvalidValue;
        for (size_t i = 0; i < count; ++i)
          if (cudaError_t error = checkAccess(*memPool, descList[i]))
            return error;
        std::lock_guard lock(memPool->mutex);
        for (size_t i = 0; i < count; ++i)
          if (descList[i].location.type == cudaMemLocationTypeDevice &&
              !memPool->ownedBy(descList[i].location.id))
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
        if (!flags || !location || !Pools::instance().usable(memPool))
          return cudaErrorInvalidValue;
        if (location->type == cudaMemLocationTypeDevice) {
          if (cudaError_t error = checkDevice(location->id))
            return error;
          *flags = memPool->deviceAccess(location->id);
          return cudaSuccess;
        }
        if (!namesHost(*location) || !hostOwns(*memPool))
          return cudaErrorInvalidValue;
        *flags = cudaMemAccessFlagsProtReadWrite;
        return cudaSuccess;
      },
      flags, memPool, location);
}

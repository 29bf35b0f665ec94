// Memory pools shared between processes: a pool created with
// cudaMemHandleTypePosixFileDescriptor exports its region's descriptor, another process imports
// the pool from it and then the pool's allocations one by one from the data
// cudaMemPoolExportPointer makes (the offset and size in the region).
#include "Allocations.h"
#include "Api.h"
#include "Export.h"
#include "MemPool.h"
#include "Runtime.h"

#include <cstring>

using namespace drawbridge::cudart;

namespace {

// What cudaMemPoolExportPointer writes into cudaMemPoolPtrExportData's 64 bytes.
struct PointerData {
  static constexpr uint64_t kMagic = 0x4c4f4f5042424400; // "\0DBBPOOL"
  uint64_t magic;
  uint64_t regionBytes; // of the exporting pool: an importing pool of another size is not it
  uint64_t offset, size;
};
static_assert(sizeof(PointerData) <= sizeof(cudaMemPoolPtrExportData));

bool sharedByDescriptor(cudaMemPool_t pool) {
  return pool->region && !pool->imported;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaMemPoolExportToShareableHandle(void* shareableHandle, cudaMemPool_t memPool,
                                   cudaMemAllocationHandleType handleType, unsigned int flags) {
  return api(
      "cudaMemPoolExportToShareableHandle",
      [&] {
        // CUDA: only a pool created with the handle type exports, and only as that type.
        if (!shareableHandle || flags || !poolUsable(memPool) || !sharedByDescriptor(memPool) ||
            handleType != cudaMemHandleTypePosixFileDescriptor)
          return cudaErrorInvalidValue;
        return onCurrentDevice([&](drawbridge::backend::Device& d) {
          auto fd = d.exportRegion(memPool->region);
          if (!fd)
            return toCudaError(fd.status(), "cudaMemPoolExportToShareableHandle");
          *static_cast<int*>(shareableHandle) = *fd;
          return cudaSuccess;
        });
      },
      shareableHandle, memPool, handleType, flags);
}

// The descriptor is passed as the handle's value ((void*)(uintptr_t)fd), as CUDA's samples do,
// and stays the caller's.
DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaMemPoolImportFromShareableHandle(cudaMemPool_t* memPool, void* shareableHandle,
                                     cudaMemAllocationHandleType handleType, unsigned int flags) {
  return api(
      "cudaMemPoolImportFromShareableHandle",
      [&] {
        if (!memPool || flags || handleType != cudaMemHandleTypePosixFileDescriptor)
          return cudaErrorInvalidValue;
        int fd = int(reinterpret_cast<intptr_t>(shareableHandle));
        return onCurrentDevice([&](drawbridge::backend::Device& d) {
          auto mapped = d.mapExternalMemory(fd, 0);
          if (!mapped)
            return toCudaError(mapped.status(), "cudaMemPoolImportFromShareableHandle");
          auto* pool = new CUmemPoolHandle_st;
          pool->key = {cudaMemAllocationTypePinned, cudaMemLocationTypeDevice,
                       Runtime::instance().currentOrdinal()};
          pool->region = static_cast<std::byte*>(mapped->first);
          pool->regionBytes = mapped->second;
          pool->imported = true;
          addImportedPool(pool);
          *memPool = pool;
          return cudaSuccess;
        });
      },
      memPool, shareableHandle, handleType, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemPoolExportPointer(cudaMemPoolPtrExportData* exportData,
                                                              void* ptr) {
  return api(
      "cudaMemPoolExportPointer",
      [&] {
        if (!exportData || !ptr)
          return cudaErrorInvalidValue;
        cudaMemPool_t pool = poolOwning(ptr);
        if (!pool || !sharedByDescriptor(pool))
          return cudaErrorInvalidValue;
        size_t size = 0;
        {
          std::lock_guard lock(pool->mutex);
          size = pool->live.at(ptr);
        }
        PointerData data{PointerData::kMagic, pool->regionBytes,
                         uint64_t(static_cast<std::byte*>(ptr) - pool->region), size};
        std::memset(exportData, 0, sizeof *exportData);
        std::memcpy(exportData, &data, sizeof data);
        return cudaSuccess;
      },
      exportData, ptr);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaMemPoolImportPointer(void** ptr, cudaMemPool_t memPool, cudaMemPoolPtrExportData* exportData) {
  return api(
      "cudaMemPoolImportPointer",
      [&] {
        if (!ptr || !exportData || !poolUsable(memPool) || !memPool->imported)
          return cudaErrorInvalidValue;
        PointerData data;
        std::memcpy(&data, exportData, sizeof data);
        if (data.magic != PointerData::kMagic || data.regionBytes != memPool->regionBytes ||
            data.size == 0 || data.offset > data.regionBytes ||
            data.size > data.regionBytes - data.offset)
          return cudaErrorInvalidValue;
        void* p = memPool->adopt(data.offset, data.size);
        Allocations::instance().add({p, data.size, cudaMemoryTypeDevice, memPool->key.id, false});
        *ptr = p;
        return cudaSuccess;
      },
      ptr, memPool, exportData);
}

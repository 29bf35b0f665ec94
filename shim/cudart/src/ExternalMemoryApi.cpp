// External memory: a memory object handed over as an opaque file descriptor (a memfd, another
// process's shareable pool, any mappable file) is mapped as device memory; buffers inside it are
// device pointers, and mipmapped arrays can be laid over it. The Windows, Direct3D and NvSciBuf
// handle types need producers that a CPU device does not have; they are refused by name.
#include "Allocations.h"
#include "Api.h"
#include "Arrays.h"
#include "Export.h"
#include "ExternalMemory.h"
#include "Log.h"
#include "Runtime.h"

#include <map>
#include <mutex>
#include <unistd.h>

using namespace drawbridge::cudart;

struct CUexternalMemory_st {
  void* base;
  size_t size;
  int device;
};

namespace {

struct ExternalMemories {
  std::mutex mutex;
  std::map<cudaExternalMemory_t, std::map<void*, int>> live; // each one's buffers, counted

  // Never destroyed: a program may free buffers from atexit handlers.
  static ExternalMemories& instance() {
    static ExternalMemories& memories = *new ExternalMemories;
    return memories;
  }
};

const char* handleTypeName(cudaExternalMemoryHandleType type) {
  switch (type) {
  case cudaExternalMemoryHandleTypeOpaqueWin32:
  case cudaExternalMemoryHandleTypeOpaqueWin32Kmt:
    return "Windows handles";
  case cudaExternalMemoryHandleTypeD3D12Heap:
  case cudaExternalMemoryHandleTypeD3D12Resource:
  case cudaExternalMemoryHandleTypeD3D11Resource:
  case cudaExternalMemoryHandleTypeD3D11ResourceKmt:
    return "Direct3D resources";
  case cudaExternalMemoryHandleTypeNvSciBuf:
    return "NvSciBuf objects";
  default:
    return nullptr;
  }
}

cudaError_t import(cudaExternalMemory_t* memory, const cudaExternalMemoryHandleDesc* desc) {
  if (!memory || !desc || desc->size == 0 || (desc->flags & ~cudaExternalMemoryDedicated))
    return cudaErrorInvalidValue;
  if (desc->type != cudaExternalMemoryHandleTypeOpaqueFd) {
    const char* name = handleTypeName(desc->type);
    if (!name)
      return cudaErrorInvalidValue;
    logError("drawbridge: cudaImportExternalMemory: %s are not supported (no Windows, Direct3D "
             "or NvSci producer exists for the CPU device); pass an opaque file descriptor\n",
             name);
    return cudaErrorNotSupported;
  }
  return onCurrentDevice([&](drawbridge::backend::Device& d) {
    auto mapped = d.mapExternalMemory(desc->handle.fd, desc->size);
    if (!mapped)
      return toCudaError(mapped.status(), "cudaImportExternalMemory");
    close(desc->handle.fd); // CUDA owns the descriptor once the import succeeds
    *memory = new CUexternalMemory_st{mapped->first, mapped->second,
                                      Runtime::instance().currentOrdinal()};
    ExternalMemories& memories = ExternalMemories::instance();
    std::lock_guard lock(memories.mutex);
    memories.live[*memory];
    return cudaSuccess;
  });
}

cudaError_t mapBuffer(void** pointer, cudaExternalMemory_t memory,
                      const cudaExternalMemoryBufferDesc* desc) {
  if (!pointer || !desc || desc->flags || desc->size == 0)
    return cudaErrorInvalidValue;
  ExternalMemories& memories = ExternalMemories::instance();
  std::lock_guard lock(memories.mutex);
  auto it = memories.live.find(memory);
  if (it == memories.live.end())
    return cudaErrorInvalidResourceHandle;
  if (desc->offset > memory->size || desc->size > memory->size - desc->offset)
    return cudaErrorInvalidValue;
  void* buffer = static_cast<std::byte*>(memory->base) + desc->offset;
  ++it->second[buffer];
  Allocations::instance().add({buffer, desc->size, cudaMemoryTypeDevice, memory->device, false});
  *pointer = buffer;
  return cudaSuccess;
}

// The levels lie one after another in Drawbridge's array layout (Arrays.h), which only another
// Drawbridge process sharing the memory can also read; they start 256-byte aligned, as every
// array does, so the offset must be a multiple of 256.
cudaError_t mapMipmapped(cudaMipmappedArray_t* mipmap, cudaExternalMemory_t memory,
                         const cudaExternalMemoryMipmappedArrayDesc* desc) {
  if (!mipmap || !desc)
    return cudaErrorInvalidValue;
  ExternalMemories& memories = ExternalMemories::instance();
  std::lock_guard lock(memories.mutex);
  if (!memories.live.count(memory))
    return cudaErrorInvalidResourceHandle;
  if (desc->offset % 256 || desc->offset >= memory->size)
    return cudaErrorInvalidValue;
  return drawbridge::cudart::mapMipmappedArray(mipmap, *desc,
                                               static_cast<char*>(memory->base) + desc->offset,
                                               memory->size - desc->offset, memory);
}

// Buffers and mipmapped arrays still mapped go with their memory: CUDA requires them freed
// first, and then their addresses name nothing.
cudaError_t destroy(cudaExternalMemory_t memory) {
  ExternalMemories& memories = ExternalMemories::instance();
  {
    std::lock_guard lock(memories.mutex);
    auto it = memories.live.find(memory);
    if (it == memories.live.end())
      return cudaErrorInvalidResourceHandle;
    for (auto& [buffer, count] : it->second)
      Allocations::instance().remove(buffer);
    memories.live.erase(it);
  }
  freeMipmappedArraysOn(memory);
  cudaError_t result = onCurrentDevice([&](drawbridge::backend::Device& d) {
    return toCudaError(d.unmapExternalMemory(memory->base), "cudaDestroyExternalMemory");
  });
  delete memory;
  return result;
}

} // namespace

namespace drawbridge::cudart {

bool freeMappedBuffer(void* pointer) {
  ExternalMemories& memories = ExternalMemories::instance();
  std::lock_guard lock(memories.mutex);
  for (auto& [memory, buffers] : memories.live) {
    auto it = buffers.find(pointer);
    if (it == buffers.end())
      continue;
    if (--it->second == 0) {
      buffers.erase(it);
      Allocations::instance().remove(pointer);
    }
    return true;
  }
  return false;
}

} // namespace drawbridge::cudart

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaImportExternalMemory(
    cudaExternalMemory_t* extMem_out, const cudaExternalMemoryHandleDesc* memHandleDesc) {
  return api(
      "cudaImportExternalMemory", [&] { return import(extMem_out, memHandleDesc); }, extMem_out,
      memHandleDesc);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaExternalMemoryGetMappedBuffer(
    void** devPtr, cudaExternalMemory_t extMem, const cudaExternalMemoryBufferDesc* bufferDesc) {
  return api(
      "cudaExternalMemoryGetMappedBuffer", [&] { return mapBuffer(devPtr, extMem, bufferDesc); },
      devPtr, extMem, bufferDesc);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDestroyExternalMemory(cudaExternalMemory_t extMem) {
  return api(
      "cudaDestroyExternalMemory", [&] { return destroy(extMem); }, extMem);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaExternalMemoryGetMappedMipmappedArray(cudaMipmappedArray_t* mipmap, cudaExternalMemory_t extMem,
                                          const cudaExternalMemoryMipmappedArrayDesc* mipmapDesc) {
  return api(
      "cudaExternalMemoryGetMappedMipmappedArray",
      [&] { return mapMipmapped(mipmap, extMem, mipmapDesc); }, mipmap, extMem, mipmapDesc);
}

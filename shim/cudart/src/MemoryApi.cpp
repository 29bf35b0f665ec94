// Memory: device, pinned-host and managed allocations, copies and fills. Device memory is host
// memory at the same address (unified addressing), so every copy direction is one copy; the
// direction is still checked as CUDA checks it.
#include "Allocations.h"
#include "Api.h"
#include "Capture.h"
#include "Export.h"
#include "ExternalMemory.h"
#include "GraphMemory.h"
#include "ManagedAdvice.h"
#include "MemPool.h"
#include "Operations.h"
#include "Runtime.h"

#include <sys/sysinfo.h>

using namespace drawbridge::cudart;
using drawbridge::backend::MemoryKind;

namespace {

cudaMemoryType typeOf(MemoryKind kind) {
  return kind == MemoryKind::Device       ? cudaMemoryTypeDevice
         : kind == MemoryKind::HostPinned ? cudaMemoryTypeHost
                                          : cudaMemoryTypeManaged;
}

cudaError_t allocate(void** pointer, size_t size, MemoryKind kind, const char* name,
                     unsigned hostFlags = 0) {
  if (!pointer)
    return cudaErrorInvalidValue;
  *pointer = nullptr;
  if (size == 0)
    return cudaSuccess;
  if (cudaError_t error = capture::forbidUnsafeCall())
    return error;
  return onCurrentDevice([&](drawbridge::backend::Device& d) {
    auto allocated = d.allocate(size, kind);
    if (!allocated)
      return toCudaError(allocated.status(), name);
    *pointer = *allocated;
    Allocation allocation{*pointer, size,     typeOf(kind), Runtime::instance().currentOrdinal(),
                          false,    hostFlags};
    if (kind == MemoryKind::Managed)
      allocation.advice = std::make_shared<ManagedAdvice>(size);
    Allocations::instance().add(allocation);
    return cudaSuccess;
  });
}

cudaError_t release(void* pointer, const char* name) {
  if (!pointer)
    return cudaSuccess;
  if (cudaError_t error = capture::forbidUnsafeCall())
    return error;
  if (freeFromPoolNow(pointer) || graphMemory::release(pointer) || freeMappedBuffer(pointer))
    return cudaSuccess;
  return onCurrentDevice([&](drawbridge::backend::Device& d) {
    cudaError_t result = toCudaError(d.free(pointer), name);
    if (result == cudaSuccess)
      Allocations::instance().remove(pointer);
    return result;
  });
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMalloc(void** devPtr, size_t size) {
  return api(
      "cudaMalloc", [&] { return allocate(devPtr, size, MemoryKind::Device, "cudaMalloc"); },
      devPtr, size);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaFree(void* devPtr) {
  return api(
      "cudaFree", [&] { return release(devPtr, "cudaFree"); }, devPtr);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMallocHost(void** ptr, size_t size) {
  return api(
      "cudaMallocHost",
      [&] { return allocate(ptr, size, MemoryKind::HostPinned, "cudaMallocHost"); }, ptr, size);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaHostAlloc(void** pHost, size_t size, unsigned int flags) {
  return api(
      "cudaHostAlloc",
      [&] {
        constexpr unsigned kKnown =
            cudaHostAllocPortable | cudaHostAllocMapped | cudaHostAllocWriteCombined;
        if (flags & ~kKnown)
          return cudaErrorInvalidValue;
        return allocate(pHost, size, MemoryKind::HostPinned, "cudaHostAlloc", flags);
      },
      pHost, size, flags);
}

// The flags the pinned or registered host memory was made with.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaHostGetFlags(unsigned int* pFlags, void* pHost) {
  return api(
      "cudaHostGetFlags",
      [&] {
        auto allocation = Allocations::instance().find(pHost);
        if (!pFlags || !allocation || allocation->type != cudaMemoryTypeHost)
          return cudaErrorInvalidValue;
        *pFlags = allocation->hostFlags;
        return cudaSuccess;
      },
      pFlags, pHost);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaFreeHost(void* ptr) {
  return api(
      "cudaFreeHost", [&] { return release(ptr, "cudaFreeHost"); }, ptr);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMallocManaged(void** devPtr, size_t size,
                                                       unsigned int flags) {
  return api(
      "cudaMallocManaged",
      [&] {
        if (flags != cudaMemAttachGlobal && flags != cudaMemAttachHost)
          return cudaErrorInvalidValue;
        return allocate(devPtr, size, MemoryKind::Managed, "cudaMallocManaged");
      },
      devPtr, size, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemGetInfo(size_t* free, size_t* total) {
  return api(
      "cudaMemGetInfo",
      [&] {
        if (!free || !total)
          return cudaErrorInvalidValue;
        struct sysinfo info {};
        if (sysinfo(&info) != 0)
          return cudaErrorUnknown;
        *free = static_cast<size_t>(info.freeram + info.bufferram) * info.mem_unit;
        *total = static_cast<size_t>(info.totalram) * info.mem_unit;
        return cudaSuccess;
      },
      free, total);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy(void* dst, const void* src, size_t count,
                                                cudaMemcpyKind kind) {
  return api(
      "cudaMemcpy", [&] { return copyLinear(dst, src, count, kind, nullptr, false, "cudaMemcpy"); },
      dst, src, count, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t count,
                                                     cudaMemcpyKind kind, cudaStream_t stream) {
  return api(
      "cudaMemcpyAsync",
      [&] { return copyLinear(dst, src, count, kind, stream, true, "cudaMemcpyAsync"); }, dst, src,
      count, kind, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemset(void* devPtr, int value, size_t count) {
  return api(
      "cudaMemset",
      [&] { return fill(linearFill(devPtr, value, count), nullptr, false, "cudaMemset"); }, devPtr,
      value, count);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemsetAsync(void* devPtr, int value, size_t count,
                                                     cudaStream_t stream) {
  return api(
      "cudaMemsetAsync",
      [&] { return fill(linearFill(devPtr, value, count), stream, true, "cudaMemsetAsync"); },
      devPtr, value, count, stream);
}

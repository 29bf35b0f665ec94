// Memory: device, pinned-host and managed allocations, copies and fills. Device memory is host
// memory at the same address (unified addressing), so every copy direction is one copy; the
// direction is still checked as CUDA checks it.
#include "Api.h"
#include "Export.h"
#include "Runtime.h"

#include <sys/sysinfo.h>

using namespace drawbridge::cudart;
using drawbridge::backend::MemoryKind;

namespace {

cudaError_t allocate(void** pointer, size_t size, MemoryKind kind, const char* name) {
  if (!pointer)
    return cudaErrorInvalidValue;
  *pointer = nullptr;
  if (size == 0)
    return cudaSuccess;
  return onCurrentDevice([&](drawbridge::backend::Device& d) {
    auto allocated = d.allocate(size, kind);
    if (!allocated)
      return toCudaError(allocated.status(), name);
    *pointer = *allocated;
    return cudaSuccess;
  });
}

cudaError_t release(void* pointer, const char* name) {
  if (!pointer)
    return cudaSuccess;
  return onCurrentDevice(
      [&](drawbridge::backend::Device& d) { return toCudaError(d.free(pointer), name); });
}

cudaError_t copy(void* dst, const void* src, size_t count, cudaMemcpyKind kind, cudaStream_t stream,
                 bool async, const char* name) {
  if (!validCopyDirection(kind))
    return cudaErrorInvalidMemcpyDirection;
  if (count == 0)
    return cudaSuccess;
  if (!dst || !src)
    return cudaErrorInvalidValue;
  return onCurrentDevice([&](drawbridge::backend::Device& d) {
    return toCudaError(d.copy(dst, src, count, toBackend(stream), async), name);
  });
}

cudaError_t fill(void* dst, int value, size_t count, cudaStream_t stream, bool async,
                 const char* name) {
  if (count == 0)
    return cudaSuccess;
  if (!dst)
    return cudaErrorInvalidValue;
  return onCurrentDevice([&](drawbridge::backend::Device& d) {
    return toCudaError(d.fill(dst, value, count, toBackend(stream), async), name);
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
        return allocate(pHost, size, MemoryKind::HostPinned, "cudaHostAlloc");
      },
      pHost, size, flags);
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

// Host memory is device memory already: the pointer is the device pointer.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaHostGetDevicePointer(void** pDevice, void* pHost,
                                                              unsigned int flags) {
  return api(
      "cudaHostGetDevicePointer",
      [&] {
        if (!pDevice || !pHost || flags != 0)
          return cudaErrorInvalidValue;
        *pDevice = pHost;
        return cudaSuccess;
      },
      pDevice, pHost, flags);
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
      "cudaMemcpy", [&] { return copy(dst, src, count, kind, nullptr, false, "cudaMemcpy"); }, dst,
      src, count, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t count,
                                                     cudaMemcpyKind kind, cudaStream_t stream) {
  return api(
      "cudaMemcpyAsync",
      [&] { return copy(dst, src, count, kind, stream, true, "cudaMemcpyAsync"); }, dst, src, count,
      kind, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemset(void* devPtr, int value, size_t count) {
  return api(
      "cudaMemset", [&] { return fill(devPtr, value, count, nullptr, false, "cudaMemset"); },
      devPtr, value, count);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemsetAsync(void* devPtr, int value, size_t count,
                                                     cudaStream_t stream) {
  return api(
      "cudaMemsetAsync",
      [&] { return fill(devPtr, value, count, stream, true, "cudaMemsetAsync"); }, devPtr, value,
      count, stream);
}

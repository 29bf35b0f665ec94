// What an address is (cudaPointerGetAttributes), host memory registration, and the placement
// hints of managed memory, which on the CPU has one place to be.
#include "Allocations.h"
#include "Api.h"
#include "Export.h"
#include "ManagedAdvice.h"
#include "Runtime.h"

#include <cstring>

using namespace drawbridge::cudart;

namespace {

constexpr int kNoDevice = -2; // what CUDA reports as the device of unregistered memory

void describe(cudaPointerAttributes& attributes, const void* pointer) {
  std::memset(&attributes, 0, sizeof attributes);
  void* p = const_cast<void*>(pointer);
  auto allocation = Allocations::instance().find(pointer);
  if (!allocation) {
    attributes.type = cudaMemoryTypeUnregistered;
    attributes.device = kNoDevice;
    attributes.hostPointer = p;
    return;
  }
  attributes.type = allocation->type;
  attributes.device = allocation->device;
  attributes.devicePointer = p;
  // CUDA gives device memory no host address, even where (as here) the host could use it.
  attributes.hostPointer = allocation->type == cudaMemoryTypeDevice ? nullptr : p;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaPointerGetAttributes(cudaPointerAttributes* attributes,
                                                              const void* ptr) {
  return api(
      "cudaPointerGetAttributes",
      [&] {
        if (!attributes)
          return cudaErrorInvalidValue;
        describe(*attributes, ptr);
        return cudaSuccess;
      },
      attributes, ptr);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaHostRegister(void* ptr, size_t size, unsigned int flags) {
  return api(
      "cudaHostRegister",
      [&] {
        constexpr unsigned kKnown = cudaHostRegisterPortable | cudaHostRegisterMapped |
                                    cudaHostRegisterIoMemory | cudaHostRegisterReadOnly;
        if (!ptr || size == 0 || (flags & ~kKnown))
          return cudaErrorInvalidValue;
        if (Allocations::instance().overlaps(ptr, size))
          return cudaErrorHostMemoryAlreadyRegistered;
        Allocations::instance().add(
            {ptr, size, cudaMemoryTypeHost, Runtime::instance().currentOrdinal(), true, flags});
        return cudaSuccess;
      },
      ptr, size, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaHostUnregister(void* ptr) {
  return api(
      "cudaHostUnregister",
      [&] {
        auto allocation = Allocations::instance().find(ptr);
        if (!allocation || !allocation->registered || allocation->base != ptr)
          return cudaErrorHostMemoryNotRegistered;
        Allocations::instance().remove(ptr);
        return cudaSuccess;
      },
      ptr);
}

// Pinned and registered host memory is mapped at its own address.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaHostGetDevicePointer(void** pDevice, void* pHost,
                                                              unsigned int flags) {
  return api(
      "cudaHostGetDevicePointer",
      [&] {
        if (!pDevice || !pHost || flags != 0)
          return cudaErrorInvalidValue;
        auto allocation = Allocations::instance().find(pHost);
        if (!allocation || allocation->type == cudaMemoryTypeDevice)
          return cudaErrorInvalidValue;
        *pDevice = pHost;
        return cudaSuccess;
      },
      pDevice, pHost, flags);
}

// Prefetching moves nothing: the memory already is where every processor reads it.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemPrefetchAsync(const void* devPtr, size_t count,
                                                          cudaMemLocation location,
                                                          unsigned int flags, cudaStream_t stream) {
  return api(
      "cudaMemPrefetchAsync",
      [&] {
        if (flags != 0)
          return cudaErrorInvalidValue;
        return prefetch(devPtr, count, location);
      },
      devPtr, count, flags, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemPrefetchAsync_ptsz(const void* devPtr, size_t count,
                                                               cudaMemLocation location,
                                                               unsigned int flags,
                                                               cudaStream_t stream) {
  return cudaMemPrefetchAsync(devPtr, count, location, flags, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemAdvise(const void* devPtr, size_t count,
                                                   cudaMemoryAdvise advice,
                                                   cudaMemLocation location) {
  return api(
      "cudaMemAdvise",
      [&] {
        if (!devPtr || count == 0 || advice < cudaMemAdviseSetReadMostly ||
            advice > cudaMemAdviseUnsetAccessedBy)
          return cudaErrorInvalidValue;
        auto range = managedRange(devPtr, count);
        if (!range)
          return cudaErrorInvalidValue; // advice is for managed memory
        bool needsLocation =
            advice != cudaMemAdviseSetReadMostly && advice != cudaMemAdviseUnsetReadMostly;
        if (needsLocation) {
          // NVIDIA's cudaMemAdvise answers a device that does not exist with
          // cudaErrorInvalidValue, not cudaErrorInvalidDevice (measured on an H200, CUDA 13).
          cudaError_t checked = checkMemLocation(location);
          if (checked != cudaSuccess)
            return checked == cudaErrorInvalidDevice ? cudaErrorInvalidValue : checked;
        }
        range->advice->advise(range->offset, count, advice, location);
        return cudaSuccess;
      },
      devPtr, count, advice);
}

// Every managed byte is visible to the host and every stream at once on the CPU device, so
// attaching changes nothing; the call checks what CUDA checks: managed memory, the whole
// allocation (length 0 or its size), and a known attachment.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamAttachMemAsync(cudaStream_t stream, void* devPtr,
                                                              size_t length, unsigned int flags) {
  return api(
      "cudaStreamAttachMemAsync",
      [&] {
        if (flags != cudaMemAttachGlobal && flags != cudaMemAttachHost &&
            flags != cudaMemAttachSingle)
          return cudaErrorInvalidValue;
        auto allocation = Allocations::instance().find(devPtr);
        if (!allocation || allocation->type != cudaMemoryTypeManaged ||
            allocation->base != devPtr || (length != 0 && length != allocation->size))
          return cudaErrorInvalidValue;
        return cudaSuccess;
      },
      stream, devPtr, length, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamAttachMemAsync_ptsz(cudaStream_t stream,
                                                                   void* devPtr, size_t length,
                                                                   unsigned int flags) {
  return cudaStreamAttachMemAsync(stream ? stream : cudaStreamPerThread, devPtr, length, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemRangeGetAttribute(void* data, size_t dataSize,
                                                              cudaMemRangeAttribute attribute,
                                                              const void* devPtr, size_t count) {
  return api(
      "cudaMemRangeGetAttribute",
      [&] {
        auto range = managedRange(devPtr, count);
        if (!data || count == 0 || !range)
          return cudaErrorInvalidValue;
        return range->advice->attribute(range->offset, count, attribute, data, dataSize);
      },
      data, dataSize, attribute, devPtr, count);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemRangeGetAttributes(void** data, size_t* dataSizes,
                                                               cudaMemRangeAttribute* attributes,
                                                               size_t numAttributes,
                                                               const void* devPtr, size_t count) {
  return api(
      "cudaMemRangeGetAttributes",
      [&] {
        auto range = managedRange(devPtr, count);
        if (!data || !dataSizes || !attributes || numAttributes == 0 || count == 0 || !range)
          return cudaErrorInvalidValue;
        for (size_t i = 0; i < numAttributes; ++i) {
          if (!data[i])
            return cudaErrorInvalidValue;
          if (cudaError_t error = range->advice->attribute(range->offset, count, attributes[i],
                                                           data[i], dataSizes[i]))
            return error;
        }
        return cudaSuccess;
      },
      data, dataSizes, attributes, numAttributes, devPtr, count);
}

// CUDA IPC of device memory: a handle of a cudaMalloc allocation, opened by another process at
// an address of its own (the CPU backend shares its memory as memfd files; backends/README.md).
// The handles of interprocess events are in EventApi.cpp.
#include "Allocations.h"
#include "Api.h"
#include "Export.h"
#include "IpcHandles.h"
#include "Runtime.h"

using namespace drawbridge::cudart;

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaIpcGetMemHandle(cudaIpcMemHandle_t* handle, void* devPtr) {
  return api(
      "cudaIpcGetMemHandle",
      [&] {
        if (!handle || !devPtr)
          return cudaErrorInvalidValue;
        return onCurrentDevice([&](drawbridge::backend::Device& d) {
          auto exported = d.exportMemory(devPtr);
          if (!exported)
            return toCudaError(exported.status(), "cudaIpcGetMemHandle");
          fromShareable(*exported, *handle);
          return cudaSuccess;
        });
      },
      handle, devPtr);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaIpcOpenMemHandle(void** devPtr, cudaIpcMemHandle_t handle,
                                                          unsigned int flags) {
  return api(
      "cudaIpcOpenMemHandle",
      [&] {
        if (!devPtr || (flags & ~unsigned(cudaIpcMemLazyEnablePeerAccess)))
          return cudaErrorInvalidValue;
        return onCurrentDevice([&](drawbridge::backend::Device& d) {
          auto opened = d.importMemory(toShareable(handle));
          if (!opened)
            return toCudaError(opened.status(), "cudaIpcOpenMemHandle");
          auto [pointer, size] = *opened;
          *devPtr = pointer;
          // Device memory to pointer queries and copies, as long as it is open.
          Allocations::instance().add(
              {pointer, size, cudaMemoryTypeDevice, Runtime::instance().currentOrdinal(), false});
          return cudaSuccess;
        });
      },
      devPtr, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaIpcCloseMemHandle(void* devPtr) {
  return api(
      "cudaIpcCloseMemHandle",
      [&] {
        if (!devPtr)
          return cudaErrorInvalidValue;
        return onCurrentDevice([&](drawbridge::backend::Device& d) {
          auto closed = d.closeImportedMemory(devPtr);
          if (!closed)
            return toCudaError(closed.status(), "cudaIpcCloseMemHandle");
          if (*closed)
            Allocations::instance().remove(devPtr);
          return cudaSuccess;
        });
      },
      devPtr);
}

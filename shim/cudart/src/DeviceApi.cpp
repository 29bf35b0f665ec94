// Devices: enumeration (CUDA_VISIBLE_DEVICES), selection, properties, synchronisation, reset.
#include "Allocations.h"
#include "Api.h"
#include "Capture.h"
#include "DeviceProperties.h"
#include "Export.h"
#include "Runtime.h"

using namespace drawbridge::cudart;

namespace {

thread_local unsigned deviceFlags = cudaDeviceScheduleAuto;
size_t limits[cudaLimitPersistingL2CacheSize + 1] = {
    /*cudaLimitStackSize*/ 1024,
    /*cudaLimitPrintfFifoSize*/ 1 << 20,
    /*cudaLimitMallocHeapSize*/ 8 << 20,
    /*cudaLimitDevRuntimeSyncDepth*/ 2,
    /*cudaLimitDevRuntimePendingLaunchCount*/ 2048,
    /*cudaLimitMaxL2FetchGranularity*/ 32,
    /*cudaLimitPersistingL2CacheSize*/ 0};

bool knownLimit(cudaLimit limit) {
  return limit >= cudaLimitStackSize && limit <= cudaLimitPersistingL2CacheSize;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetDeviceCount(int* count) {
  return api(
      "cudaGetDeviceCount",
      [&] {
        if (!count)
          return cudaErrorInvalidValue;
        return Runtime::instance().deviceCount(*count);
      },
      count);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetDevice(int* device) {
  return api(
      "cudaGetDevice",
      [&] {
        if (!device)
          return cudaErrorInvalidValue;
        *device = Runtime::instance().currentOrdinal();
        return cudaSuccess;
      },
      device);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaSetDevice(int device) {
  return api(
      "cudaSetDevice", [&] { return Runtime::instance().setCurrentOrdinal(device); }, device);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
  return api(
      "cudaGetDeviceProperties",
      [&] {
        if (!prop)
          return cudaErrorInvalidValue;
        drawbridge::backend::Device* d = nullptr;
        if (cudaError_t error = Runtime::instance().device(device, d))
          return error;
        fillProperties(d->properties(), *prop);
        return cudaSuccess;
      },
      prop, device);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr,
                                                            int device) {
  return api(
      "cudaDeviceGetAttribute",
      [&] {
        if (!value)
          return cudaErrorInvalidValue;
        drawbridge::backend::Device* d = nullptr;
        if (cudaError_t error = Runtime::instance().device(device, d))
          return error;
        auto known = attributeValue(d->properties(), attr);
        if (!known) // as NVIDIA answers an attribute it does not define
          return cudaErrorInvalidValue;
        *value = *known;
        return cudaSuccess;
      },
      value, attr, device);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceSynchronize() {
  return api("cudaDeviceSynchronize", [&] {
    if (cudaError_t error = capture::forbidUnsafeCall())
      return error;
    return onCurrentDevice([](drawbridge::backend::Device& d) {
      return toCudaError(d.synchronize(), "cudaDeviceSynchronize");
    });
  });
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceReset() {
  return api("cudaDeviceReset", [&] {
    Runtime::instance().reset();
    Allocations::instance().clear();
    clearStickyError();
    return cudaSuccess;
  });
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaSetDeviceFlags(unsigned int flags) {
  return api(
      "cudaSetDeviceFlags",
      [&] {
        constexpr unsigned kKnown = cudaDeviceScheduleMask | cudaDeviceMapHost |
                                    cudaDeviceLmemResizeToMax | cudaDeviceSyncMemops;
        if (flags & ~kKnown)
          return cudaErrorInvalidValue;
        deviceFlags = flags;
        return cudaSuccess;
      },
      flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetDeviceFlags(unsigned int* flags) {
  return api(
      "cudaGetDeviceFlags",
      [&] {
        if (!flags)
          return cudaErrorInvalidValue;
        *flags = deviceFlags | cudaDeviceMapHost; // host memory is always mapped
        return cudaSuccess;
      },
      flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetLimit(size_t* value, cudaLimit limit) {
  return api(
      "cudaDeviceGetLimit",
      [&] {
        if (!value)
          return cudaErrorInvalidValue;
        if (!knownLimit(limit))
          return cudaErrorUnsupportedLimit;
        *value = limits[limit];
        return cudaSuccess;
      },
      value, limit);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceSetLimit(cudaLimit limit, size_t value) {
  return api(
      "cudaDeviceSetLimit",
      [&] {
        if (!knownLimit(limit))
          return cudaErrorUnsupportedLimit;
        limits[limit] = value;
        return cudaSuccess;
      },
      limit, value);
}

// Priorities are accepted and kept; the CPU backend's workers do not preempt by priority.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetStreamPriorityRange(int* least, int* greatest) {
  return api(
      "cudaDeviceGetStreamPriorityRange",
      [&] {
        if (least)
          *least = 0;
        if (greatest)
          *greatest = -5;
        return cudaSuccess;
      },
      least, greatest);
}

// Device-wide preferences a program may state and read back: the L1/shared-memory split and the
// shared-memory bank size (a CPU device has neither, so they only read back what was set), and
// device choice and initialisation, persisting-L2 resets and memory-budget notifications.
#include "Api.h"
#include "Export.h"
#include "Runtime.h"

#include <atomic>
#include <mutex>
#include <set>

using namespace drawbridge::cudart;

namespace {

std::atomic<cudaFuncCache> cacheConfig{cudaFuncCachePreferNone};

// Whether `device` names a device this process can use.
bool exists(int device) {
  drawbridge::backend::Device* d = nullptr;
  return Runtime::instance().device(device, d) == cudaSuccess;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceSetCacheConfig(cudaFuncCache config) {
  return api(
      "cudaDeviceSetCacheConfig",
      [&] {
        if (config < cudaFuncCachePreferNone || config > cudaFuncCachePreferEqual)
          return cudaErrorInvalidValue;
        cacheConfig = config;
        return cudaSuccess;
      },
      config);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetCacheConfig(cudaFuncCache* config) {
  return api(
      "cudaDeviceGetCacheConfig",
      [&] {
        if (!config)
          return cudaErrorInvalidValue;
        *config = cacheConfig;
        return cudaSuccess;
      },
      config);
}

// Since CUDA 12 NVIDIA's devices have one bank size, four bytes, whatever was asked for.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceSetSharedMemConfig(cudaSharedMemConfig config) {
  return api(
      "cudaDeviceSetSharedMemConfig",
      [&] {
        return config >= cudaSharedMemBankSizeDefault && config <= cudaSharedMemBankSizeEightByte
                   ? cudaSuccess
                   : cudaErrorInvalidValue;
      },
      config);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetSharedMemConfig(cudaSharedMemConfig* config) {
  return api(
      "cudaDeviceGetSharedMemConfig",
      [&] {
        if (!config)
          return cudaErrorInvalidValue;
        *config = cudaSharedMemBankSizeFourByte;
        return cudaSuccess;
      },
      config);
}

// Every device is alike, so the first one matches any description best.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaChooseDevice(int* device, const cudaDeviceProp* prop) {
  return api(
      "cudaChooseDevice",
      [&] {
        if (!device || !prop)
          return cudaErrorInvalidValue;
        int count = 0;
        if (cudaError_t error = Runtime::instance().deviceCount(count))
          return error;
        *device = 0;
        return cudaSuccess;
      },
      device, prop);
}

// Devices are ready as soon as the runtime has them: initialising one only checks it exists.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaInitDevice(int device, unsigned int deviceFlags,
                                                    unsigned int flags) {
  return api(
      "cudaInitDevice",
      [&] {
        if (flags & ~cudaInitDeviceFlagsAreValid)
          return cudaErrorInvalidValue;
        return exists(device) ? cudaSuccess : cudaErrorInvalidDevice;
      },
      device, deviceFlags, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaSetValidDevices(int* devices, int count) {
  return api(
      "cudaSetValidDevices",
      [&] {
        if (count < 0 || (count > 0 && !devices))
          return cudaErrorInvalidValue;
        for (int i = 0; i < count; ++i)
          if (!exists(devices[i]))
            return cudaErrorInvalidDevice;
        return cudaSuccess;
      },
      devices, count);
}

// The CPU device has no persisting L2 lines (cudaDevAttrMaxPersistingL2CacheSize is 0), so there
// are none to reset.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaCtxResetPersistingL2Cache() {
  return api("cudaCtxResetPersistingL2Cache",
             [&] { return onCurrentDevice([](auto&) { return cudaSuccess; }); });
}

// Asynchronous notifications tell a program its device went over its memory budget. A CPU
// device has no budget of its own, so a registered callback is kept and never called.
struct cudaAsyncCallbackEntry {
  int device;
  cudaAsyncCallback function;
  void* userData;
};

namespace {

std::mutex notificationsMutex;
std::set<cudaAsyncCallbackEntry*> notifications;

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaDeviceRegisterAsyncNotification(int device, cudaAsyncCallback callbackFunc, void* userData,
                                    cudaAsyncCallbackHandle_t* callback) {
  return api(
      "cudaDeviceRegisterAsyncNotification",
      [&] {
        if (!callbackFunc || !callback)
          return cudaErrorInvalidValue;
        drawbridge::backend::Device* d = nullptr;
        if (cudaError_t error = Runtime::instance().device(device, d))
          return error;
        std::lock_guard lock(notificationsMutex);
        *callback =
            *notifications.insert(new cudaAsyncCallbackEntry{device, callbackFunc, userData}).first;
        return cudaSuccess;
      },
      device, callbackFunc, userData, callback);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaDeviceUnregisterAsyncNotification(int device, cudaAsyncCallbackHandle_t callback) {
  return api(
      "cudaDeviceUnregisterAsyncNotification",
      [&] {
        std::lock_guard lock(notificationsMutex);
        if (!notifications.count(callback) || callback->device != device)
          return cudaErrorInvalidValue;
        notifications.erase(callback);
        delete callback;
        return cudaSuccess;
      },
      device, callback);
}

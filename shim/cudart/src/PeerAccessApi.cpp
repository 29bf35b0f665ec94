// Peer access between devices. Every CPU device's memory is the host's, so access needs no
// mapping; the runtime keeps which peers each device enabled, so the calls answer as CUDA's do.
#include "Api.h"
#include "Export.h"
#include "Runtime.h"

#include <mutex>
#include <set>
#include <utility>

using namespace drawbridge::cudart;

namespace {

std::mutex enabledMutex;
std::set<std::pair<int, int>> enabled; // (device, peer) for each enabled direction

/// The current device and the peer, both existing and distinct (a device is no peer of itself).
cudaError_t peerOfCurrent(int peer, std::pair<int, int>& link) {
  drawbridge::backend::Device* device = nullptr;
  if (cudaError_t error = Runtime::instance().current(device))
    return error;
  if (cudaError_t error = Runtime::instance().device(peer, device))
    return error;
  link = {Runtime::instance().currentOrdinal(), peer};
  return link.first == peer ? cudaErrorInvalidDevice : cudaSuccess;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceEnablePeerAccess(int peerDevice,
                                                                unsigned int flags) {
  return api(
      "cudaDeviceEnablePeerAccess",
      [&] {
        std::pair<int, int> link;
        if (cudaError_t error = peerOfCurrent(peerDevice, link))
          return error;
        if (flags != 0)
          return cudaErrorInvalidValue;
        std::lock_guard lock(enabledMutex);
        return enabled.insert(link).second ? cudaSuccess : cudaErrorPeerAccessAlreadyEnabled;
      },
      peerDevice, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceDisablePeerAccess(int peerDevice) {
  return api(
      "cudaDeviceDisablePeerAccess",
      [&] {
        std::pair<int, int> link;
        if (cudaError_t error = peerOfCurrent(peerDevice, link))
          return error;
        std::lock_guard lock(enabledMutex);
        return enabled.erase(link) ? cudaSuccess : cudaErrorPeerAccessNotEnabled;
      },
      peerDevice);
}

// What links two distinct devices: both reach the same host memory, with its atomics, and have
// no CUDA arrays to share.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetP2PAttribute(int* value, cudaDeviceP2PAttr attr,
                                                               int srcDevice, int dstDevice) {
  return api(
      "cudaDeviceGetP2PAttribute",
      [&] {
        if (!value)
          return cudaErrorInvalidValue;
        drawbridge::backend::Device* device = nullptr;
        if (cudaError_t error = Runtime::instance().device(srcDevice, device))
          return error;
        if (cudaError_t error = Runtime::instance().device(dstDevice, device))
          return error;
        if (srcDevice == dstDevice)
          return cudaErrorInvalidDevice;
        switch (attr) {
        case cudaDevP2PAttrPerformanceRank:
        case cudaDevP2PAttrCudaArrayAccessSupported:
        case cudaDevP2PAttrOnlyPartialNativeAtomicSupported:
          *value = 0;
          return cudaSuccess;
        case cudaDevP2PAttrAccessSupported:
        case cudaDevP2PAttrNativeAtomicSupported:
          *value = 1;
          return cudaSuccess;
        }
        return cudaErrorInvalidValue;
      },
      value, attr, srcDevice, dstDevice);
}

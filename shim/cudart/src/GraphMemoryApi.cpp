// A device's graph memory: what memory-allocation nodes of instantiated graphs hold. Drawbridge
// has no such nodes (cudaGraphAddMemAllocNode is not implemented, and capture refuses
// cudaMallocAsync), so a device's graph memory is always none, and trimming has nothing to do.
#include "Api.h"
#include "Export.h"
#include "Runtime.h"

#include <cstdint>

using namespace drawbridge::cudart;

namespace {

cudaError_t checkDevice(int ordinal) {
  drawbridge::backend::Device* device = nullptr;
  return Runtime::instance().device(ordinal, device);
}

bool knownAttribute(cudaGraphMemAttributeType attr) {
  return attr == cudaGraphMemAttrUsedMemCurrent || attr == cudaGraphMemAttrUsedMemHigh ||
         attr == cudaGraphMemAttrReservedMemCurrent || attr == cudaGraphMemAttrReservedMemHigh;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetGraphMemAttribute(int device,
                                                                    cudaGraphMemAttributeType attr,
                                                                    void* value) {
  return api(
      "cudaDeviceGetGraphMemAttribute",
      [&] {
        if (!value || !knownAttribute(attr))
          return cudaErrorInvalidValue;
        if (cudaError_t error = checkDevice(device))
          return error;
        *static_cast<uint64_t*>(value) = 0;
        return cudaSuccess;
      },
      device, attr, value);
}

// Only the high watermarks may be set, and only to zero (CUDA's rule).
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceSetGraphMemAttribute(int device,
                                                                    cudaGraphMemAttributeType attr,
                                                                    void* value) {
  return api(
      "cudaDeviceSetGraphMemAttribute",
      [&] {
        bool watermark =
            attr == cudaGraphMemAttrUsedMemHigh || attr == cudaGraphMemAttrReservedMemHigh;
        if (!value || !watermark || *static_cast<uint64_t*>(value) != 0)
          return cudaErrorInvalidValue;
        return checkDevice(device);
      },
      device, attr, value);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGraphMemTrim(int device) {
  return api(
      "cudaDeviceGraphMemTrim", [&] { return checkDevice(device); }, device);
}

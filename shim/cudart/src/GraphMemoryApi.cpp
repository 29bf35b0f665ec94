// A device's graph memory, as memory allocation nodes hold it (GraphMemory.h): what is in use
// and reserved now and at most since the watermarks were reset, and trimming what is unused.
#include "Api.h"
#include "Export.h"
#include "GraphMemory.h"
#include "Runtime.h"

#include <cstdint>

using namespace drawbridge::cudart;

namespace {

cudaError_t checkDevice(int ordinal) {
  drawbridge::backend::Device* device = nullptr;
  return Runtime::instance().device(ordinal, device);
}

bool figureOf(cudaGraphMemAttributeType attr, graphMemory::Figure& figure) {
  switch (attr) {
  case cudaGraphMemAttrUsedMemCurrent:
    figure = graphMemory::Figure::UsedCurrent;
    return true;
  case cudaGraphMemAttrUsedMemHigh:
    figure = graphMemory::Figure::UsedHigh;
    return true;
  case cudaGraphMemAttrReservedMemCurrent:
    figure = graphMemory::Figure::ReservedCurrent;
    return true;
  case cudaGraphMemAttrReservedMemHigh:
    figure = graphMemory::Figure::ReservedHigh;
    return true;
  default:
    return false;
  }
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetGraphMemAttribute(int device,
                                                                    cudaGraphMemAttributeType attr,
                                                                    void* value) {
  return api(
      "cudaDeviceGetGraphMemAttribute",
      [&] {
        graphMemory::Figure figure;
        if (!value || !figureOf(attr, figure))
          return cudaErrorInvalidValue;
        if (cudaError_t error = checkDevice(device))
          return error;
        *static_cast<uint64_t*>(value) = graphMemory::figure(device, figure);
        return cudaSuccess;
      },
      device, attr, value);
}

// Only the high watermarks may be set, and only to zero (CUDA's rule); they restart from the
// current figures.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceSetGraphMemAttribute(int device,
                                                                    cudaGraphMemAttributeType attr,
                                                                    void* value) {
  return api(
      "cudaDeviceSetGraphMemAttribute",
      [&] {
        graphMemory::Figure figure;
        bool watermark = figureOf(attr, figure) && (figure == graphMemory::Figure::UsedHigh ||
                                                    figure == graphMemory::Figure::ReservedHigh);
        if (!value || !watermark || *static_cast<uint64_t*>(value) != 0)
          return cudaErrorInvalidValue;
        if (cudaError_t error = checkDevice(device))
          return error;
        graphMemory::resetHigh(device, figure);
        return cudaSuccess;
      },
      device, attr, value);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGraphMemTrim(int device) {
  return api(
      "cudaDeviceGraphMemTrim",
      [&] {
        if (cudaError_t error = checkDevice(device))
          return error;
        // Frees are counted when issued; the pages go only once the streams have reached them.
        if (cudaError_t error = cudaDeviceSynchronize())
          return error;
        graphMemory::trim(device);
        return cudaSuccess;
      },
      device);
}

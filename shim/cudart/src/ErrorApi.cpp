// Error and version queries: they need no device.
#include "Errors.h"
#include "Export.h"

#include <cuda_runtime_api.h>

using namespace drawbridge::cudart;

DRAWBRIDGE_CUDART_EXPORT const char* cudaGetErrorName(cudaError_t error) {
  return errorName(error);
}

DRAWBRIDGE_CUDART_EXPORT const char* cudaGetErrorString(cudaError_t error) {
  return errorString(error);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetLastError() {
  return takeLastError();
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaPeekAtLastError() {
  return peekLastError();
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaRuntimeGetVersion(int* runtimeVersion) {
  if (!runtimeVersion)
    return report(cudaErrorInvalidValue);
  *runtimeVersion = CUDART_VERSION;
  return cudaSuccess;
}

// The "driver" is Drawbridge itself; it supports exactly the runtime it implements.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDriverGetVersion(int* driverVersion) {
  if (!driverVersion)
    return report(cudaErrorInvalidValue);
  *driverVersion = CUDART_VERSION;
  return cudaSuccess;
}

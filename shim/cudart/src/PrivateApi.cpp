// The one entry point Drawbridge's other shims (libcublas, libcublasLt) use to reach the device
// and streams of the runtime the program uses; exported under DRAWBRIDGE_PRIVATE_1, not CUDA's
// version node, so no CUDA program can bind to it by accident.
#include "Runtime.h"

#include <cuda_runtime_api.h>

extern "C" __attribute__((visibility("default"))) int
__drawbridge_cudart_resolve_stream(cudaStream_t stream, void** device, void** backendStream) {
  drawbridge::backend::Device* current = nullptr;
  if (cudaError_t error = drawbridge::cudart::Runtime::instance().current(current))
    return error;
  *device = current;
  *backendStream = drawbridge::cudart::toBackend(stream);
  return cudaSuccess;
}

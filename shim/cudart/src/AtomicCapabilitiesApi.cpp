// Which atomic operations the links between a CPU device and the host, or two CPU devices,
// support natively. Every CPU device's memory is the host's and its atomics are the host's own
// instructions, so every link has the same answer: what the device's code itself can do atomically
// (the sm_80 atomics: 32- and 64-bit scalars; 128-bit and vector atomics are sm_90's).
#include "Api.h"
#include "Export.h"
#include "Runtime.h"

using namespace drawbridge::cudart;

namespace {

constexpr unsigned kScalars = cudaAtomicCapabilityScalar32 | cudaAtomicCapabilityScalar64;
constexpr unsigned kIntegers = cudaAtomicCapabilitySigned | cudaAtomicCapabilityUnsigned;

// 0 marks an operation CUDA does not define.
unsigned capabilities(cudaAtomicOperation operation) {
  switch (operation) {
  case cudaAtomicOperationIntegerAdd:
  case cudaAtomicOperationIntegerMin:
  case cudaAtomicOperationIntegerMax:
  case cudaAtomicOperationIntegerIncrement:
  case cudaAtomicOperationIntegerDecrement:
  case cudaAtomicOperationAnd:
  case cudaAtomicOperationOr:
  case cudaAtomicOperationXOR:
    return kIntegers | kScalars | cudaAtomicCapabilityReduction;
  case cudaAtomicOperationExchange:
  case cudaAtomicOperationCAS:
    return kIntegers | kScalars;
  case cudaAtomicOperationFloatAdd:
  case cudaAtomicOperationFloatMin:
  case cudaAtomicOperationFloatMax:
    return kScalars | cudaAtomicCapabilityReduction;
  }
  return 0;
}

cudaError_t describe(unsigned* out, const cudaAtomicOperation* operations, unsigned count) {
  if (!out || !operations || count == 0)
    return cudaErrorInvalidValue;
  for (unsigned i = 0; i < count; ++i)
    if (!capabilities(operations[i]))
      return cudaErrorInvalidValue;
  for (unsigned i = 0; i < count; ++i)
    out[i] = capabilities(operations[i]);
  return cudaSuccess;
}

cudaError_t checkDevice(int ordinal) {
  drawbridge::backend::Device* device = nullptr;
  return Runtime::instance().device(ordinal, device);
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetHostAtomicCapabilities(
    unsigned int* capabilities, const cudaAtomicOperation* operations, unsigned int count,
    int device) {
  return api(
      "cudaDeviceGetHostAtomicCapabilities",
      [&] {
        if (cudaError_t error = checkDevice(device))
          return error;
        return describe(capabilities, operations, count);
      },
      capabilities, operations, count, device);
}

// As cudaDeviceGetP2PAttribute, a device is no peer of itself.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetP2PAtomicCapabilities(
    unsigned int* capabilities, const cudaAtomicOperation* operations, unsigned int count,
    int srcDevice, int dstDevice) {
  return api(
      "cudaDeviceGetP2PAtomicCapabilities",
      [&] {
        if (cudaError_t error = checkDevice(srcDevice))
          return error;
        if (cudaError_t error = checkDevice(dstDevice))
          return error;
        if (srcDevice == dstDevice)
          return cudaErrorInvalidDevice;
        return describe(capabilities, operations, count);
      },
      capabilities, operations, count, srcDevice, dstDevice);
}

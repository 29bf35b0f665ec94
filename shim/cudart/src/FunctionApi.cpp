// Kernel attributes, their settings, and the occupancy queries built on them.
#include "Api.h"
#include "DeviceProperties.h"
#include "Export.h"
#include "Log.h"
#include "Modules.h"
#include "Occupancy.h"
#include "Operations.h"
#include "Runtime.h"

#include <cstdio>
#include <cstring>

using namespace drawbridge::cudart;

namespace {

RegisteredFunction* byHostStub(const void* stub) {
  return const_cast<RegisteredFunction*>(Registry::instance().function(stub));
}

// Runs body(function, kernel, device) for the kernel whose host stub is `func`.
template <typename Body> cudaError_t withKernel(const void* func, Body&& body) {
  RegisteredFunction* function = byHostStub(func);
  if (!function)
    return cudaErrorInvalidDeviceFunction;
  return onCurrentDevice([&](drawbridge::backend::Device& device) {
    drawbridge::backend::Kernel* kernel = nullptr;
    if (cudaError_t error = resolveKernel(*function, device, kernel))
      return error;
    return body(*function, *kernel, device.properties());
  });
}

cudaError_t setAttribute(RegisteredFunction& function, const drawbridge::backend::Kernel& kernel,
                         const drawbridge::backend::DeviceProperties& device,
                         cudaFuncAttribute attr, int value) {
  switch (attr) {
  case cudaFuncAttributeMaxDynamicSharedMemorySize:
    if (value < 0 ||
        size_t(value) + kernel.info().staticSharedBytes > device.sharedMemoryPerBlockMax)
      return cudaErrorInvalidValue;
    function.maxDynamicShared = size_t(value);
    return cudaSuccess;
  case cudaFuncAttributePreferredSharedMemoryCarveout:
    if (value < -1 || value > 100)
      return cudaErrorInvalidValue;
    function.sharedCarveout = value;
    return cudaSuccess;
  case cudaFuncAttributeRequiredClusterWidth:
  case cudaFuncAttributeRequiredClusterHeight:
  case cudaFuncAttributeRequiredClusterDepth:
  case cudaFuncAttributeNonPortableClusterSizeAllowed:
  case cudaFuncAttributeClusterSchedulingPolicyPreference:
    logError("drawbridge: cudaFuncSetAttribute: thread block clusters are not "
             "supported (the device is compute capability 8.0)\n");
    return cudaErrorNotSupported;
  default:
    return cudaErrorInvalidValue;
  }
}

} // namespace

namespace drawbridge::cudart {

cudaError_t activeBlocksPerMultiprocessor(RegisteredFunction& function, int blockSize,
                                          size_t dynamicShared, int& blocks, int& multiprocessors) {
  return onCurrentDevice([&](backend::Device& device) {
    backend::Kernel* kernel = nullptr;
    if (cudaError_t error = resolveKernel(function, device, kernel))
      return error;
    if (blockSize <= 0)
      return cudaErrorInvalidValue;
    const backend::DeviceProperties& p = device.properties();
    multiprocessors = p.multiProcessorCount;
    bool fits = blockSize <= kernel->info().maxThreadsPerBlock &&
                blockSize <= p.maxThreadsPerBlock &&
                dynamicShared <= dynamicSharedLimit(function, *kernel, p);
    blocks = fits ? 1 : 0;
    return cudaSuccess;
  });
}

} // namespace drawbridge::cudart

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaFuncGetAttributes(cudaFuncAttributes* attr,
                                                           const void* func) {
  return api(
      "cudaFuncGetAttributes",
      [&] {
        if (!attr)
          return cudaErrorInvalidValue;
        return withKernel(func, [&](RegisteredFunction& function, const auto& kernel,
                                    const drawbridge::backend::DeviceProperties& device) {
          const auto& info = kernel.info();
          std::memset(attr, 0, sizeof *attr);
          attr->sharedSizeBytes = info.staticSharedBytes;
          attr->localSizeBytes = info.localBytesPerThread;
          attr->maxThreadsPerBlock = info.maxThreadsPerBlock;
          attr->maxDynamicSharedSizeBytes =
              static_cast<int>(dynamicSharedLimit(function, kernel, device));
          attr->preferredShmemCarveout = function.sharedCarveout;
          attr->ptxVersion = kComputeMajor * 10 + kComputeMinor;
          attr->binaryVersion = kComputeMajor * 10 + kComputeMinor;
          return cudaSuccess;
        });
      },
      attr, func);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaFuncSetAttribute(const void* func, cudaFuncAttribute attr,
                                                          int value) {
  return api(
      "cudaFuncSetAttribute",
      [&] {
        return withKernel(
            func, [&](RegisteredFunction& function, const auto& kernel, const auto& device) {
              return setAttribute(function, kernel, device, attr, value);
            });
      },
      func, attr, value);
}

// The CPU has no split between L1 and shared memory: the preference is checked and has no
// effect, as on GPUs with a fixed split.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaFuncSetCacheConfig(const void* func,
                                                            cudaFuncCache cacheConfig) {
  return api(
      "cudaFuncSetCacheConfig",
      [&] {
        if (cacheConfig < cudaFuncCachePreferNone || cacheConfig > cudaFuncCachePreferEqual)
          return cudaErrorInvalidValue;
        return withKernel(func, [](auto&, const auto&, const auto&) { return cudaSuccess; });
      },
      func, cacheConfig);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaFuncSetSharedMemConfig(const void* func,
                                                                cudaSharedMemConfig config) {
  return api(
      "cudaFuncSetSharedMemConfig",
      [&] {
        if (config < cudaSharedMemBankSizeDefault || config > cudaSharedMemBankSizeEightByte)
          return cudaErrorInvalidValue;
        return withKernel(func, [](auto&, const auto&, const auto&) { return cudaSuccess; });
      },
      func, config);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetFuncBySymbol(cudaFunction_t* functionPtr,
                                                         const void* symbolPtr) {
  return api(
      "cudaGetFuncBySymbol",
      [&] {
        if (!functionPtr)
          return cudaErrorInvalidValue;
        RegisteredFunction* function = byHostStub(symbolPtr);
        if (!function)
          return cudaErrorInvalidDeviceFunction;
        *functionPtr = reinterpret_cast<cudaFunction_t>(function);
        return cudaSuccess;
      },
      functionPtr, symbolPtr);
}

// The kernel's name as the device code spells it (mangled, as NVIDIA's runtime returns it).
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaFuncGetName(const char** name, const void* func) {
  return api(
      "cudaFuncGetName",
      [&] {
        if (!name)
          return cudaErrorInvalidValue;
        RegisteredFunction* function = byHostStub(func);
        if (!function)
          return cudaErrorInvalidDeviceFunction;
        *name = function->deviceName.c_str();
        return cudaSuccess;
      },
      name, func);
}

// Where a parameter lies in the kernel's parameter buffer, as PTX lays it out: each parameter
// at its own alignment.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaFuncGetParamInfo(const void* func, size_t paramIndex,
                                                          size_t* paramOffset, size_t* paramSize) {
  return api(
      "cudaFuncGetParamInfo",
      [&] {
        if (!paramOffset || !paramSize)
          return cudaErrorInvalidValue;
        return withKernel(func, [&](RegisteredFunction&, const auto& kernel,
                                    const drawbridge::backend::DeviceProperties&) {
          const auto& info = kernel.info();
          if (paramIndex >= info.paramSizes.size())
            return cudaErrorInvalidValue;
          *paramOffset = info.paramOffsets[paramIndex];
          *paramSize = info.paramSizes[paramIndex];
          return cudaSuccess;
        });
      },
      func, paramIndex, paramOffset, paramSize);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(
    int* numBlocks, const void* func, int blockSize, size_t dynamicSMemSize, unsigned int flags) {
  return api(
      "cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags",
      [&] {
        if (!numBlocks || (flags & ~cudaOccupancyDisableCachingOverride))
          return cudaErrorInvalidValue;
        RegisteredFunction* function = byHostStub(func);
        if (!function)
          return cudaErrorInvalidDeviceFunction;
        int multiprocessors = 0;
        return activeBlocksPerMultiprocessor(*function, blockSize, dynamicSMemSize, *numBlocks,
                                             multiprocessors);
      },
      numBlocks, func, blockSize, dynamicSMemSize, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(
    int* numBlocks, const void* func, int blockSize, size_t dynamicSMemSize) {
  return cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(
      numBlocks, func, blockSize, dynamicSMemSize, cudaOccupancyDefault);
}

// One block per multiprocessor: all of a kernel's shared memory is available to one block,
// none to a second.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaOccupancyAvailableDynamicSMemPerBlock(
    size_t* dynamicSmemSize, const void* func, int numBlocks, int blockSize) {
  return api(
      "cudaOccupancyAvailableDynamicSMemPerBlock",
      [&] {
        if (!dynamicSmemSize || numBlocks <= 0 || blockSize <= 0)
          return cudaErrorInvalidValue;
        return withKernel(func, [&](RegisteredFunction&, const auto& kernel,
                                    const drawbridge::backend::DeviceProperties& device) {
          size_t fixed = kernel.info().staticSharedBytes;
          bool fits = numBlocks == 1 && blockSize <= kernel.info().maxThreadsPerBlock &&
                      fixed <= device.sharedMemoryPerBlockMax;
          *dynamicSmemSize = fits ? device.sharedMemoryPerBlockMax - fixed : 0;
          return cudaSuccess;
        });
      },
      dynamicSmemSize, func, numBlocks, blockSize);
}

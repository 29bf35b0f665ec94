// Kernel launches, through every entry point nvcc and clang emit.
#include "Api.h"
#include "Export.h"
#include "Log.h"
#include "Occupancy.h"
#include "Operations.h"
#include "RegistrationAbi.h"
#include "Runtime.h"

#include <cstdio>

using namespace drawbridge::cudart;

namespace {

RegisteredFunction* byHostStub(const void* stub) {
  return const_cast<RegisteredFunction*>(Registry::instance().function(stub));
}

// A cooperative grid must fit on the device at once, as the occupancy API reports it.
cudaError_t launchCooperative(KernelLaunch launch, cudaStream_t stream) {
  if (!launch.function)
    return cudaErrorInvalidDeviceFunction;
  int perMultiprocessor = 0, multiprocessors = 0;
  if (cudaError_t error = activeBlocksPerMultiprocessor(
          *launch.function, int(launch.block.x * launch.block.y * launch.block.z), launch.sharedMem,
          perMultiprocessor, multiprocessors))
    return error;
  if (uint64_t(launch.grid.x) * launch.grid.y * launch.grid.z >
      uint64_t(perMultiprocessor) * multiprocessors)
    return cudaErrorCooperativeLaunchTooLarge;
  launch.cooperative = true;
  return launchKernel(launch, stream);
}

// cudaLaunchKernelExC's attributes: cooperative is honoured, a priority accepted (the CPU
// backend does not preempt), anything else named and refused.
cudaError_t launchWithConfig(const cudaLaunchConfig_t* config, const void* func, void** args) {
  if (!config || (config->numAttrs && !config->attrs))
    return cudaErrorInvalidValue;
  KernelLaunch launch{byHostStub(func), config->gridDim, config->blockDim, config->dynamicSmemBytes,
                      args};
  for (unsigned i = 0; i < config->numAttrs; ++i) {
    const cudaLaunchAttribute& attribute = config->attrs[i];
    switch (attribute.id) {
    case cudaLaunchAttributeIgnore:
    case cudaLaunchAttributePriority:
      break;
    case cudaLaunchAttributeCooperative:
      launch.cooperative = attribute.val.cooperative != 0;
      break;
    default:
      logError("drawbridge: cudaLaunchKernelExC: launch attribute %d is not supported by "
               "Drawbridge (supported: cooperative, priority)\n",
               int(attribute.id));
      return cudaErrorNotSupported;
    }
  }
  return launch.cooperative ? launchCooperative(launch, config->stream)
                            : launchKernel(launch, config->stream);
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLaunchKernel(const void* func, dim3 gridDim, dim3 blockDim,
                                                      void** args, size_t sharedMem,
                                                      cudaStream_t stream) {
  return api(
      "cudaLaunchKernel",
      [&] {
        return launchKernel({byHostStub(func), gridDim, blockDim, sharedMem, args}, stream);
      },
      func, gridDim, blockDim, args, sharedMem, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLaunchKernel_ptsz(const void* func, dim3 gridDim,
                                                           dim3 blockDim, void** args,
                                                           size_t sharedMem, cudaStream_t stream) {
  return cudaLaunchKernel(func, gridDim, blockDim, args, sharedMem,
                          stream ? stream : cudaStreamPerThread);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t __cudaLaunchKernel(cudaKernel_t kernel, dim3 gridDim,
                                                        dim3 blockDim, void** args,
                                                        size_t sharedMem, cudaStream_t stream) {
  return api(
      "__cudaLaunchKernel",
      [&] {
        // Looked up, not cast: a kernel of an unloaded library is then an invalid function.
        return launchKernel({byHostStub(kernel), gridDim, blockDim, sharedMem, args}, stream);
      },
      kernel, gridDim, blockDim, args, sharedMem, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t __cudaLaunchKernel_ptsz(cudaKernel_t kernel, dim3 gridDim,
                                                             dim3 blockDim, void** args,
                                                             size_t sharedMem,
                                                             cudaStream_t stream) {
  return __cudaLaunchKernel(kernel, gridDim, blockDim, args, sharedMem,
                            stream ? stream : cudaStreamPerThread);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLaunchCooperativeKernel(const void* func, dim3 gridDim,
                                                                 dim3 blockDim, void** args,
                                                                 size_t sharedMem,
                                                                 cudaStream_t stream) {
  return api(
      "cudaLaunchCooperativeKernel",
      [&] {
        return launchCooperative({byHostStub(func), gridDim, blockDim, sharedMem, args}, stream);
      },
      func, gridDim, blockDim, args, sharedMem, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLaunchCooperativeKernel_ptsz(const void* func,
                                                                      dim3 gridDim, dim3 blockDim,
                                                                      void** args, size_t sharedMem,
                                                                      cudaStream_t stream) {
  return cudaLaunchCooperativeKernel(func, gridDim, blockDim, args, sharedMem,
                                     stream ? stream : cudaStreamPerThread);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLaunchKernelExC(const cudaLaunchConfig_t* config,
                                                         const void* func, void** args) {
  return api(
      "cudaLaunchKernelExC", [&] { return launchWithConfig(config, func, args); }, config, func,
      args);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLaunchKernelExC_ptsz(const cudaLaunchConfig_t* config,
                                                              const void* func, void** args) {
  if (!config || config->stream)
    return cudaLaunchKernelExC(config, func, args);
  cudaLaunchConfig_t perThread = *config;
  perThread.stream = cudaStreamPerThread;
  return cudaLaunchKernelExC(&perThread, func, args);
}

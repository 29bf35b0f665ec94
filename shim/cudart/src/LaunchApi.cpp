// Kernel launches, through every entry point nvcc and clang emit, and kernel attributes.
#include "Api.h"
#include "Export.h"
#include "Modules.h"
#include "Profile.h"
#include "RegistrationAbi.h"
#include "Runtime.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

using namespace drawbridge::cudart;

namespace {

// CUDA_LAUNCH_BLOCKING=1 makes every launch synchronous, so its errors surface at the launch.
bool launchBlocking() {
  static const bool enabled = [] {
    const char* value = std::getenv("CUDA_LAUNCH_BLOCKING");
    return value && std::strcmp(value, "1") == 0;
  }();
  return enabled;
}

drawbridge::backend::Dim3 toDim3(dim3 d) {
  return {d.x, d.y, d.z};
}

cudaError_t launch(RegisteredFunction* function, dim3 grid, dim3 block, void** args,
                   size_t sharedMem, cudaStream_t stream) {
  if (!function)
    return cudaErrorInvalidDeviceFunction;
  if (cudaError_t sticky = stickyError())
    return sticky;
  return onCurrentDevice([&](drawbridge::backend::Device& device) {
    drawbridge::backend::Kernel* kernel = nullptr;
    if (cudaError_t error = resolveKernel(*function, device, kernel))
      return error;
    drawbridge::backend::LaunchConfig config{toDim3(grid), toDim3(block), sharedMem};
    auto* onStream = toBackend(stream);
    auto started = std::chrono::steady_clock::now();
    if (cudaError_t error = toCudaError(device.launch(kernel, config, args, onStream),
                                        function->deviceName.c_str()))
      return error;
    if (profiling() || launchBlocking()) {
      cudaError_t finished =
          toCudaError(device.synchronizeStream(onStream), function->deviceName.c_str());
      if (profiling())
        recordKernelTime(function->deviceName, std::chrono::duration<double, std::milli>(
                                                   std::chrono::steady_clock::now() - started)
                                                   .count());
      return finished;
    }
    return cudaSuccess;
  });
}

RegisteredFunction* byHostStub(const void* stub) {
  return const_cast<RegisteredFunction*>(Registry::instance().function(stub));
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLaunchKernel(const void* func, dim3 gridDim, dim3 blockDim,
                                                      void** args, size_t sharedMem,
                                                      cudaStream_t stream) {
  return api(
      "cudaLaunchKernel",
      [&] { return launch(byHostStub(func), gridDim, blockDim, args, sharedMem, stream); }, func,
      gridDim, blockDim, args, sharedMem, stream);
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
        return launch(reinterpret_cast<RegisteredFunction*>(kernel), gridDim, blockDim, args,
                      sharedMem, stream);
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

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaFuncGetAttributes(cudaFuncAttributes* attr,
                                                           const void* func) {
  return api(
      "cudaFuncGetAttributes",
      [&] {
        if (!attr)
          return cudaErrorInvalidValue;
        RegisteredFunction* function = byHostStub(func);
        if (!function)
          return cudaErrorInvalidDeviceFunction;
        return onCurrentDevice([&](drawbridge::backend::Device& device) {
          drawbridge::backend::Kernel* kernel = nullptr;
          if (cudaError_t error = resolveKernel(*function, device, kernel))
            return error;
          const auto& info = kernel->info();
          std::memset(attr, 0, sizeof *attr);
          attr->sharedSizeBytes = info.staticSharedBytes;
          attr->localSizeBytes = info.localBytesPerThread;
          attr->maxThreadsPerBlock = info.maxThreadsPerBlock;
          attr->maxDynamicSharedSizeBytes = static_cast<int>(
              device.properties().sharedMemoryPerBlockMax - info.staticSharedBytes);
          attr->ptxVersion = 80;
          attr->binaryVersion = 80;
          return cudaSuccess;
        });
      },
      attr, func);
}

// The work a stream runs: kernel launches, copies, fills and host functions. Every API that
// puts work on a stream, and every graph launch, goes through these, so stream capture
// (Capture.h) sees all of it in one place.
#pragma once

#include "Registry.h"

#include <cuda_runtime_api.h>
#include <functional>

namespace drawbridge::cudart {

struct KernelLaunch {
  RegisteredFunction* function = nullptr;
  dim3 grid;
  dim3 block;
  size_t sharedMem = 0;
  void** args = nullptr;
  bool cooperative = false;
};

cudaError_t launchKernel(const KernelLaunch& launch, cudaStream_t stream);

/// cudaMemcpy3D's description covers every linear copy: 1D copies are one row of one slice.
cudaError_t copy(const cudaMemcpy3DParms& params, cudaStream_t stream, bool async, const char* api);
/// The asynchronous API calls' copy, as NVIDIA's returns: at once for device and pinned host
/// memory; after staging a pageable source; after completion for a pageable destination or
/// host to host.
cudaError_t copyAsync(const cudaMemcpy3DParms& params, cudaStream_t stream, const char* api);
/// Reads the source before it returns, and writes the destination in stream order.
cudaError_t copyStaged(const cudaMemcpy3DParms& params, cudaStream_t stream, const char* api);
cudaMemcpy3DParms linearCopy(void* dst, const void* src, size_t count, cudaMemcpyKind kind);
/// The copy to (`toSymbol`) or from the __device__ variable whose host shadow is `symbol`.
cudaError_t symbolCopy(const void* symbol, size_t count, size_t offset, bool toSymbol, void* other,
                       cudaMemcpyKind kind, cudaMemcpy3DParms& params);
cudaError_t copyLinear(void* dst, const void* src, size_t count, cudaMemcpyKind kind,
                       cudaStream_t stream, bool async, const char* api);

/// cudaMemsetParams: `height` rows of `width` elements of 1, 2 or 4 bytes, `pitch` apart.
cudaError_t fill(const cudaMemsetParams& params, cudaStream_t stream, bool async, const char* api);
cudaMemsetParams linearFill(void* dst, int value, size_t count);

cudaError_t hostFunction(cudaHostFn_t fn, void* user, cudaStream_t stream, const char* api);

/// Runs `work` on a backend thread once the work before it on `stream` is done, unless the
/// stream has failed by then. The work must not call back into the runtime.
cudaError_t enqueueHostWork(cudaStream_t stream, std::function<void()> work, const char* api);

/// Whether the kernel's dynamic shared memory fits what it may use (48 KiB less its static
/// shared memory, unless raised by cudaFuncSetAttribute).
size_t dynamicSharedLimit(const RegisteredFunction& function, const backend::Kernel& kernel,
                          const backend::DeviceProperties& device);

} // namespace drawbridge::cudart

// Preloaded ahead of whichever libcudart.so.13 the program loads (NVIDIA's or Drawbridge's),
// each wrapper forwards to the real call and records it with its result. Arguments that differ
// from run to run (addresses, handles) are left out; sizes, kinds and launch shapes stay in, and
// a copy to the host records a digest of what arrived: at once for synchronous copies, at the
// stream's or device's synchronisation for asynchronous ones.
#include "TraceWriter.h"

#include <cstdio>
#include <cuda_runtime_api.h>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <string>
#include <vector>

using namespace drawbridge::record;

namespace {

// Calls the runtime makes to itself while a recorded call runs are not the program's calls:
// Drawbridge's runtime implements some entry points through others, NVIDIA's does not.
thread_local int depth = 0;

template <typename Function> Function next(const char* name) {
  return reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
}

// Calls the real `name` and records it, with what `describe(result)` says once it returned.
template <typename Function, typename Describe, typename... Args>
cudaError_t record(const char* name, Function*& real, Describe describe, Args... args) {
  if (!real)
    real = next<Function*>(name);
  if (!real)
    return cudaErrorNotSupported; // no runtime below: nothing to forward to
  ++depth;
  cudaError_t result = real(args...);
  --depth;
  if (depth == 0)
    writeCall(name, describe(result), result);
  return result;
}

template <typename Function, typename... Args>
cudaError_t forward(const char* name, Function*& real, const std::string& details, Args... args) {
  return record(
      name, real, [&](cudaError_t) { return details; }, args...);
}

std::string format(const char* pattern, auto... values) {
  char text[256];
  std::snprintf(text, sizeof text, pattern, values...);
  return text;
}

std::string digestOf(const void* data, size_t bytes) {
  return format("digest=%016llx", static_cast<unsigned long long>(digest(data, bytes)));
}

// Both launch paths record the same line: a program's trace does not depend on which it took.
std::string launchShape(dim3 grid, dim3 block, size_t shared) {
  return format("(%u,%u,%u), (%u,%u,%u), %zu", grid.x, grid.y, grid.z, block.x, block.y, block.z,
                shared);
}

// Copies to the host still under way on a stream: digested when the program synchronises.
struct Pending {
  const void* data;
  size_t bytes;
};
std::mutex pendingMutex;
std::map<cudaStream_t, std::vector<Pending>> pending;

// Digests what arrived on `stream` (every stream for nullptr with `all`), in copy order.
std::string flush(cudaStream_t stream, bool all) {
  std::lock_guard lock(pendingMutex);
  std::string out;
  for (auto it = pending.begin(); it != pending.end();) {
    if (!all && it->first != stream) {
      ++it;
      continue;
    }
    for (const Pending& copy : it->second)
      out += (out.empty() ? "" : ", ") + digestOf(copy.data, copy.bytes);
    it = pending.erase(it);
  }
  return out;
}

// Whether a copy of `kind` lands in host memory.
bool toHost(const void* dst, cudaMemcpyKind kind) {
  if (kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyHostToHost)
    return true;
  if (kind != cudaMemcpyDefault)
    return false;
  static auto* attributes = next<decltype(&cudaPointerGetAttributes)>("cudaPointerGetAttributes");
  cudaPointerAttributes a{};
  if (!attributes || attributes(&a, dst) != cudaSuccess)
    return true;
  return a.type == cudaMemoryTypeHost || a.type == cudaMemoryTypeUnregistered;
}

} // namespace

#define REAL(name) static decltype(&name) real_##name = nullptr

extern "C" {

// What nvcc 13 emits for <<<...>>> (declared by crt/device_functions.h, which only nvcc sees).
cudaError_t __cudaLaunchKernel(cudaKernel_t kernel, dim3 grid, dim3 block, void** args,
                               size_t shared, cudaStream_t stream);

cudaError_t cudaMalloc(void** p, size_t bytes) {
  REAL(cudaMalloc);
  return forward("cudaMalloc", real_cudaMalloc, format("%zu", bytes), p, bytes);
}

cudaError_t cudaFree(void* p) {
  REAL(cudaFree);
  return forward("cudaFree", real_cudaFree, p ? "" : "NULL", p);
}

cudaError_t cudaMallocHost(void** p, size_t bytes) {
  REAL(cudaMallocHost);
  return forward("cudaMallocHost", real_cudaMallocHost, format("%zu", bytes), p, bytes);
}

cudaError_t cudaFreeHost(void* p) {
  REAL(cudaFreeHost);
  return forward("cudaFreeHost", real_cudaFreeHost, "", p);
}

cudaError_t cudaMallocManaged(void** p, size_t bytes, unsigned flags) {
  REAL(cudaMallocManaged);
  return forward("cudaMallocManaged", real_cudaMallocManaged, format("%zu, %u", bytes, flags), p,
                 bytes, flags);
}

cudaError_t cudaMemset(void* p, int value, size_t bytes) {
  REAL(cudaMemset);
  return forward("cudaMemset", real_cudaMemset, format("%d, %zu", value, bytes), p, value, bytes);
}

cudaError_t cudaMemsetAsync(void* p, int value, size_t bytes, cudaStream_t stream) {
  REAL(cudaMemsetAsync);
  return forward("cudaMemsetAsync", real_cudaMemsetAsync, format("%d, %zu", value, bytes), p, value,
                 bytes, stream);
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
  REAL(cudaMemcpy);
  auto describe = [&](cudaError_t result) {
    std::string details = format("%zu, %d", bytes, static_cast<int>(kind));
    if (result == cudaSuccess && dst && toHost(dst, kind))
      details += ", " + digestOf(dst, bytes);
    return details;
  };
  return record("cudaMemcpy", real_cudaMemcpy, describe, dst, src, bytes, kind);
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t stream) {
  REAL(cudaMemcpyAsync);
  cudaError_t result =
      forward("cudaMemcpyAsync", real_cudaMemcpyAsync,
              format("%zu, %d", bytes, static_cast<int>(kind)), dst, src, bytes, kind, stream);
  if (result == cudaSuccess && depth == 0 && dst && toHost(dst, kind)) {
    std::lock_guard lock(pendingMutex);
    pending[stream].push_back({dst, bytes});
  }
  return result;
}

cudaError_t cudaMemcpyFromSymbol(void* dst, const void* symbol, size_t bytes, size_t offset,
                                 cudaMemcpyKind kind) {
  REAL(cudaMemcpyFromSymbol);
  auto describe = [&](cudaError_t result) {
    std::string details = format("%zu, %zu", bytes, offset);
    if (result == cudaSuccess && dst && toHost(dst, kind))
      details += ", " + digestOf(dst, bytes);
    return details;
  };
  return record("cudaMemcpyFromSymbol", real_cudaMemcpyFromSymbol, describe, dst, symbol, bytes,
                offset, kind);
}

cudaError_t cudaMemcpyToSymbol(const void* symbol, const void* src, size_t bytes, size_t offset,
                               cudaMemcpyKind kind) {
  REAL(cudaMemcpyToSymbol);
  return forward("cudaMemcpyToSymbol", real_cudaMemcpyToSymbol, format("%zu, %zu", bytes, offset),
                 symbol, src, bytes, offset, kind);
}

cudaError_t cudaLaunchKernel(const void* function, dim3 grid, dim3 block, void** args,
                             size_t shared, cudaStream_t stream) {
  REAL(cudaLaunchKernel);
  return forward("cudaLaunchKernel", real_cudaLaunchKernel, launchShape(grid, block, shared),
                 function, grid, block, args, shared, stream);
}

cudaError_t __cudaLaunchKernel(cudaKernel_t kernel, dim3 grid, dim3 block, void** args,
                               size_t shared, cudaStream_t stream) {
  REAL(__cudaLaunchKernel);
  if (!real___cudaLaunchKernel) // recorded under the public name, resolved under its own
    real___cudaLaunchKernel = next<decltype(&__cudaLaunchKernel)>("__cudaLaunchKernel");
  return forward("cudaLaunchKernel", real___cudaLaunchKernel, launchShape(grid, block, shared),
                 kernel, grid, block, args, shared, stream);
}

cudaError_t cudaDeviceSynchronize() {
  REAL(cudaDeviceSynchronize);
  return record("cudaDeviceSynchronize", real_cudaDeviceSynchronize,
                [](cudaError_t) { return flush(nullptr, true); });
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  REAL(cudaStreamSynchronize);
  return record(
      "cudaStreamSynchronize", real_cudaStreamSynchronize,
      [&](cudaError_t) { return flush(stream, false); }, stream);
}

cudaError_t cudaStreamCreate(cudaStream_t* stream) {
  REAL(cudaStreamCreate);
  return forward("cudaStreamCreate", real_cudaStreamCreate, "", stream);
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned flags) {
  REAL(cudaStreamCreateWithFlags);
  return forward("cudaStreamCreateWithFlags", real_cudaStreamCreateWithFlags, format("%u", flags),
                 stream, flags);
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  REAL(cudaStreamDestroy);
  return forward("cudaStreamDestroy", real_cudaStreamDestroy, "", stream);
}

cudaError_t cudaGetLastError() {
  REAL(cudaGetLastError);
  return forward("cudaGetLastError", real_cudaGetLastError, "");
}

cudaError_t cudaPeekAtLastError() {
  REAL(cudaPeekAtLastError);
  return forward("cudaPeekAtLastError", real_cudaPeekAtLastError, "");
}

cudaError_t cudaGetDeviceCount(int* count) {
  REAL(cudaGetDeviceCount);
  return forward("cudaGetDeviceCount", real_cudaGetDeviceCount, "", count);
}

cudaError_t cudaSetDevice(int device) {
  REAL(cudaSetDevice);
  return forward("cudaSetDevice", real_cudaSetDevice, format("%d", device), device);
}

} // extern "C"

#include "Operations.h"

#include "Allocations.h"
#include "Arrays.h"
#include "Capture.h"
#include "Errors.h"
#include "Graph.h"
#include "Log.h"
#include "Modules.h"
#include "Profile.h"
#include "Runtime.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

namespace drawbridge::cudart {
namespace {

// CUDA_LAUNCH_BLOCKING=1 makes every launch synchronous, so its errors surface at the launch.
bool launchBlocking() {
  static const bool enabled = [] {
    const char* value = std::getenv("CUDA_LAUNCH_BLOCKING");
    return value && std::strcmp(value, "1") == 0;
  }();
  return enabled;
}

backend::Dim3 toDim3(dim3 d) {
  return {d.x, d.y, d.z};
}

char* at(const cudaPitchedPtr& p, const cudaPos& pos, size_t y, size_t z) {
  return static_cast<char*>(p.ptr) + ((pos.z + z) * p.ysize + pos.y + y) * p.pitch + pos.x;
}

// A linear copy: both sides one row that is the whole extent.
bool contiguous(const cudaMemcpy3DParms& p) {
  auto dense = [&](const cudaPitchedPtr& ptr, const cudaPos& pos) {
    return pos.y == 0 && pos.z == 0 &&
           (p.extent.height * p.extent.depth == 1 ||
            (ptr.pitch == p.extent.width && pos.x == 0 &&
             (p.extent.depth == 1 || ptr.ysize == p.extent.height)));
  };
  return dense(p.srcPtr, p.srcPos) && dense(p.dstPtr, p.dstPos);
}

void copyRows(const cudaMemcpy3DParms& p) {
  for (size_t z = 0; z < p.extent.depth; ++z)
    for (size_t y = 0; y < p.extent.height; ++y)
      std::memmove(at(p.dstPtr, p.dstPos, y, z), at(p.srcPtr, p.srcPos, y, z), p.extent.width);
}

// What CUDA checks of a copy before it does anything.
cudaError_t checkCopy(const cudaMemcpy3DParms& p, const char* api) {
  if (!validCopyDirection(p.kind))
    return cudaErrorInvalidMemcpyDirection;
  const cudaExtent& e = p.extent;
  if (e.width == 0 || e.height == 0 || e.depth == 0)
    return cudaSuccess;
  if (!p.srcPtr.ptr || !p.dstPtr.ptr)
    return cudaErrorInvalidValue;
  bool multiRow = e.height * e.depth > 1;
  if (multiRow && (p.srcPos.x + e.width > p.srcPtr.pitch || p.dstPos.x + e.width > p.dstPtr.pitch))
    return cudaErrorInvalidPitchValue;
  return cudaSuccess;
}

// Whether one side of a copy is host memory: by the copy's kind, or for cudaMemcpyDefault by
// what the runtime knows of the address (what it did not allocate is the program's own memory).
bool hostSide(const void* address, cudaMemcpyKind kind, cudaMemcpyKind hostIfKind) {
  if (kind == cudaMemcpyDefault) {
    auto allocation = Allocations::instance().find(address);
    return !allocation || allocation->type == cudaMemoryTypeHost;
  }
  return kind == hostIfKind || kind == cudaMemcpyHostToHost;
}

// Host memory neither allocated pinned nor registered: NVIDIA's copy engines reach it only
// through a staging buffer, which decides when an asynchronous copy returns.
bool pageable(const void* address) {
  return !Allocations::instance().find(address);
}

bool uniformBytes(unsigned value, unsigned elementSize) {
  for (unsigned i = 1; i < elementSize; ++i)
    if (((value >> (8 * i)) & 0xff) != (value & 0xff))
      return false;
  return true;
}

} // namespace

size_t dynamicSharedLimit(const RegisteredFunction& function, const backend::Kernel& kernel,
                          const backend::DeviceProperties& device) {
  size_t fixed = kernel.info().staticSharedBytes;
  size_t limit = function.maxDynamicShared.value_or(
      device.sharedMemoryPerBlock > fixed ? device.sharedMemoryPerBlock - fixed : 0);
  return limit;
}

cudaError_t launchKernel(const KernelLaunch& launch, cudaStream_t stream) {
  RegisteredFunction* function = launch.function;
  if (!function)
    return cudaErrorInvalidDeviceFunction;
  if (cudaError_t sticky = stickyError())
    return sticky;
  if (capture::active()) {
    KernelWork work;
    if (cudaError_t error = KernelWork::make(launch, work))
      return error;
    if (auto captured = capture::intercept(stream, std::move(work)))
      return *captured;
  }
  return onCurrentDevice([&](backend::Device& device) {
    backend::Kernel* kernel = nullptr;
    if (cudaError_t error = resolveKernel(*function, device, kernel))
      return error;
    if (launch.sharedMem > dynamicSharedLimit(*function, *kernel, device.properties())) {
      logError("drawbridge: launch of '%s' asks for %zu bytes of dynamic shared memory; "
               "above %zu it must opt in with cudaFuncSetAttribute("
               "cudaFuncAttributeMaxDynamicSharedMemorySize)\n",
               function->deviceName.c_str(), launch.sharedMem,
               dynamicSharedLimit(*function, *kernel, device.properties()));
      return cudaErrorInvalidValue;
    }
    backend::LaunchConfig config{toDim3(launch.grid), toDim3(launch.block), launch.sharedMem,
                                 launch.cooperative};
    auto* onStream = toBackend(stream);
    auto started = std::chrono::steady_clock::now();
    if (cudaError_t error = toCudaError(device.launch(kernel, config, launch.args, onStream),
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

cudaError_t enqueueHostWork(cudaStream_t stream, std::function<void()> work, const char* api) {
  auto* owned = new std::function<void()>(std::move(work));
  cudaError_t result = onCurrentDevice([&](backend::Device& d) {
    return toCudaError(d.addHostCallback(
                           toBackend(stream),
                           [](void* p, backend::StatusCode status) {
                             std::unique_ptr<std::function<void()>> work(
                                 static_cast<std::function<void()>*>(p));
                             if (status == backend::StatusCode::Success)
                               (*work)();
                           },
                           owned),
                       api);
  });
  if (result != cudaSuccess)
    delete owned;
  return result;
}

cudaError_t copy(const cudaMemcpy3DParms& given, cudaStream_t stream, bool async, const char* api) {
  cudaMemcpy3DParms p = given;
  if (cudaError_t error = withoutArrays(p))
    return error;
  if (cudaError_t error = checkCopy(p, api))
    return error;
  const cudaExtent& e = p.extent;
  if (e.width == 0 || e.height == 0 || e.depth == 0)
    return cudaSuccess;
  if (auto captured = capture::intercept(stream, CopyWork{p}))
    return *captured;
  if (contiguous(p)) {
    size_t bytes = e.width * e.height * e.depth;
    return onCurrentDevice([&](backend::Device& d) {
      return toCudaError(d.copy(at(p.dstPtr, p.dstPos, 0, 0), at(p.srcPtr, p.srcPos, 0, 0), bytes,
                                toBackend(stream), async),
                         api);
    });
  }
  cudaError_t queued = enqueueHostWork(
      stream, [p] { copyRows(p); }, api);
  if (queued != cudaSuccess || async)
    return queued;
  return onCurrentDevice(
      [&](backend::Device& d) { return toCudaError(d.synchronizeStream(toBackend(stream)), api); });
}

// Errors, empty copies and captures, which copy() handles as it does for every copy.
static bool copyAsIs(const cudaMemcpy3DParms& p, const char* api) {
  const cudaExtent& e = p.extent;
  return checkCopy(p, api) != cudaSuccess || e.width == 0 || e.height == 0 || e.depth == 0 ||
         capture::active();
}

cudaError_t copyAsync(const cudaMemcpy3DParms& given, cudaStream_t stream, const char* api) {
  cudaMemcpy3DParms p = given;
  if (cudaError_t error = withoutArrays(p))
    return error;
  if (copyAsIs(p, api))
    return copy(p, stream, true, api);
  bool srcHost = hostSide(p.srcPtr.ptr, p.kind, cudaMemcpyHostToDevice);
  bool dstHost = hostSide(p.dstPtr.ptr, p.kind, cudaMemcpyDeviceToHost);
  // Host to host, and device to pageable host memory, return once the copy is done.
  if ((srcHost && dstHost) || (dstHost && pageable(p.dstPtr.ptr)))
    return copy(p, stream, false, api);
  if (!srcHost || !pageable(p.srcPtr.ptr))
    return copy(p, stream, true, api);
  // A pageable source is staged now, so the program may reuse it as soon as the call returns.
  return copyStaged(p, stream, api);
}

cudaError_t copyStaged(const cudaMemcpy3DParms& given, cudaStream_t stream, const char* api) {
  cudaMemcpy3DParms p = given;
  if (cudaError_t error = withoutArrays(p))
    return error;
  if (copyAsIs(p, api))
    return copy(p, stream, true, api);
  const cudaExtent& e = p.extent;
  // The stream copies from the staging buffer when it reaches the copy.
  const char* first = at(p.srcPtr, p.srcPos, 0, 0);
  size_t span = ((e.depth - 1) * p.srcPtr.ysize + (e.height - 1)) * p.srcPtr.pitch + e.width;
  auto staged = std::make_shared<std::vector<char>>(first, first + span);
  cudaMemcpy3DParms fromStage = p;
  fromStage.srcPtr.ptr = staged->data();
  fromStage.srcPos = cudaPos{};
  return enqueueHostWork(
      stream, [fromStage, staged] { copyRows(fromStage); }, api);
}

cudaError_t copyLinear(void* dst, const void* src, size_t count, cudaMemcpyKind kind,
                       cudaStream_t stream, bool async, const char* api) {
  if (!validCopyDirection(kind))
    return cudaErrorInvalidMemcpyDirection;
  if (count == 0)
    return cudaSuccess;
  if (!dst || !src)
    return cudaErrorInvalidValue;
  cudaMemcpy3DParms params = linearCopy(dst, src, count, kind);
  return async ? copyAsync(params, stream, api) : copy(params, stream, false, api);
}

cudaMemcpy3DParms linearCopy(void* dst, const void* src, size_t count, cudaMemcpyKind kind) {
  cudaMemcpy3DParms p{};
  p.srcPtr = cudaPitchedPtr{const_cast<void*>(src), count, count, 1};
  p.dstPtr = cudaPitchedPtr{dst, count, count, 1};
  p.extent = cudaExtent{count, 1, 1};
  p.kind = kind;
  return p;
}

cudaMemsetParams linearFill(void* dst, int value, size_t count) {
  cudaMemsetParams p{};
  p.dst = dst;
  p.pitch = count;
  p.value = static_cast<unsigned char>(value);
  p.elementSize = 1;
  p.width = count;
  p.height = 1;
  return p;
}

cudaError_t fill(const cudaMemsetParams& p, cudaStream_t stream, bool async, const char* api) {
  if (p.elementSize != 1 && p.elementSize != 2 && p.elementSize != 4)
    return cudaErrorInvalidValue;
  size_t rowBytes = p.width * p.elementSize;
  if (rowBytes == 0 || p.height == 0)
    return cudaSuccess;
  if (!p.dst || (p.height > 1 && p.pitch < rowBytes))
    return cudaErrorInvalidValue;
  if (auto captured = capture::intercept(stream, FillWork{p}))
    return *captured;
  if (uniformBytes(p.value, p.elementSize) && (p.height == 1 || p.pitch == rowBytes))
    return onCurrentDevice([&](backend::Device& d) {
      return toCudaError(
          d.fill(p.dst, int(p.value & 0xff), rowBytes * p.height, toBackend(stream), async), api);
    });
  cudaError_t queued = enqueueHostWork(
      stream,
      [p, rowBytes] {
        for (size_t y = 0; y < p.height; ++y) {
          char* row = static_cast<char*>(p.dst) + y * p.pitch;
          for (size_t x = 0; x < rowBytes; x += p.elementSize)
            std::memcpy(row + x, &p.value, p.elementSize); // little-endian: the low bytes
        }
      },
      api);
  if (queued != cudaSuccess || async)
    return queued;
  return onCurrentDevice(
      [&](backend::Device& d) { return toCudaError(d.synchronizeStream(toBackend(stream)), api); });
}

cudaError_t hostFunction(cudaHostFn_t fn, void* user, cudaStream_t stream, const char* api) {
  if (!fn)
    return cudaErrorInvalidValue;
  if (auto captured = capture::intercept(stream, HostWork{{fn, user}}))
    return *captured;
  return enqueueHostWork(
      stream, [fn, user] { fn(user); }, api);
}

} // namespace drawbridge::cudart

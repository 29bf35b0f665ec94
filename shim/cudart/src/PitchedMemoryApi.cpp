// Pitched allocations and the 2D/3D copies and fills on them, and copies between devices.
// Rows are padded to the texture pitch alignment, as CUDA pads them.
#include "Allocations.h"
#include "Api.h"
#include "DeviceProperties.h"
#include "Export.h"
#include "Operations.h"
#include "Runtime.h"

using namespace drawbridge::cudart;

namespace {

constexpr size_t kPitchAlignment = 512; // cudaDevAttrTexturePitchAlignment

cudaError_t mallocPitched(void** pointer, size_t* pitch, size_t width, size_t rows) {
  if (!pointer || !pitch)
    return cudaErrorInvalidValue;
  *pitch = (width + kPitchAlignment - 1) / kPitchAlignment * kPitchAlignment;
  return cudaMalloc(pointer, *pitch * rows);
}

cudaMemcpy3DParms copy2D(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width,
                         size_t height, cudaMemcpyKind kind) {
  cudaMemcpy3DParms p{};
  p.srcPtr = cudaPitchedPtr{const_cast<void*>(src), spitch, width, height};
  p.dstPtr = cudaPitchedPtr{dst, dpitch, width, height};
  p.extent = cudaExtent{width, height, 1};
  p.kind = kind;
  return p;
}

cudaError_t fill2D(void* dst, size_t pitch, int value, size_t width, size_t height,
                   cudaStream_t stream, bool async, const char* api) {
  cudaMemsetParams p = linearFill(dst, value, width);
  p.pitch = pitch;
  p.height = height;
  return fill(p, stream, async, api);
}

// A 3D fill is a 2D fill of height x depth rows when the slices are packed, as they are from
// cudaMalloc3D; otherwise one 2D fill per slice.
cudaError_t fill3D(cudaPitchedPtr ptr, int value, cudaExtent extent, cudaStream_t stream,
                   bool async, const char* api) {
  if (extent.depth == 1 || ptr.ysize == extent.height)
    return fill2D(ptr.ptr, ptr.pitch, value, extent.width, extent.height * extent.depth, stream,
                  async, api);
  for (size_t z = 0; z < extent.depth; ++z)
    if (cudaError_t error =
            fill2D(static_cast<char*>(ptr.ptr) + z * ptr.pitch * ptr.ysize, ptr.pitch, value,
                   extent.width, extent.height, stream, async, api))
      return error;
  return cudaSuccess;
}

// Both devices exist. With pointers, both are device memory: NVIDIA's peer copies refuse host
// memory with cudaErrorInvalidValue.
cudaError_t checkPeers(int dstDevice, int srcDevice, const void* dst = nullptr,
                       const void* src = nullptr) {
  auto onDevice = [](const void* address) {
    auto allocation = Allocations::instance().find(address);
    return allocation && allocation->type != cudaMemoryTypeHost;
  };
  if (dst && src && (!onDevice(dst) || !onDevice(src)))
    return cudaErrorInvalidValue;
  drawbridge::backend::Device* device = nullptr;
  if (cudaError_t error = Runtime::instance().device(dstDevice, device))
    return error;
  return Runtime::instance().device(srcDevice, device);
}

// A peer 3D copy is a 3D copy between the two devices' memory.
cudaError_t copy3DPeer(const cudaMemcpy3DPeerParms* p, cudaStream_t stream, bool async,
                       const char* api) {
  if (!p)
    return cudaErrorInvalidValue;
  if (cudaError_t error = checkPeers(p->dstDevice, p->srcDevice, p->dstPtr.ptr, p->srcPtr.ptr))
    return error;
  cudaMemcpy3DParms params{};
  params.srcArray = p->srcArray;
  params.srcPos = p->srcPos;
  params.srcPtr = p->srcPtr;
  params.dstArray = p->dstArray;
  params.dstPos = p->dstPos;
  params.dstPtr = p->dstPtr;
  params.extent = p->extent;
  params.kind = cudaMemcpyDefault;
  return async ? copyAsync(params, stream, api) : copy(params, nullptr, false, api);
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMallocPitch(void** devPtr, size_t* pitch, size_t width,
                                                     size_t height) {
  return api(
      "cudaMallocPitch", [&] { return mallocPitched(devPtr, pitch, width, height); }, devPtr, pitch,
      width, height);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMalloc3D(cudaPitchedPtr* pitchedDevPtr,
                                                  cudaExtent extent) {
  return api(
      "cudaMalloc3D",
      [&] {
        if (!pitchedDevPtr)
          return cudaErrorInvalidValue;
        size_t pitch = 0;
        void* pointer = nullptr;
        if (cudaError_t error =
                mallocPitched(&pointer, &pitch, extent.width, extent.height * extent.depth))
          return error;
        *pitchedDevPtr = cudaPitchedPtr{pointer, pitch, extent.width, extent.height};
        return cudaSuccess;
      },
      pitchedDevPtr);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2D(void* dst, size_t dpitch, const void* src,
                                                  size_t spitch, size_t width, size_t height,
                                                  cudaMemcpyKind kind) {
  return api(
      "cudaMemcpy2D",
      [&] {
        return copy(copy2D(dst, dpitch, src, spitch, width, height, kind), nullptr, false,
                    "cudaMemcpy2D");
      },
      dst, dpitch, src, spitch, width, height, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2DAsync(void* dst, size_t dpitch, const void* src,
                                                       size_t spitch, size_t width, size_t height,
                                                       cudaMemcpyKind kind, cudaStream_t stream) {
  return api(
      "cudaMemcpy2DAsync",
      [&] {
        return copyAsync(copy2D(dst, dpitch, src, spitch, width, height, kind), stream,
                         "cudaMemcpy2DAsync");
      },
      dst, dpitch, src, spitch, width, height, kind, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy3D(const cudaMemcpy3DParms* p) {
  return api(
      "cudaMemcpy3D",
      [&] { return p ? copy(*p, nullptr, false, "cudaMemcpy3D") : cudaErrorInvalidValue; }, p);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy3DAsync(const cudaMemcpy3DParms* p,
                                                       cudaStream_t stream) {
  return api(
      "cudaMemcpy3DAsync",
      [&] { return p ? copyAsync(*p, stream, "cudaMemcpy3DAsync") : cudaErrorInvalidValue; }, p,
      stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemset2D(void* devPtr, size_t pitch, int value,
                                                  size_t width, size_t height) {
  return api(
      "cudaMemset2D",
      [&] { return fill2D(devPtr, pitch, value, width, height, nullptr, false, "cudaMemset2D"); },
      devPtr, pitch, value, width, height);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemset2DAsync(void* devPtr, size_t pitch, int value,
                                                       size_t width, size_t height,
                                                       cudaStream_t stream) {
  return api(
      "cudaMemset2DAsync",
      [&] {
        return fill2D(devPtr, pitch, value, width, height, stream, true, "cudaMemset2DAsync");
      },
      devPtr, pitch, value, width, height, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemset3D(cudaPitchedPtr pitchedDevPtr, int value,
                                                  cudaExtent extent) {
  return api(
      "cudaMemset3D",
      [&] { return fill3D(pitchedDevPtr, value, extent, nullptr, false, "cudaMemset3D"); }, value);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemset3DAsync(cudaPitchedPtr pitchedDevPtr, int value,
                                                       cudaExtent extent, cudaStream_t stream) {
  return api(
      "cudaMemset3DAsync",
      [&] { return fill3D(pitchedDevPtr, value, extent, stream, true, "cudaMemset3DAsync"); },
      value, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyPeer(void* dst, int dstDevice, const void* src,
                                                    int srcDevice, size_t count) {
  return api(
      "cudaMemcpyPeer",
      [&] {
        if (cudaError_t error = checkPeers(dstDevice, srcDevice, dst, src))
          return error;
        return copyLinear(dst, src, count, cudaMemcpyDefault, nullptr, false, "cudaMemcpyPeer");
      },
      dst, dstDevice, src, srcDevice, count);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyPeerAsync(void* dst, int dstDevice, const void* src,
                                                         int srcDevice, size_t count,
                                                         cudaStream_t stream) {
  return api(
      "cudaMemcpyPeerAsync",
      [&] {
        if (cudaError_t error = checkPeers(dstDevice, srcDevice, dst, src))
          return error;
        return copyLinear(dst, src, count, cudaMemcpyDefault, stream, true, "cudaMemcpyPeerAsync");
      },
      dst, dstDevice, src, srcDevice, count, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy3DPeer(const cudaMemcpy3DPeerParms* p) {
  return api(
      "cudaMemcpy3DPeer", [&] { return copy3DPeer(p, nullptr, false, "cudaMemcpy3DPeer"); }, p);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy3DPeerAsync(const cudaMemcpy3DPeerParms* p,
                                                           cudaStream_t stream) {
  return api(
      "cudaMemcpy3DPeerAsync", [&] { return copy3DPeer(p, stream, true, "cudaMemcpy3DPeerAsync"); },
      p, stream);
}

// Every device's memory is the host's: any two distinct devices can reach each other's.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceCanAccessPeer(int* canAccessPeer, int device,
                                                             int peerDevice) {
  return api(
      "cudaDeviceCanAccessPeer",
      [&] {
        if (!canAccessPeer)
          return cudaErrorInvalidValue;
        if (cudaError_t error = checkPeers(device, peerDevice))
          return error;
        *canAccessPeer = device != peerDevice;
        return cudaSuccess;
      },
      canAccessPeer, device, peerDevice);
}

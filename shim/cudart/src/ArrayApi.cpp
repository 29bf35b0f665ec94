// CUDA arrays (Arrays.h): allocation, queries and the copies that name arrays. The 2D copies give
// an array's column offset and width in bytes, the 1D ones a byte count from (wOffset, hOffset)
// on, row after row; both must stay inside the array.
#include "Api.h"
#include "Arrays.h"
#include "Export.h"
#include "Operations.h"

using namespace drawbridge::cudart;

namespace {

// Where [xBytes, xBytes + widthBytes) of `rows` rows from `row` on lies in an array, as the
// pitched side of a copy.
cudaError_t region(cudaArray_const_t handle, size_t xBytes, size_t row, size_t widthBytes,
                   size_t rows, cudaPitchedPtr& ptr, cudaPos& pos) {
  const cudaArray* array = findArray(handle);
  if (!array || xBytes + widthBytes > array->rowBytes() || row + rows > array->rows())
    return cudaErrorInvalidValue;
  ptr = array->pitched();
  pos = {xBytes, row, 0};
  return cudaSuccess;
}

// `count` bytes from (wOffset, hOffset) on, which the layout keeps contiguous.
cudaError_t span(cudaArray_const_t handle, size_t wOffset, size_t hOffset, size_t count,
                 char*& start) {
  const cudaArray* array = findArray(handle);
  if (!array)
    return cudaErrorInvalidValue;
  size_t offset = hOffset * array->rowBytes() + wOffset;
  size_t total = array->rowBytes() * array->rows() * array->slices();
  if (wOffset >= array->rowBytes() || offset > total || count > total - offset)
    return cudaErrorInvalidValue;
  start = array->data + offset;
  return cudaSuccess;
}

enum class Mode { Sync, Async };

cudaError_t run(const cudaMemcpy3DParms& params, Mode mode, cudaStream_t stream, const char* api) {
  return mode == Mode::Sync ? copy(params, nullptr, false, api) : copyAsync(params, stream, api);
}

cudaError_t toArray2D(cudaArray_t dst, size_t wOffset, size_t hOffset, const void* src,
                      size_t spitch, size_t width, size_t height, cudaMemcpyKind kind, Mode mode,
                      cudaStream_t stream, const char* api) {
  cudaMemcpy3DParms p{};
  if (cudaError_t error = region(dst, wOffset, hOffset, width, height, p.dstPtr, p.dstPos))
    return error;
  if (height > 1 && spitch < width)
    return cudaErrorInvalidPitchValue;
  p.srcPtr = {const_cast<void*>(src), spitch, width, height};
  p.extent = {width, height, 1};
  p.kind = kind;
  return run(p, mode, stream, api);
}

cudaError_t fromArray2D(void* dst, size_t dpitch, cudaArray_const_t src, size_t wOffset,
                        size_t hOffset, size_t width, size_t height, cudaMemcpyKind kind, Mode mode,
                        cudaStream_t stream, const char* api) {
  cudaMemcpy3DParms p{};
  if (cudaError_t error = region(src, wOffset, hOffset, width, height, p.srcPtr, p.srcPos))
    return error;
  if (height > 1 && dpitch < width)
    return cudaErrorInvalidPitchValue;
  p.dstPtr = {dst, dpitch, width, height};
  p.extent = {width, height, 1};
  p.kind = kind;
  return run(p, mode, stream, api);
}

cudaError_t linear(void* dst, const void* src, size_t count, cudaMemcpyKind kind, Mode mode,
                   cudaStream_t stream, const char* api) {
  return run(linearCopy(dst, src, count, kind), mode, stream, api);
}

} // namespace

// The templates of cuda_runtime.h (cudaCreateChannelDesc<float>()) call this one.
DRAWBRIDGE_CUDART_EXPORT cudaChannelFormatDesc cudaCreateChannelDesc(int x, int y, int z, int w,
                                                                     cudaChannelFormatKind f) {
  return {x, y, z, w, f};
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMallocArray(cudaArray_t* array,
                                                     const cudaChannelFormatDesc* desc,
                                                     size_t width, size_t height,
                                                     unsigned int flags) {
  return api(
      "cudaMallocArray",
      [&] {
        return allocateArray(array, desc, cudaExtent{width, height, 0}, flags);
      },
      array, desc, width, height, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMalloc3DArray(cudaArray_t* array,
                                                       const cudaChannelFormatDesc* desc,
                                                       cudaExtent extent, unsigned int flags) {
  return api(
      "cudaMalloc3DArray", [&] { return allocateArray(array, desc, extent, flags); }, array, desc,
      flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaFreeArray(cudaArray_t array) {
  return api(
      "cudaFreeArray", [&] { return freeArray(array); }, array);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaArrayGetInfo(cudaChannelFormatDesc* desc,
                                                      cudaExtent* extent, unsigned int* flags,
                                                      cudaArray_t array) {
  return api(
      "cudaArrayGetInfo",
      [&] {
        const cudaArray* a = findArray(array);
        if (!a)
          return cudaErrorInvalidValue;
        if (desc)
          *desc = a->format;
        if (extent)
          *extent = a->extent;
        if (flags)
          *flags = a->flags;
        return cudaSuccess;
      },
      desc, extent, flags, array);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetChannelDesc(cudaChannelFormatDesc* desc,
                                                        cudaArray_const_t array) {
  return api(
      "cudaGetChannelDesc",
      [&] {
        const cudaArray* a = findArray(array);
        if (!a || !desc)
          return cudaErrorInvalidValue;
        *desc = a->format;
        return cudaSuccess;
      },
      desc, array);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2DToArray(cudaArray_t dst, size_t wOffset,
                                                         size_t hOffset, const void* src,
                                                         size_t spitch, size_t width, size_t height,
                                                         cudaMemcpyKind kind) {
  return api(
      "cudaMemcpy2DToArray",
      [&] {
        return toArray2D(dst, wOffset, hOffset, src, spitch, width, height, kind, Mode::Sync,
                         nullptr, "cudaMemcpy2DToArray");
      },
      dst, wOffset, hOffset, src, spitch, width, height, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2DToArrayAsync(cudaArray_t dst, size_t wOffset,
                                                              size_t hOffset, const void* src,
                                                              size_t spitch, size_t width,
                                                              size_t height, cudaMemcpyKind kind,
                                                              cudaStream_t stream) {
  return api(
      "cudaMemcpy2DToArrayAsync",
      [&] {
        return toArray2D(dst, wOffset, hOffset, src, spitch, width, height, kind, Mode::Async,
                         stream, "cudaMemcpy2DToArrayAsync");
      },
      dst, wOffset, hOffset, src, spitch, width, height, kind, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2DFromArray(void* dst, size_t dpitch,
                                                           cudaArray_const_t src, size_t wOffset,
                                                           size_t hOffset, size_t width,
                                                           size_t height, cudaMemcpyKind kind) {
  return api(
      "cudaMemcpy2DFromArray",
      [&] {
        return fromArray2D(dst, dpitch, src, wOffset, hOffset, width, height, kind, Mode::Sync,
                           nullptr, "cudaMemcpy2DFromArray");
      },
      dst, dpitch, src, wOffset, hOffset, width, height, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2DFromArrayAsync(
    void* dst, size_t dpitch, cudaArray_const_t src, size_t wOffset, size_t hOffset, size_t width,
    size_t height, cudaMemcpyKind kind, cudaStream_t stream) {
  return api(
      "cudaMemcpy2DFromArrayAsync",
      [&] {
        return fromArray2D(dst, dpitch, src, wOffset, hOffset, width, height, kind, Mode::Async,
                           stream, "cudaMemcpy2DFromArrayAsync");
      },
      dst, dpitch, src, wOffset, hOffset, width, height, kind, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy2DArrayToArray(
    cudaArray_t dst, size_t wOffsetDst, size_t hOffsetDst, cudaArray_const_t src, size_t wOffsetSrc,
    size_t hOffsetSrc, size_t width, size_t height, cudaMemcpyKind kind) {
  return api(
      "cudaMemcpy2DArrayToArray",
      [&] {
        cudaMemcpy3DParms p{};
        if (cudaError_t error =
                region(dst, wOffsetDst, hOffsetDst, width, height, p.dstPtr, p.dstPos))
          return error;
        if (cudaError_t error =
                region(src, wOffsetSrc, hOffsetSrc, width, height, p.srcPtr, p.srcPos))
          return error;
        p.extent = {width, height, 1};
        p.kind = kind;
        return run(p, Mode::Sync, nullptr, "cudaMemcpy2DArrayToArray");
      },
      dst, wOffsetDst, hOffsetDst, src, wOffsetSrc, hOffsetSrc, width, height, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyToArray(cudaArray_t dst, size_t wOffset,
                                                       size_t hOffset, const void* src,
                                                       size_t count, cudaMemcpyKind kind) {
  return api(
      "cudaMemcpyToArray",
      [&] {
        char* start = nullptr;
        if (cudaError_t error = span(dst, wOffset, hOffset, count, start))
          return error;
        return linear(start, src, count, kind, Mode::Sync, nullptr, "cudaMemcpyToArray");
      },
      dst, wOffset, hOffset, src, count, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyToArrayAsync(cudaArray_t dst, size_t wOffset,
                                                            size_t hOffset, const void* src,
                                                            size_t count, cudaMemcpyKind kind,
                                                            cudaStream_t stream) {
  return api(
      "cudaMemcpyToArrayAsync",
      [&] {
        char* start = nullptr;
        if (cudaError_t error = span(dst, wOffset, hOffset, count, start))
          return error;
        return linear(start, src, count, kind, Mode::Async, stream, "cudaMemcpyToArrayAsync");
      },
      dst, wOffset, hOffset, src, count, kind, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyFromArray(void* dst, cudaArray_const_t src,
                                                         size_t wOffset, size_t hOffset,
                                                         size_t count, cudaMemcpyKind kind) {
  return api(
      "cudaMemcpyFromArray",
      [&] {
        char* start = nullptr;
        if (cudaError_t error = span(src, wOffset, hOffset, count, start))
          return error;
        return linear(dst, start, count, kind, Mode::Sync, nullptr, "cudaMemcpyFromArray");
      },
      dst, src, wOffset, hOffset, count, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyFromArrayAsync(void* dst, cudaArray_const_t src,
                                                              size_t wOffset, size_t hOffset,
                                                              size_t count, cudaMemcpyKind kind,
                                                              cudaStream_t stream) {
  return api(
      "cudaMemcpyFromArrayAsync",
      [&] {
        char* start = nullptr;
        if (cudaError_t error = span(src, wOffset, hOffset, count, start))
          return error;
        return linear(dst, start, count, kind, Mode::Async, stream, "cudaMemcpyFromArrayAsync");
      },
      dst, src, wOffset, hOffset, count, kind, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyArrayToArray(cudaArray_t dst, size_t wOffsetDst,
                                                            size_t hOffsetDst,
                                                            cudaArray_const_t src,
                                                            size_t wOffsetSrc, size_t hOffsetSrc,
                                                            size_t count, cudaMemcpyKind kind) {
  return api(
      "cudaMemcpyArrayToArray",
      [&] {
        char *to = nullptr, *from = nullptr;
        if (cudaError_t error = span(dst, wOffsetDst, hOffsetDst, count, to))
          return error;
        if (cudaError_t error = span(src, wOffsetSrc, hOffsetSrc, count, from))
          return error;
        return linear(to, from, count, kind, Mode::Sync, nullptr, "cudaMemcpyArrayToArray");
      },
      dst, wOffsetDst, hOffsetDst, src, wOffsetSrc, hOffsetSrc, count, kind);
}

// The CPU device's arrays are never multi-planar (formatBytes refuses NV12), sparse or
// deferred-mapping (allocateArray refuses the flags); for such arrays cuda_runtime_api.h gives
// cudaErrorInvalidValue from each of these three.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaArrayGetPlane(cudaArray_t* pPlaneArray, cudaArray_t hArray,
                                                       unsigned int planeIdx) {
  return api(
      "cudaArrayGetPlane",
      [&] { return findArray(hArray) ? cudaErrorInvalidValue : cudaErrorInvalidResourceHandle; },
      pPlaneArray, hArray, planeIdx);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaArrayGetSparseProperties(cudaArraySparseProperties* sparseProperties, cudaArray_t array) {
  return api(
      "cudaArrayGetSparseProperties", [&] { return cudaErrorInvalidValue; }, sparseProperties,
      array);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaArrayGetMemoryRequirements(
    cudaArrayMemoryRequirements* memoryRequirements, cudaArray_t array, int device) {
  return api(
      "cudaArrayGetMemoryRequirements", [&] { return cudaErrorInvalidValue; }, memoryRequirements,
      array, device);
}

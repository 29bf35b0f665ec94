#include "Arrays.h"

#include "Log.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_set>

namespace drawbridge::cudart {
namespace {

// sm_80's largest 3D array extent; 1D and 2D arrays may be wider (CUDA's texture limits).
constexpr size_t kMax1D = 131072, kMax2DHeight = 65536, kMax3D = 16384;
constexpr size_t kAlignment = 256;

std::mutex liveMutex;
std::unordered_set<const cudaArray*> live;

// Layered arrays (cudaArrayLayered) hold `depth` layers of 1D (height 0) or 2D arrays; cubemaps
// (cudaArrayCubemap) six square faces, or six per cube with cudaArrayLayered.
constexpr size_t kMaxLayered = 32768, kMaxLayers = 2048, kMaxCubemap = 32768,
                 kMaxCubemapLayers = 2046;

bool validExtent(const cudaExtent& e, unsigned flags) {
  bool layered = flags & cudaArrayLayered;
  if (flags & cudaArrayCubemap)
    return e.width && e.width == e.height && e.width <= kMaxCubemap &&
           (layered ? e.depth % 6 == 0 && e.depth && e.depth / 6 <= kMaxCubemapLayers
                    : e.depth == 6);
  if (layered)
    return e.width && e.width <= kMaxLayered && e.height <= kMaxLayered && e.depth &&
           e.depth <= kMaxLayers;
  if (e.width == 0 || (e.depth && !e.height))
    return false;
  if (e.depth)
    return e.width <= kMax3D && e.height <= kMax3D && e.depth <= kMax3D;
  return e.width <= kMax1D && e.height <= kMax2DHeight;
}

} // namespace

size_t formatBytes(const cudaChannelFormatDesc& f) {
  int bits = f.x;
  int channels = f.w ? 4 : f.z ? 3 : f.y ? 2 : 1;
  if ((bits != 8 && bits != 16 && bits != 32) || channels == 3)
    return 0;
  const int sizes[4] = {f.x, f.y, f.z, f.w};
  for (int c = 0; c < channels; ++c)
    if (sizes[c] != bits)
      return 0;
  bool integer = f.f == cudaChannelFormatKindSigned || f.f == cudaChannelFormatKindUnsigned;
  bool floating = f.f == cudaChannelFormatKindFloat && bits != 8;
  return integer || floating ? static_cast<size_t>(channels * bits / 8) : 0;
}

const cudaArray* findArray(cudaArray_const_t handle) {
  std::lock_guard lock(liveMutex);
  return live.count(handle) ? handle : nullptr;
}

namespace {

// The array `format`, `extent` and `flags` describe, without its memory.
cudaError_t describeArray(cudaArray_t* array, const cudaChannelFormatDesc* format,
                          cudaExtent extent, unsigned flags) {
  if (!array || !format)
    return cudaErrorInvalidValue;
  *array = nullptr;
  if (flags & (cudaArraySparse | cudaArrayDeferredMapping)) {
    logError("drawbridge: sparse and deferred-mapping CUDA arrays are not supported (flags 0x%x): "
             "the CPU device backs every array with memory when it is made; allocate it "
             "without cudaArraySparse and cudaArrayDeferredMapping\n",
             flags);
    return cudaErrorNotSupported;
  }
  if (flags &
      ~(cudaArraySurfaceLoadStore | cudaArrayTextureGather | cudaArrayLayered | cudaArrayCubemap))
    return cudaErrorInvalidValue;
  size_t bytes = formatBytes(*format);
  if (!bytes) {
    logError("drawbridge: CUDA arrays of this channel format (%d,%d,%d,%d bits, kind %d) are "
             "not supported: use 1, 2 or 4 channels of 8, 16 or 32 bits\n",
             format->x, format->y, format->z, format->w, static_cast<int>(format->f));
    return cudaErrorInvalidChannelDescriptor;
  }
  if (!validExtent(extent, flags))
    return cudaErrorInvalidValue;
  *array = new cudaArray;
  (*array)->format = *format;
  (*array)->extent = extent;
  (*array)->flags = flags;
  (*array)->elementBytes = bytes;
  return cudaSuccess;
}

size_t storageBytes(const cudaArray& array) {
  size_t size = array.rowBytes() * array.rows() * array.slices();
  return (size + kAlignment - 1) / kAlignment * kAlignment;
}

void publish(cudaArray_t* result, cudaArray* array) {
  std::lock_guard lock(liveMutex);
  live.insert(array);
  *result = array;
}

} // namespace

size_t arrayStorageBytes(const cudaChannelFormatDesc& format, cudaExtent extent) {
  cudaArray shape;
  shape.extent = extent;
  shape.elementBytes = formatBytes(format);
  return storageBytes(shape);
}

cudaError_t allocateArray(cudaArray_t* array, const cudaChannelFormatDesc* format,
                          cudaExtent extent, unsigned flags) {
  cudaArray_t made = nullptr;
  if (cudaError_t error = describeArray(&made, format, extent, flags))
    return error;
  size_t size = storageBytes(*made);
  made->data = static_cast<char*>(std::aligned_alloc(kAlignment, size));
  if (!made->data) {
    delete made;
    return cudaErrorMemoryAllocation;
  }
  std::memset(made->data, 0, size);
  publish(array, made);
  return cudaSuccess;
}

cudaError_t placeArray(cudaArray_t* array, const cudaChannelFormatDesc* format, cudaExtent extent,
                       unsigned flags, char* storage) {
  cudaArray_t made = nullptr;
  if (cudaError_t error = describeArray(&made, format, extent, flags))
    return error;
  made->data = storage;
  made->ownsData = false;
  publish(array, made);
  return cudaSuccess;
}

namespace {

bool release(cudaArray_t array, bool level) {
  {
    std::lock_guard lock(liveMutex);
    if (!live.count(array) || array->mipmapLevel != level)
      return false;
    live.erase(array);
  }
  if (array->ownsData)
    std::free(array->data);
  delete array;
  return true;
}

} // namespace

cudaError_t freeArray(cudaArray_t array) {
  if (!array)
    return cudaSuccess;
  return release(array, false) ? cudaSuccess : cudaErrorInvalidValue;
}

void freeMipmapLevel(cudaArray_t level) {
  release(level, true);
}

cudaError_t withoutArrays(cudaMemcpy3DParms& p) {
  if (!p.srcArray && !p.dstArray)
    return cudaSuccess;
  const cudaArray* src = p.srcArray ? findArray(p.srcArray) : nullptr;
  const cudaArray* dst = p.dstArray ? findArray(p.dstArray) : nullptr;
  if ((p.srcArray && !src) || (p.dstArray && !dst) || (src && p.srcPtr.ptr) ||
      (dst && p.dstPtr.ptr))
    return cudaErrorInvalidValue;
  // With two arrays both must hold elements of one size.
  size_t element = src ? src->elementBytes : dst->elementBytes;
  if (src && dst && src->elementBytes != dst->elementBytes)
    return cudaErrorInvalidValue;
  auto inside = [&](const cudaArray& a, const cudaPos& pos) {
    const cudaExtent& e = p.extent;
    return pos.x + e.width <= a.extent.width && pos.y + e.height <= a.rows() &&
           pos.z + e.depth <= a.slices();
  };
  if ((src && !inside(*src, p.srcPos)) || (dst && !inside(*dst, p.dstPos)))
    return cudaErrorInvalidValue;
  if (src) {
    p.srcPtr = src->pitched();
    p.srcPos.x *= element;
    p.srcArray = nullptr;
  }
  if (dst) {
    p.dstPtr = dst->pitched();
    p.dstPos.x *= element;
    p.dstArray = nullptr;
  }
  p.extent.width *= element;
  return cudaSuccess;
}

} // namespace drawbridge::cudart

// Texture and surface objects: each is described to the backend (drawbridge/backend/Images.h),
// whose handle the program passes to its kernels; the runtime keeps the descriptions the
// program gave, to hand back when asked. Arrays, linear memory and pitched 2D memory can back a
// texture; a surface needs an array made with cudaArraySurfaceLoadStore.
#include "Api.h"
#include "Arrays.h"
#include "Export.h"
#include "Log.h"
#include "Runtime.h"
#include "drawbridge/backend/Images.h"

#include <map>
#include <mutex>

using namespace drawbridge::cudart;
using drawbridge::backend::ImageObject;

namespace {

struct Described {
  cudaResourceDesc resource;
  cudaTextureDesc texture; // textures only
  bool surface;
};

std::mutex objectsMutex;
std::map<uint64_t, Described> objects;

// An image's memory, extent and format from a resource description.
cudaError_t describeResource(const cudaResourceDesc& r, ImageObject& image) {
  if (r.flags != 0)
    return cudaErrorInvalidValue;
  cudaChannelFormatDesc format{};
  switch (r.resType) {
  case cudaResourceTypeArray: {
    const cudaArray* array = findArray(r.res.array.array);
    if (!array)
      return cudaErrorInvalidResourceHandle;
    format = array->format;
    image.base = array->data;
    image.layered = array->layered();
    image.dims = array->extent.height ? 2 : 1;
    if (array->extent.depth && !image.layered)
      image.dims = 3;
    image.width = static_cast<uint32_t>(array->extent.width);
    image.height = static_cast<uint32_t>(array->rows());
    image.depth = static_cast<uint32_t>(array->slices());
    image.rowPitch = array->rowBytes();
    image.slicePitch = array->rowBytes() * array->rows();
    break;
  }
  case cudaResourceTypeLinear: {
    format = r.res.linear.desc;
    size_t bytes = formatBytes(format);
    if (!r.res.linear.devPtr || !bytes || r.res.linear.sizeInBytes < bytes)
      return cudaErrorInvalidValue;
    image.linear = true;
    image.base = static_cast<char*>(r.res.linear.devPtr);
    image.width = static_cast<uint32_t>(r.res.linear.sizeInBytes / bytes);
    image.rowPitch = r.res.linear.sizeInBytes;
    break;
  }
  case cudaResourceTypePitch2D: {
    const auto& p = r.res.pitch2D;
    format = p.desc;
    size_t bytes = formatBytes(format);
    if (!p.devPtr || !bytes || p.width == 0 || p.height == 0 || p.pitchInBytes < p.width * bytes)
      return cudaErrorInvalidValue;
    image.base = static_cast<char*>(p.devPtr);
    image.dims = 2;
    image.width = static_cast<uint32_t>(p.width);
    image.height = static_cast<uint32_t>(p.height);
    image.rowPitch = p.pitchInBytes;
    break;
  }
  default:
    // The software texture unit samples no levels (the PTX frontend refuses tex.level and
    // tex.grad), so a level's own array stands in.
    logError("drawbridge: mipmapped arrays are not supported as texture resources (the CPU "
             "device samples no mipmap levels); make the texture on one level's array "
             "(cudaGetMipmappedArrayLevel)\n");
    return cudaErrorNotSupported;
  }
  size_t bytes = formatBytes(format);
  if (!bytes)
    return cudaErrorInvalidChannelDescriptor;
  image.channels = format.w ? 4 : format.y ? 2 : 1;
  image.channelBits = static_cast<uint32_t>(format.x);
  image.kind = format.f == cudaChannelFormatKindFloat ? drawbridge::backend::ChannelKind::Float
               : format.f == cudaChannelFormatKindSigned
                   ? drawbridge::backend::ChannelKind::Signed
                   : drawbridge::backend::ChannelKind::Unsigned;
  return cudaSuccess;
}

cudaError_t describeSampling(const cudaTextureDesc& t, ImageObject& image) {
  for (int d = 0; d < 3; ++d) {
    if (t.addressMode[d] < cudaAddressModeWrap || t.addressMode[d] > cudaAddressModeBorder)
      return cudaErrorInvalidValue;
    image.address[d] = static_cast<drawbridge::backend::AddressMode>(t.addressMode[d]);
  }
  if ((t.filterMode != cudaFilterModePoint && t.filterMode != cudaFilterModeLinear) ||
      (t.readMode != cudaReadModeElementType && t.readMode != cudaReadModeNormalizedFloat))
    return cudaErrorInvalidValue;
  bool integer = image.kind != drawbridge::backend::ChannelKind::Float;
  image.normalizedRead = integer && t.readMode == cudaReadModeNormalizedFloat;
  // Only 8- and 16-bit integers normalize; linear filtering needs float results.
  if (image.normalizedRead && image.channelBits == 32)
    return cudaErrorInvalidNormSetting;
  image.linearFilter = t.filterMode == cudaFilterModeLinear;
  if (image.linearFilter && integer && !image.normalizedRead)
    return cudaErrorInvalidFilterSetting;
  image.normalizedCoords = t.normalizedCoords != 0;
  image.srgb = t.sRGB != 0;
  for (int c = 0; c < 4; ++c)
    image.border[c] = t.borderColor[c];
  return cudaSuccess;
}

uint64_t remember(const ImageObject& image, const Described& described) {
  uint64_t handle = drawbridge::backend::registerImage(image);
  if (handle) {
    std::lock_guard lock(objectsMutex);
    objects[handle] = described;
  }
  return handle;
}

cudaError_t forget(uint64_t handle, bool surface) {
  if (handle == 0)
    return cudaSuccess;
  std::lock_guard lock(objectsMutex);
  auto it = objects.find(handle);
  if (it == objects.end() || it->second.surface != surface)
    return cudaErrorInvalidValue;
  objects.erase(it);
  drawbridge::backend::unregisterImage(handle);
  return cudaSuccess;
}

const Described* lookup(uint64_t handle, bool surface) {
  auto it = objects.find(handle);
  return it == objects.end() || it->second.surface != surface ? nullptr : &it->second;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaCreateTextureObject(cudaTextureObject_t* pTexObject, const cudaResourceDesc* pResDesc,
                        const cudaTextureDesc* pTexDesc, const cudaResourceViewDesc* pResViewDesc) {
  return api(
      "cudaCreateTextureObject",
      [&] {
        if (!pTexObject || !pResDesc || !pTexDesc)
          return cudaErrorInvalidValue;
        if (pResViewDesc) {
          logError("drawbridge: cudaCreateTextureObject: resource views are not supported; "
                   "pass a null cudaResourceViewDesc\n");
          return cudaErrorNotSupported;
        }
        ImageObject image;
        if (cudaError_t error = describeResource(*pResDesc, image))
          return error;
        if (cudaError_t error = describeSampling(*pTexDesc, image))
          return error;
        uint64_t handle = remember(image, {*pResDesc, *pTexDesc, false});
        if (!handle)
          return cudaErrorMemoryAllocation;
        *pTexObject = handle;
        return cudaSuccess;
      },
      pTexObject, pResDesc, pTexDesc, pResViewDesc);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDestroyTextureObject(cudaTextureObject_t texObject) {
  return api(
      "cudaDestroyTextureObject", [&] { return forget(texObject, false); }, texObject);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGetTextureObjectResourceDesc(cudaResourceDesc* pResDesc, cudaTextureObject_t texObject) {
  return api(
      "cudaGetTextureObjectResourceDesc",
      [&] {
        std::lock_guard lock(objectsMutex);
        const Described* d = lookup(texObject, false);
        if (!d || !pResDesc)
          return cudaErrorInvalidValue;
        *pResDesc = d->resource;
        return cudaSuccess;
      },
      pResDesc, texObject);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGetTextureObjectTextureDesc(cudaTextureDesc* pTexDesc, cudaTextureObject_t texObject) {
  return api(
      "cudaGetTextureObjectTextureDesc",
      [&] {
        std::lock_guard lock(objectsMutex);
        const Described* d = lookup(texObject, false);
        if (!d || !pTexDesc)
          return cudaErrorInvalidValue;
        *pTexDesc = d->texture;
        return cudaSuccess;
      },
      pTexDesc, texObject);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaCreateSurfaceObject(cudaSurfaceObject_t* pSurfObject,
                                                             const cudaResourceDesc* pResDesc) {
  return api(
      "cudaCreateSurfaceObject",
      [&] {
        if (!pSurfObject || !pResDesc || pResDesc->resType != cudaResourceTypeArray)
          return cudaErrorInvalidValue;
        const cudaArray* array = findArray(pResDesc->res.array.array);
        if (!array)
          return cudaErrorInvalidResourceHandle;
        if (!(array->flags & cudaArraySurfaceLoadStore))
          return cudaErrorInvalidValue;
        ImageObject image;
        if (cudaError_t error = describeResource(*pResDesc, image))
          return error;
        image.surface = true;
        uint64_t handle = remember(image, {*pResDesc, {}, true});
        if (!handle)
          return cudaErrorMemoryAllocation;
        *pSurfObject = handle;
        return cudaSuccess;
      },
      pSurfObject, pResDesc);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDestroySurfaceObject(cudaSurfaceObject_t surfObject) {
  return api(
      "cudaDestroySurfaceObject", [&] { return forget(surfObject, true); }, surfObject);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGetSurfaceObjectResourceDesc(cudaResourceDesc* pResDesc, cudaSurfaceObject_t surfObject) {
  return api(
      "cudaGetSurfaceObjectResourceDesc",
      [&] {
        std::lock_guard lock(objectsMutex);
        const Described* d = lookup(surfObject, true);
        if (!d || !pResDesc)
          return cudaErrorInvalidValue;
        *pResDesc = d->resource;
        return cudaSuccess;
      },
      pResDesc, surfObject);
}

// Linear textures of any format the device samples reach as far as its 1D linear extent.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetTexture1DLinearMaxWidth(
    size_t* maxWidthInElements, const cudaChannelFormatDesc* fmtDesc, int device) {
  return api(
      "cudaDeviceGetTexture1DLinearMaxWidth",
      [&] {
        drawbridge::backend::Device* d = nullptr;
        if (cudaError_t error = Runtime::instance().device(device, d))
          return error;
        if (!maxWidthInElements || !fmtDesc || !formatBytes(*fmtDesc))
          return cudaErrorInvalidValue;
        int width = 0;
        if (cudaError_t error =
                cudaDeviceGetAttribute(&width, cudaDevAttrMaxTexture1DLinearWidth, device))
          return error;
        *maxWidthInElements = static_cast<size_t>(width);
        return cudaSuccess;
      },
      maxWidthInElements, fmtDesc, device);
}

// Texture and surface objects: each is described to the backend (drawbridge/backend/Images.h),
// whose handle the program passes to its kernels; the runtime keeps the descriptions the
// program gave, to hand back when asked. What can back a texture, and how, is
// ImageDescriptions.cpp's; a surface needs an array made with cudaArraySurfaceLoadStore.
#include "Api.h"
#include "Arrays.h"
#include "Export.h"
#include "ImageDescriptions.h"
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
  bool viewed = false; // a texture made with a resource view, `view`
  cudaResourceViewDesc view{};
};

std::mutex objectsMutex;
std::map<uint64_t, Described> objects;

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
        ImageObject image;
        if (cudaError_t error = describeResource(*pResDesc, pResViewDesc, image))
          return error;
        if (cudaError_t error = describeSampling(*pTexDesc, image))
          return error;
        Described described{*pResDesc, *pTexDesc, false};
        if (pResViewDesc) {
          described.viewed = true;
          described.view = *pResViewDesc;
        }
        uint64_t handle = remember(image, described);
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

// CUDA's answer for a texture made without a view (cuda_runtime_api.h): cudaErrorInvalidValue.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetTextureObjectResourceViewDesc(
    cudaResourceViewDesc* pResViewDesc, cudaTextureObject_t texObject) {
  return api(
      "cudaGetTextureObjectResourceViewDesc",
      [&] {
        std::lock_guard lock(objectsMutex);
        const Described* d = lookup(texObject, false);
        if (!d || !pResViewDesc || !d->viewed)
          return cudaErrorInvalidValue;
        *pResViewDesc = d->view;
        return cudaSuccess;
      },
      pResViewDesc, texObject);
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
        if (cudaError_t error = describeResource(*pResDesc, nullptr, image))
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

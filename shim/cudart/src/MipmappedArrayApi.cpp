// Mipmapped arrays: a set of ordinary CUDA arrays (Arrays.h), level 0 the full extent and each
// further level half the one before (at least 1) in every dimension but the layers (and a
// cubemap's faces). Levels are copied to and from as any array; texture objects sample them all
// (ImageDescriptions.cpp).
#include "Api.h"
#include "Arrays.h"
#include "Export.h"

#include <algorithm>
#include <bit>
#include <mutex>
#include <unordered_set>
#include <vector>

using namespace drawbridge::cudart;

// Completes the runtime header's opaque struct cudaMipmappedArray.
struct cudaMipmappedArray {
  std::vector<cudaArray_t> levels;
  const void* source = nullptr; // the external memory it is mapped onto, if any
};

namespace {

// sm_80's mipmapped 1D and 2D extents; 3D and layered ones are those of plain arrays.
constexpr size_t kMaxMipmapped = 32768;

std::mutex liveMutex;
std::unordered_set<const cudaMipmappedArray*> live;

cudaMipmappedArray* findMipmapped(cudaMipmappedArray_const_t handle) {
  std::lock_guard lock(liveMutex);
  return live.count(handle) ? const_cast<cudaMipmappedArray*>(handle) : nullptr;
}

cudaExtent levelExtent(const cudaExtent& e, unsigned level, bool layered) {
  auto halve = [level](size_t n) { return n ? std::max<size_t>(n >> level, 1) : 0; };
  return {halve(e.width), halve(e.height), layered ? e.depth : halve(e.depth)};
}

// CUDA clamps the level count to [1, 1 + floor(log2(largest extent))], layers not counted.
unsigned levelCount(const cudaExtent& e, unsigned requested, bool layered) {
  size_t largest = std::max({e.width, e.height, layered ? size_t{0} : e.depth, size_t{1}});
  unsigned most = static_cast<unsigned>(std::bit_width(largest));
  return std::clamp(requested, 1u, most);
}

void freeLevels(cudaMipmappedArray& mipmapped) {
  for (cudaArray_t level : mipmapped.levels)
    freeMipmapLevel(level);
}

// Makes each level with `makeLevel(&array, extent)`, which allocates it or places it.
template <typename MakeLevel>
cudaError_t build(cudaMipmappedArray_t* result, const cudaChannelFormatDesc* format,
                  cudaExtent extent, unsigned numLevels, unsigned flags, const void* source,
                  MakeLevel makeLevel) {
  if (!result || !format)
    return cudaErrorInvalidValue;
  *result = nullptr;
  bool layered = flags & (cudaArrayLayered | cudaArrayCubemap);
  if (!layered && !extent.depth && (extent.width > kMaxMipmapped || extent.height > kMaxMipmapped))
    return cudaErrorInvalidValue;
  auto* made = new cudaMipmappedArray;
  made->source = source;
  unsigned levels = levelCount(extent, numLevels, layered);
  for (unsigned level = 0; level < levels; ++level) {
    cudaArray_t array = nullptr;
    if (cudaError_t error = makeLevel(&array, levelExtent(extent, level, layered))) {
      freeLevels(*made);
      delete made;
      return error;
    }
    array->mipmapLevel = true;
    made->levels.push_back(array);
  }
  std::lock_guard lock(liveMutex);
  live.insert(made);
  *result = made;
  return cudaSuccess;
}

cudaError_t allocate(cudaMipmappedArray_t* result, const cudaChannelFormatDesc* format,
                     cudaExtent extent, unsigned numLevels, unsigned flags) {
  return build(result, format, extent, numLevels, flags, nullptr,
               [&](cudaArray_t* array, cudaExtent levelExtent) {
                 return allocateArray(array, format, levelExtent, flags);
               });
}

cudaError_t release(cudaMipmappedArray_t mipmapped) {
  if (!mipmapped)
    return cudaSuccess;
  {
    std::lock_guard lock(liveMutex);
    if (!live.erase(mipmapped))
      return cudaErrorInvalidValue;
  }
  freeLevels(*mipmapped);
  delete mipmapped;
  return cudaSuccess;
}

} // namespace

cudaError_t drawbridge::cudart::mapMipmappedArray(cudaMipmappedArray_t* result,
                                                  const cudaExternalMemoryMipmappedArrayDesc& desc,
                                                  char* base, size_t available,
                                                  const void* source) {
  // A graphics API's colour targets need the flag on NVIDIA; with no graphics API it means nothing.
  unsigned flags = desc.flags & ~cudaArrayColorAttachment;
  size_t used = 0;
  return build(result, &desc.formatDesc, desc.extent, desc.numLevels, flags, source,
               [&](cudaArray_t* array, cudaExtent levelExtent) {
                 size_t bytes = arrayStorageBytes(desc.formatDesc, levelExtent);
                 if (bytes > available - used)
                   return cudaErrorInvalidValue; // the levels run past the memory's end
                 cudaError_t placed =
                     placeArray(array, &desc.formatDesc, levelExtent, flags, base + used);
                 used += bytes;
                 return placed;
               });
}

void drawbridge::cudart::freeMipmappedArraysOn(const void* source) {
  std::vector<cudaMipmappedArray*> orphans;
  {
    std::lock_guard lock(liveMutex);
    for (const cudaMipmappedArray* mipmapped : live)
      if (mipmapped->source == source)
        orphans.push_back(const_cast<cudaMipmappedArray*>(mipmapped));
  }
  for (cudaMipmappedArray* mipmapped : orphans)
    release(mipmapped);
}

std::vector<cudaArray_t> drawbridge::cudart::mipmapLevels(cudaMipmappedArray_const_t handle) {
  cudaMipmappedArray* mipmapped = findMipmapped(handle);
  return mipmapped ? mipmapped->levels : std::vector<cudaArray_t>{};
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMallocMipmappedArray(cudaMipmappedArray_t* mipmappedArray,
                                                              const cudaChannelFormatDesc* desc,
                                                              cudaExtent extent,
                                                              unsigned int numLevels,
                                                              unsigned int flags) {
  return api(
      "cudaMallocMipmappedArray",
      [&] { return allocate(mipmappedArray, desc, extent, numLevels, flags); }, mipmappedArray,
      desc, numLevels, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaFreeMipmappedArray(cudaMipmappedArray_t mipmappedArray) {
  return api(
      "cudaFreeMipmappedArray", [&] { return release(mipmappedArray); }, mipmappedArray);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetMipmappedArrayLevel(
    cudaArray_t* levelArray, cudaMipmappedArray_const_t mipmappedArray, unsigned int level) {
  return api(
      "cudaGetMipmappedArrayLevel",
      [&] {
        cudaMipmappedArray* mipmapped = findMipmapped(mipmappedArray);
        if (!mipmapped)
          return cudaErrorInvalidResourceHandle;
        if (!levelArray || level >= mipmapped->levels.size())
          return cudaErrorInvalidValue;
        *levelArray = mipmapped->levels[level];
        return cudaSuccess;
      },
      levelArray, mipmappedArray, level);
}

// Only arrays made with cudaArrayDeferredMapping have memory requirements, and only sparse ones
// sparse properties; the CPU device makes neither (cudaMallocMipmappedArray refuses the flags),
// so every array gets CUDA's answer for the others (cuda_runtime_api.h): cudaErrorInvalidValue.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMipmappedArrayGetMemoryRequirements(
    cudaArrayMemoryRequirements* memoryRequirements, cudaMipmappedArray_t mipmap, int device) {
  return api(
      "cudaMipmappedArrayGetMemoryRequirements", [&] { return cudaErrorInvalidValue; },
      memoryRequirements, mipmap, device);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMipmappedArrayGetSparseProperties(
    cudaArraySparseProperties* sparseProperties, cudaMipmappedArray_t mipmap) {
  return api(
      "cudaMipmappedArrayGetSparseProperties", [&] { return cudaErrorInvalidValue; },
      sparseProperties, mipmap);
}

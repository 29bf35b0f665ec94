// CUDA arrays on the CPU device. An array is a block of host memory in Drawbridge's own layout
// (rows of tightly packed elements, slices of rows; the program cannot see it): copies treat it
// as pitched memory, texture and surface objects read it through the backend's image table.
#pragma once

#include <cstddef>
#include <cuda_runtime_api.h>
#include <vector>

// Completes the runtime header's opaque struct cudaArray.
struct cudaArray {
  char* data = nullptr;
  cudaChannelFormatDesc format{};
  cudaExtent extent{}; // in elements, as allocated: height 0 for 1D, depth 0 for 1D and 2D, the
                       // layers for layered arrays and the faces (6 per cube) for cubemaps (slices
                       // here)
  unsigned flags = 0;
  size_t elementBytes = 0;
  bool mipmapLevel = false; // one level of a mipmapped array, which frees it
  bool ownsData = true;     // false on external memory, which outlives the array

  size_t rowBytes() const { return extent.width * elementBytes; }
  size_t rows() const { return extent.height ? extent.height : 1; }
  size_t slices() const { return extent.depth ? extent.depth : 1; }
  // A cubemap is a layered 2D array of six faces per cube, as CUDA's copies and surfaces see it.
  bool layered() const { return flags & (cudaArrayLayered | cudaArrayCubemap); }
  bool cube() const { return flags & cudaArrayCubemap; }
  cudaPitchedPtr pitched() const { return {data, rowBytes(), rowBytes(), rows()}; }
};

namespace drawbridge::cudart {

/// The bytes per element of a format Drawbridge can hold in an array and sample: 1, 2 or 4
/// channels of 8, 16 or 32 bits, all of one size; 0 for anything else.
size_t formatBytes(const cudaChannelFormatDesc& format);
/// The array `handle` names if it is live, else null.
const cudaArray* findArray(cudaArray_const_t handle);
/// The levels of the mipmapped array `handle` names if it is live (level 0 first), else empty.
std::vector<cudaArray_t> mipmapLevels(cudaMipmappedArray_const_t handle);
/// Rewrites a cudaMemcpy3D description with array operands as one between pitched memory (the
/// extent and an array's position are in elements; a pointer's position in bytes), checking that
/// the copy stays inside each array.
cudaError_t withoutArrays(cudaMemcpy3DParms& params);

cudaError_t allocateArray(cudaArray_t* array, const cudaChannelFormatDesc* format,
                          cudaExtent extent, unsigned flags);
/// The bytes an array of `extent` takes in Drawbridge's layout, rounded up to the alignment each
/// array starts at; 0 for a format no array can hold.
size_t arrayStorageBytes(const cudaChannelFormatDesc& format, cudaExtent extent);
/// An array laid over `storage` (arrayStorageBytes of it, aligned), which the caller owns.
cudaError_t placeArray(cudaArray_t* array, const cudaChannelFormatDesc* format, cudaExtent extent,
                       unsigned flags, char* storage);
/// cudaFreeArray: an array the program allocated; a mipmapped array's level goes only with it.
cudaError_t freeArray(cudaArray_t array);
/// Frees one level of a mipmapped array.
void freeMipmapLevel(cudaArray_t level);

/// cudaExternalMemoryGetMappedMipmappedArray: the levels laid out one after another from `base`,
/// which has `available` bytes; the array is `source`'s until freeMipmappedArraysOn(source).
cudaError_t mapMipmappedArray(cudaMipmappedArray_t* result,
                              const cudaExternalMemoryMipmappedArrayDesc& desc, char* base,
                              size_t available, const void* source);
/// Frees the mipmapped arrays mapped onto `source` that the program has not freed.
void freeMipmappedArraysOn(const void* source);

} // namespace drawbridge::cudart

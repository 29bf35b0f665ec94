#include "DeviceProperties.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace drawbridge::cudart {
namespace {

int clampToInt(size_t value) {
  return static_cast<int>(std::min<size_t>(value, INT_MAX));
}

} // namespace

std::optional<int> attributeValue(const backend::DeviceProperties& d, cudaDeviceAttr attr) {
  switch (attr) {
  case cudaDevAttrMaxThreadsPerBlock:
    return d.maxThreadsPerBlock;
  case cudaDevAttrMaxBlockDimX:
    return static_cast<int>(d.maxBlockDim.x);
  case cudaDevAttrMaxBlockDimY:
    return static_cast<int>(d.maxBlockDim.y);
  case cudaDevAttrMaxBlockDimZ:
    return static_cast<int>(d.maxBlockDim.z);
  case cudaDevAttrMaxGridDimX:
    return static_cast<int>(d.maxGridDim.x);
  case cudaDevAttrMaxGridDimY:
    return static_cast<int>(d.maxGridDim.y);
  case cudaDevAttrMaxGridDimZ:
    return static_cast<int>(d.maxGridDim.z);
  case cudaDevAttrMaxSharedMemoryPerBlock:
    return clampToInt(d.sharedMemoryPerBlock);
  case cudaDevAttrMaxSharedMemoryPerBlockOptin:
    return clampToInt(d.sharedMemoryPerBlockMax);
  case cudaDevAttrMaxSharedMemoryPerMultiprocessor:
    return clampToInt(d.sharedMemoryPerBlockMax);
  case cudaDevAttrTotalConstantMemory:
    return clampToInt(d.totalConstantMemory);
  case cudaDevAttrWarpSize:
    return d.warpSize;
  case cudaDevAttrMaxRegistersPerBlock:
  case cudaDevAttrMaxRegistersPerMultiprocessor:
    return 65536;
  case cudaDevAttrMultiProcessorCount:
    return d.multiProcessorCount;
  case cudaDevAttrMaxThreadsPerMultiProcessor:
    return d.maxThreadsPerBlock;
  case cudaDevAttrMaxBlocksPerMultiprocessor:
    return 1; // each worker runs one block at a time
  case cudaDevAttrComputeCapabilityMajor:
    return kComputeMajor;
  case cudaDevAttrComputeCapabilityMinor:
    return kComputeMinor;
  case cudaDevAttrIntegrated: // device memory is host memory
  case cudaDevAttrCanMapHostMemory:
  case cudaDevAttrUnifiedAddressing:
  case cudaDevAttrManagedMemory:
  case cudaDevAttrConcurrentManagedAccess:
  case cudaDevAttrPageableMemoryAccess:
  case cudaDevAttrDirectManagedMemAccessFromHost:
  case cudaDevAttrHostNativeAtomicSupported:
  case cudaDevAttrConcurrentKernels:
  case cudaDevAttrCooperativeLaunch:
  case cudaDevAttrHostRegisterSupported:
  case cudaDevAttrMemoryPoolsSupported:
  case cudaDevAttrStreamPrioritiesSupported:
  case cudaDevAttrGlobalL1CacheSupported:
  case cudaDevAttrLocalL1CacheSupported:
    return 1;
  case cudaDevAttrEccEnabled:
  case cudaDevAttrTccDriver:
  case cudaDevAttrIsMultiGpuBoard:
  case cudaDevAttrPciBusId:
  case cudaDevAttrPciDeviceId:
  case cudaDevAttrPciDomainId:
  case cudaDevAttrComputePreemptionSupported:
  case cudaDevAttrClusterLaunch:
    return 0;
  case cudaDevAttrAsyncEngineCount:
    return 1;
  case cudaDevAttrL2CacheSize:
    return 0; // not a figure the CPU backend can state honestly for one device
  case cudaDevAttrMaxPitch:
    return INT_MAX;
  case cudaDevAttrTextureAlignment:
  case cudaDevAttrTexturePitchAlignment:
  case cudaDevAttrSurfaceAlignment:
    return 512;
  default:
    return std::nullopt;
  }
}

void fillProperties(const backend::DeviceProperties& d, cudaDeviceProp& prop) {
  std::memset(&prop, 0, sizeof prop);
  std::strncpy(prop.name, d.name.c_str(), sizeof prop.name - 1);
  auto get = [&](cudaDeviceAttr attr) { return attributeValue(d, attr).value_or(0); };
  prop.totalGlobalMem = d.totalMemory;
  prop.sharedMemPerBlock = d.sharedMemoryPerBlock;
  prop.sharedMemPerBlockOptin = d.sharedMemoryPerBlockMax;
  prop.sharedMemPerMultiprocessor = d.sharedMemoryPerBlockMax;
  prop.totalConstMem = d.totalConstantMemory;
  prop.memPitch = static_cast<size_t>(get(cudaDevAttrMaxPitch));
  prop.regsPerBlock = get(cudaDevAttrMaxRegistersPerBlock);
  prop.regsPerMultiprocessor = get(cudaDevAttrMaxRegistersPerMultiprocessor);
  prop.warpSize = d.warpSize;
  prop.maxThreadsPerBlock = d.maxThreadsPerBlock;
  prop.maxThreadsDim[0] = get(cudaDevAttrMaxBlockDimX);
  prop.maxThreadsDim[1] = get(cudaDevAttrMaxBlockDimY);
  prop.maxThreadsDim[2] = get(cudaDevAttrMaxBlockDimZ);
  prop.maxGridSize[0] = get(cudaDevAttrMaxGridDimX);
  prop.maxGridSize[1] = get(cudaDevAttrMaxGridDimY);
  prop.maxGridSize[2] = get(cudaDevAttrMaxGridDimZ);
  prop.major = kComputeMajor;
  prop.minor = kComputeMinor;
  prop.textureAlignment = static_cast<size_t>(get(cudaDevAttrTextureAlignment));
  prop.texturePitchAlignment = static_cast<size_t>(get(cudaDevAttrTexturePitchAlignment));
  prop.surfaceAlignment = static_cast<size_t>(get(cudaDevAttrSurfaceAlignment));
  prop.multiProcessorCount = d.multiProcessorCount;
  prop.maxThreadsPerMultiProcessor = get(cudaDevAttrMaxThreadsPerMultiProcessor);
  prop.maxBlocksPerMultiProcessor = get(cudaDevAttrMaxBlocksPerMultiprocessor);
  prop.integrated = get(cudaDevAttrIntegrated);
  prop.canMapHostMemory = get(cudaDevAttrCanMapHostMemory);
  prop.unifiedAddressing = get(cudaDevAttrUnifiedAddressing);
  prop.managedMemory = get(cudaDevAttrManagedMemory);
  prop.concurrentManagedAccess = get(cudaDevAttrConcurrentManagedAccess);
  prop.pageableMemoryAccess = get(cudaDevAttrPageableMemoryAccess);
  prop.directManagedMemAccessFromHost = get(cudaDevAttrDirectManagedMemAccessFromHost);
  prop.hostNativeAtomicSupported = get(cudaDevAttrHostNativeAtomicSupported);
  prop.concurrentKernels = get(cudaDevAttrConcurrentKernels);
  prop.cooperativeLaunch = get(cudaDevAttrCooperativeLaunch);
  prop.hostRegisterSupported = get(cudaDevAttrHostRegisterSupported);
  prop.memoryPoolsSupported = get(cudaDevAttrMemoryPoolsSupported);
  prop.streamPrioritiesSupported = get(cudaDevAttrStreamPrioritiesSupported);
  prop.globalL1CacheSupported = get(cudaDevAttrGlobalL1CacheSupported);
  prop.localL1CacheSupported = get(cudaDevAttrLocalL1CacheSupported);
  prop.asyncEngineCount = get(cudaDevAttrAsyncEngineCount);
}

} // namespace drawbridge::cudart

#include "DeviceProperties.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>

namespace drawbridge::cudart {
namespace {

int clampToInt(size_t value) {
  return static_cast<int>(std::min<size_t>(value, INT_MAX));
}

// The host processor's top clock in kHz, which is what runs the kernels: the kernel's cpufreq
// figure, else /proc/cpuinfo's current one, else a nominal 1 GHz.
int hostClockKHz() {
  static const int kHz = [] {
    long value = 0;
    if (std::FILE* f = std::fopen("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "r")) {
      if (std::fscanf(f, "%ld", &value) != 1)
        value = 0;
      std::fclose(f);
    }
    if (value <= 0)
      if (std::FILE* f = std::fopen("/proc/cpuinfo", "r")) {
        char line[256];
        double mhz = 0;
        while (std::fgets(line, sizeof line, f))
          if (std::sscanf(line, "cpu MHz : %lf", &mhz) == 1)
            break;
        value = static_cast<long>(mhz * 1000);
        std::fclose(f);
      }
    return value > 0 ? static_cast<int>(std::min<long>(value, INT_MAX)) : 1000000;
  }();
  return kHz;
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
  case cudaDevAttrHostMemoryPoolsSupported:     // host pools are host memory, as every pool is
  case cudaDevAttrHostNumaMemoryPoolsSupported: // on each NUMA node /sys lists
  case cudaDevAttrStreamPrioritiesSupported:
  case cudaDevAttrGlobalL1CacheSupported:
  case cudaDevAttrLocalL1CacheSupported:
  case cudaDevAttrIpcEventSupport: // and memory handles (IpcApi.cpp)
    return 1;
  case cudaDevAttrMemoryPoolSupportedHandleTypes: // pools shared by descriptor
    return cudaMemHandleTypePosixFileDescriptor;
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
  case cudaDevAttrClockRate:
    return d.clockRateKHz ? d.clockRateKHz : hostClockKHz();
  // Nominal dual-channel DDR4-3200 (memory clock in kHz, bus in bits): programs derive peak
  // bandwidth as 2 x clock x width / 8 from these.
  case cudaDevAttrMemoryClockRate:
    return 1600000;
  case cudaDevAttrGlobalMemoryBusWidth:
    return 128;
  case cudaDevAttrGpuOverlap:
  case cudaDevAttrCanUseHostPointerForRegisteredMem:
  case cudaDevAttrPageableMemoryAccessUsesHostPageTables:
  case cudaDevAttrHostRegisterReadOnlySupported:
  case cudaDevAttrMemSyncDomainCount:
    return 1;
  case cudaDevAttrSingleToDoublePrecisionPerfRatio:
    return 2; // a vector register holds half as many doubles as floats
  case cudaDevAttrComputeMode:
    return cudaComputeModeDefault;
  case cudaDevAttrNumaId:
  case cudaDevAttrHostNumaId:
    return -1; // not a NUMA node of its own
  // The 1D, 2D, 3D and layered arrays, textures and surfaces the CPU device holds (Arrays.cpp),
  // with sm_80's extents.
  case cudaDevAttrMaxTexture1DWidth:
  case cudaDevAttrMaxTexture2DWidth:
  case cudaDevAttrMaxSurface1DWidth:
  case cudaDevAttrMaxSurface2DWidth:
    return 131072;
  case cudaDevAttrMaxTexture2DHeight:
  case cudaDevAttrMaxSurface2DHeight:
    return 65536;
  case cudaDevAttrMaxTexture3DWidth:
  case cudaDevAttrMaxTexture3DHeight:
  case cudaDevAttrMaxTexture3DDepth:
  case cudaDevAttrMaxSurface3DWidth:
  case cudaDevAttrMaxSurface3DHeight:
  case cudaDevAttrMaxSurface3DDepth:
    return 16384;
  case cudaDevAttrMaxTexture2DGatherWidth:
  case cudaDevAttrMaxTexture2DGatherHeight:
    return 32768;
  case cudaDevAttrMaxTexture1DLinearWidth:
    return 1 << 28;
  case cudaDevAttrMaxTexture2DLinearWidth:
    return 131072;
  case cudaDevAttrMaxTexture2DLinearHeight:
    return 65000;
  case cudaDevAttrMaxTexture2DLinearPitch:
    return 2097120;
  case cudaDevAttrMaxTexture2DLayeredWidth:
  case cudaDevAttrMaxTexture2DLayeredHeight:
  case cudaDevAttrMaxTexture1DLayeredWidth:
  case cudaDevAttrMaxSurface1DLayeredWidth:
  case cudaDevAttrMaxSurface2DLayeredWidth:
  case cudaDevAttrMaxSurface2DLayeredHeight:
  case cudaDevAttrMaxTexture2DMipmappedWidth: // MipmappedArrayApi.cpp
  case cudaDevAttrMaxTexture2DMipmappedHeight:
  case cudaDevAttrMaxTexture1DMipmappedWidth:
  case cudaDevAttrMaxTextureCubemapWidth: // Arrays.cpp
  case cudaDevAttrMaxTextureCubemapLayeredWidth:
  case cudaDevAttrMaxSurfaceCubemapWidth:
  case cudaDevAttrMaxSurfaceCubemapLayeredWidth:
    return 32768;
  case cudaDevAttrMaxTextureCubemapLayeredLayers:
  case cudaDevAttrMaxSurfaceCubemapLayeredLayers:
    return 2046;
  case cudaDevAttrMaxTexture2DLayeredLayers:
  case cudaDevAttrMaxTexture1DLayeredLayers:
  case cudaDevAttrMaxSurface1DLayeredLayers:
  case cudaDevAttrMaxSurface2DLayeredLayers:
    return 2048;
  // No alternate 3D extents (README), sparse or deferred-mapping arrays.
  case cudaDevAttrMaxTexture3DWidthAlt:
  case cudaDevAttrMaxTexture3DHeightAlt:
  case cudaDevAttrMaxTexture3DDepthAlt:
  case cudaDevAttrSparseCudaArraySupported:
  case cudaDevAttrDeferredMappingCudaArraySupported:
  // No watchdog, interop, RDMA, MPS, NUMA placement or persisting-L2 control.
  case cudaDevAttrKernelExecTimeout:
  case cudaDevAttrMultiGpuBoardGroupID:
  case cudaDevAttrCanFlushRemoteWrites:
  case cudaDevAttrMaxPersistingL2CacheSize:
  case cudaDevAttrMaxAccessPolicyWindowSize:
  case cudaDevAttrReservedSharedMemoryPerBlock: // a block's shared memory is all its own
  case cudaDevAttrTimelineSemaphoreInteropSupported:
  case cudaDevAttrGPUDirectRDMASupported:
  case cudaDevAttrGPUDirectRDMAFlushWritesOptions:
  case cudaDevAttrGPUDirectRDMAWritesOrdering:
  case cudaDevAttrNumaConfig:
  case cudaDevAttrMpsEnabled:
  case cudaDevAttrD3D12CigSupported:
  case cudaDevAttrVulkanCigSupported:
  case cudaDevAttrGpuPciDeviceId:
  case cudaDevAttrGpuPciSubsystemId:
  case cudaDevAttrHostNumaMultinodeIpcSupported:
  case cudaDevAttrOnlyPartialHostNativeAtomicSupported:
    return 0;
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
  prop.maxTexture1D = get(cudaDevAttrMaxTexture1DWidth);
  prop.maxTexture2D[0] = get(cudaDevAttrMaxTexture2DWidth);
  prop.maxTexture2D[1] = get(cudaDevAttrMaxTexture2DHeight);
  prop.maxTexture1DMipmap = get(cudaDevAttrMaxTexture1DMipmappedWidth);
  prop.maxTexture2DMipmap[0] = get(cudaDevAttrMaxTexture2DMipmappedWidth);
  prop.maxTexture2DMipmap[1] = get(cudaDevAttrMaxTexture2DMipmappedHeight);
  prop.maxTexture2DLinear[0] = get(cudaDevAttrMaxTexture2DLinearWidth);
  prop.maxTexture2DLinear[1] = get(cudaDevAttrMaxTexture2DLinearHeight);
  prop.maxTexture2DLinear[2] = get(cudaDevAttrMaxTexture2DLinearPitch);
  prop.maxTexture2DGather[0] = get(cudaDevAttrMaxTexture2DGatherWidth);
  prop.maxTexture2DGather[1] = get(cudaDevAttrMaxTexture2DGatherHeight);
  prop.maxTexture3D[0] = get(cudaDevAttrMaxTexture3DWidth);
  prop.maxTexture3D[1] = get(cudaDevAttrMaxTexture3DHeight);
  prop.maxTexture3D[2] = get(cudaDevAttrMaxTexture3DDepth);
  prop.maxSurface1D = get(cudaDevAttrMaxSurface1DWidth);
  prop.maxSurface2D[0] = get(cudaDevAttrMaxSurface2DWidth);
  prop.maxSurface2D[1] = get(cudaDevAttrMaxSurface2DHeight);
  prop.maxSurface3D[0] = get(cudaDevAttrMaxSurface3DWidth);
  prop.maxSurface3D[1] = get(cudaDevAttrMaxSurface3DHeight);
  prop.maxSurface3D[2] = get(cudaDevAttrMaxSurface3DDepth);
  prop.maxTextureCubemap = get(cudaDevAttrMaxTextureCubemapWidth);
  prop.maxTextureCubemapLayered[0] = get(cudaDevAttrMaxTextureCubemapLayeredWidth);
  prop.maxTextureCubemapLayered[1] = get(cudaDevAttrMaxTextureCubemapLayeredLayers);
  prop.maxSurfaceCubemap = get(cudaDevAttrMaxSurfaceCubemapWidth);
  prop.maxSurfaceCubemapLayered[0] = get(cudaDevAttrMaxSurfaceCubemapLayeredWidth);
  prop.maxSurfaceCubemapLayered[1] = get(cudaDevAttrMaxSurfaceCubemapLayeredLayers);
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
  prop.memoryBusWidth = get(cudaDevAttrGlobalMemoryBusWidth);
  prop.pageableMemoryAccessUsesHostPageTables =
      get(cudaDevAttrPageableMemoryAccessUsesHostPageTables);
  prop.canUseHostPointerForRegisteredMem = get(cudaDevAttrCanUseHostPointerForRegisteredMem);
}

} // namespace drawbridge::cudart

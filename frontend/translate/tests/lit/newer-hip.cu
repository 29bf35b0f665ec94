// Names HIP gained after 5.2 are reported for 5.2 and translated for a HIP that has them; a
// field HIP renamed between versions follows the target version.
// RUN: not %drawbridge translate %s 2>%t.err | %strip-checks | FileCheck --check-prefix=HIP52 %s
// RUN: FileCheck --check-prefix=DIAG --implicit-check-not=error: %s < %t.err
// RUN: not %drawbridge translate %s --hip-version 6.2 2>/dev/null | %strip-checks | FileCheck --check-prefix=HIP62 %s
// RUN: not %drawbridge translate %s --hip-version 7.0 2>%t.70.err | %strip-checks | FileCheck --check-prefix=HIP70 %s
// RUN: FileCheck --check-prefix=DIAG70 --implicit-check-not=error: %s < %t.70.err
// RUN: %drawbridge translate %s --hip-version 7.15 2>/dev/null | %strip-checks | FileCheck --check-prefix=HIP715 %s

__global__ void kernel(int* out, int n) { out[0] = n; }

struct Mine {
  int type; // the project's own field of the same name is not CUDA's
};

int main() {
  int* out = nullptr;
  int supported = 0;
  // HIP52: hipDeviceGetAttribute(&supported, hipDeviceAttributeCooperativeLaunch, 0);
  cudaDeviceGetAttribute(&supported, cudaDevAttrCooperativeLaunch, 0);
  // HIP52: hipFuncSetCacheConfig(reinterpret_cast<const void*>(kernel), static_cast<hipFuncCache_t>(1));
  cudaFuncSetCacheConfig(reinterpret_cast<const void*>(kernel), static_cast<cudaFuncCache>(1));

  // HIP52: hipPointerAttribute_t a;
  cudaPointerAttributes a;
  Mine mine{0};
  cudaPointerGetAttributes(&a, out);
  // HIP52: int host = a.memoryType == hipMemoryTypeHost && mine.type == 0;
  // HIP62: int host = a.type == hipMemoryTypeHost && mine.type == 0;
  int host = a.type == cudaMemoryTypeHost && mine.type == 0;
  // HIP52: int unregistered = a.memoryType == cudaMemoryTypeUnregistered;
  // HIP62: int unregistered = a.type == hipMemoryTypeUnregistered;
  // DIAG: newer-hip.cu:[[@LINE+1]]:32: error: cudaMemoryTypeUnregistered maps to hipMemoryTypeUnregistered, which needs HIP 6.0 (target is 5.2); raise --hip-version or rewrite by hand [DBT003]
  int unregistered = a.type == cudaMemoryTypeUnregistered;

  // HIP52: cudaLaunchAttribute attribute;
  // HIP70: hipLaunchAttribute attribute;
  // DIAG: newer-hip.cu:[[@LINE+1]]:3: error: cudaLaunchAttribute maps to hipLaunchAttribute, which needs HIP 7.0 (target is 5.2); raise --hip-version or rewrite by hand [DBT003]
  cudaLaunchAttribute attribute;
  // HIP62: attribute.id = hipLaunchAttributeCooperative;
  // DIAG: newer-hip.cu:[[@LINE+1]]:18: error: cudaLaunchAttributeCooperative maps to hipLaunchAttributeCooperative, which needs HIP 6.2 (target is 5.2); raise --hip-version or rewrite by hand [DBT003]
  attribute.id = cudaLaunchAttributeCooperative;
  // HIP70: if (host) attribute.id = cudaLaunchAttributeClusterDimension;
  // DIAG: newer-hip.cu:[[@LINE+2]]:28: error: cudaLaunchAttributeClusterDimension maps to hipLaunchAttributeClusterDimension, which needs HIP 7.13 (target is 5.2); raise --hip-version or rewrite by hand [DBT003]
  // DIAG70: newer-hip.cu:[[@LINE+1]]:28: error: cudaLaunchAttributeClusterDimension maps to hipLaunchAttributeClusterDimension, which needs HIP 7.13 (target is 7.0); raise --hip-version or rewrite by hand [DBT003]
  if (host) attribute.id = cudaLaunchAttributeClusterDimension;
  attribute.val.cooperative = 1;
  // HIP70: hipLaunchConfig_t config = {};
  // DIAG: newer-hip.cu:[[@LINE+1]]:3: error: cudaLaunchConfig_t maps to hipLaunchConfig_t, which needs HIP 7.0 (target is 5.2); raise --hip-version or rewrite by hand [DBT003]
  cudaLaunchConfig_t config = {};
  config.attrs = &attribute;
  config.numAttrs = 1;
  // HIP70: hipLaunchKernelEx(&config, kernel, out, unregistered);
  // DIAG: newer-hip.cu:[[@LINE+1]]:3: error: cudaLaunchKernelEx maps to hipLaunchKernelEx, which needs HIP 7.0 (target is 5.2); raise --hip-version or rewrite by hand [DBT003]
  cudaLaunchKernelEx(&config, kernel, out, unregistered);

  int device = -1;
  // HIP62: hipStreamGetDevice(hipStreamPerThread, &device);
  // DIAG: newer-hip.cu:[[@LINE+1]]:3: error: cudaStreamGetDevice maps to hipStreamGetDevice, which needs HIP 5.6 (target is 5.2); raise --hip-version or rewrite by hand [DBT003]
  cudaStreamGetDevice(cudaStreamPerThread, &device);
  cudaMemPool_t pool = nullptr;
  cudaMemLocation location = {cudaMemLocationTypeDevice, device};
  // HIP715: hipMemGetMemPool(&pool, &location, hipMemAllocationTypePinned);
  // DIAG: newer-hip.cu:[[@LINE+2]]:3: error: cudaMemGetMemPool maps to hipMemGetMemPool, which needs HIP 7.2 (target is 5.2); raise --hip-version or rewrite by hand [DBT003]
  // DIAG70: newer-hip.cu:[[@LINE+1]]:3: error: cudaMemGetMemPool maps to hipMemGetMemPool, which needs HIP 7.2 (target is 7.0); raise --hip-version or rewrite by hand [DBT003]
  cudaMemGetMemPool(&pool, &location, cudaMemAllocationTypePinned);
  // HIP715: hipMemGetDefaultMemPool(&pool, &location, hipMemAllocationTypePinned);
  // DIAG: newer-hip.cu:[[@LINE+2]]:3: error: cudaMemGetDefaultMemPool maps to hipMemGetDefaultMemPool, which needs HIP 7.15 (target is 5.2); raise --hip-version or rewrite by hand [DBT003]
  // DIAG70: newer-hip.cu:[[@LINE+1]]:3: error: cudaMemGetDefaultMemPool maps to hipMemGetDefaultMemPool, which needs HIP 7.15 (target is 7.0); raise --hip-version or rewrite by hand [DBT003]
  cudaMemGetDefaultMemPool(&pool, &location, cudaMemAllocationTypePinned);
  return 0;
}

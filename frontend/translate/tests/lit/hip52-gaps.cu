// What HIP 5.2 lacks: written with what it has where the meaning is kept exactly (printf's
// coordinates, __uni_sync, renamed device properties), reported as errors where it is not
// (directed rounding, NVVM builtins, device properties and headers HIP 5.2 does not have).
// RUN: not %drawbridge translate %s 2>%t.err | %strip-checks | FileCheck %s
// RUN: FileCheck --check-prefix=DIAG --implicit-check-not=error: %s < %t.err
// RUN: not %drawbridge translate %s --stats json 2>&1 >/dev/null | FileCheck --check-prefix=STATS %s
// RUN: not %drawbridge translate %s -o %t.once.cu 2>/dev/null
// RUN: not %drawbridge translate %t.once.cu -o %t.twice.cu 2>/dev/null
// RUN: diff %t.once.cu %t.twice.cu
// RUN: not %drawbridge translate %s --hip-version 5.3 2>/dev/null | %strip-checks | FileCheck --check-prefix=HIP53 %s

#include <cstdio>
// DIAG: hip52-gaps.cu:[[@LINE+1]]:11: error: <cooperative_groups/reduce.h> cannot be translated: HIP's cooperative groups have no cg::reduce; write the reduction with the tile's shfl_down [DBT002]
#include <cooperative_groups/reduce.h>

__global__ void coordinates(int* out, float a, float b) {
  // hipcc cannot pass HIP's coordinate objects through printf's "..."; CUDA's are unsigned ints.
  // CHECK: printf("%u %u %u\n", static_cast<unsigned int>(threadIdx.x), static_cast<unsigned int>((blockIdx.y)), blockDim.z + 1);
  printf("%u %u %u\n", threadIdx.x, (blockIdx.y), blockDim.z + 1);
  // CHECK-NEXT: printf("%d\n", int(gridDim.x));
  printf("%d\n", int(gridDim.x));
  // CHECK-NEXT: out[0] = [](int p_) -> int { return __all(p_) || !__any(p_); }(out[1] > a);
  out[0] = __uni_sync(0xffffffffu, out[1] > a);
  // CHECK-NEXT: out[2] = __fadd_rn(a, b) + __fadd_rd(a, b);
  // DIAG: hip52-gaps.cu:[[@LINE+1]]:30: error: __fadd_rd cannot be translated: no HIP equivalent (the ROCm device libraries have no directed-rounding arithmetic); keep round-to-nearest (__fadd_rn) or compute the bounds another way [DBT002]
  out[2] = __fadd_rn(a, b) + __fadd_rd(a, b);
  // DIAG: hip52-gaps.cu:[[@LINE+1]]:12: error: __nvvm_redux_sync_add cannot be translated: it is a clang builtin of the NVPTX target only; write it with HIP intrinsics [DBT002]
  out[3] = __nvvm_redux_sync_add(out[4], 0xffffffffu);
}

struct Mine {
  int unifiedAddressing; // the project's own field of the same name is not CUDA's
};

int main() {
  cudaDeviceProp prop;
  cudaGetDeviceProperties(&prop, 0);
  const cudaDeviceProp* p = &prop;
  Mine mine{1};
  // CHECK: std::printf("%zu %d %d\n", p->maxSharedMemoryPerMultiProcessor, prop.major, mine.unifiedAddressing);
  std::printf("%zu %d %d\n", p->sharedMemPerMultiprocessor, prop.major, mine.unifiedAddressing);
  // CHECK: cudaDeviceSetLimit(hipLimitMallocHeapSize, 1 << 20);
  // HIP53: hipDeviceSetLimit(hipLimitMallocHeapSize, 1 << 20);
  // DIAG: hip52-gaps.cu:[[@LINE+1]]:3: error: cudaDeviceSetLimit maps to hipDeviceSetLimit, which needs HIP 5.3 (target is 5.2); raise --hip-version or rewrite by hand [DBT003]
  cudaDeviceSetLimit(cudaLimitMallocHeapSize, 1 << 20);
  // DIAG: hip52-gaps.cu:[[@LINE+1]]:15: error: cudaDeviceProp::unifiedAddressing cannot be translated: HIP 5.2's hipDeviceProp_t has no unifiedAddressing; call hipDeviceGetAttribute(&value, hipDeviceAttributeUnifiedAddressing, device) [DBT002]
  return prop.unifiedAddressing;
}
// DIAG-NOT: DBT001

// STATS: "runtime": {
// STATS-NEXT: "converted": 5,
// STATS-NEXT: "unconverted": 2,
// STATS-NEXT: "noHipEquivalent": 2
// STATS: "device": {
// STATS-NEXT: "converted": 1,
// STATS-NEXT: "unconverted": 2,
// STATS-NEXT: "noHipEquivalent": 2
// STATS: "header": {
// STATS-NEXT: "converted": 1,
// STATS-NEXT: "unconverted": 1,
// STATS-NEXT: "noHipEquivalent": 1

// Every CUDA name is translated or reported: names no table knows are reported with their place,
// while the project's own names that merely start with "cuda" are not.
// RUN: not %drawbridge translate %s 2>&1 >/dev/null | FileCheck %s
// RUN: not %drawbridge translate %s --stats json 2>&1 >/dev/null | FileCheck --check-prefix=STATS %s

#include <cuda_runtime.h>
// CHECK: unknown.cu:[[@LINE+1]]:11: warning: CUDA header <cuda_awbarrier.h> has no HIP mapping; replace it by hand or remove it [DBT001]
#include <cuda_awbarrier.h>

#define CUDA_CHECK(x) (x)
bool cudaCheckLast() { return true; }

void f(cudaStream_t s) {
  // CHECK: unknown.cu:[[@LINE+1]]:3: warning: CUDA name cudaGetExportTable has no HIP mapping and was left as written; replace it by hand [DBT001]
  cudaGetExportTable(nullptr, nullptr);
  // CHECK: unknown.cu:[[@LINE+1]]:9: warning: CUDA name cuFrobnicate has no HIP mapping
  (void)cuFrobnicate;
  // CHECK: unknown.cu:[[@LINE+1]]:3: error: cuda::std::chrono::seconds is libcu++, which HIP lacks; use the std:: equivalent [DBT011]
  cuda::std::chrono::seconds(1);
  CUDA_CHECK(cudaCheckLast());
}
// CHECK-NOT: CUDA_CHECK
// CHECK-NOT: cudaCheckLast

// STATS: "converted": 2,
// STATS: "unconverted": 5,
// STATS-NEXT: "noHipEquivalent": 2,

__device__ unsigned laneId() {
  unsigned id;
  // CHECK: unknown.cu:[[@LINE+1]]:3: error: inline assembly (PTX in CUDA code) cannot run on AMD GPUs; rewrite it with HIP intrinsics or guard it with #ifndef __HIP_PLATFORM_AMD__ [DBT018]
  asm volatile("mov.u32 %0, %%laneid;" : "=r"(id));
  return id;
}

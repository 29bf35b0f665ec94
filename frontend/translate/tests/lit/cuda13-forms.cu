// Forms found in real CUDA 13 programs: the 5-argument cudaGraphInstantiate (HIP's own
// hipGraphInstantiate) beside the 3-argument one, cudaStreamLegacy (hipcc's null stream is the
// legacy stream), cudaDevAttrMemoryClockRate, a host cudaMemLocation for cudaMemAdvise, and the
// nv_bfloat16 / nv_half aliases; complex data types of library_types.h.
// RUN: %drawbridge translate %s 2>%t.err | %strip-checks | FileCheck %s
// RUN: not grep DBT %t.err
// RUN: %drawbridge translate %s --hip-version 6.0 2>/dev/null | %strip-checks | FileCheck --check-prefix=HIP60 %s
// RUN: %drawbridge translate %s --hip-version 7.1 2>/dev/null | %strip-checks | FileCheck --check-prefix=HIP71 %s

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

int run(cudaGraph_t graph, float* managed, size_t bytes) {
  cudaGraphExec_t exec;
  // CHECK: hipGraphInstantiate(&exec, graph, nullptr, nullptr, 0);
  cudaGraphInstantiate(&exec, graph, nullptr, nullptr, 0);
  // CHECK-NEXT: hipGraphInstantiateWithFlags(&exec, graph, 0);
  cudaGraphInstantiate(&exec, graph, 0);
  // CHECK-NEXT: hipStreamSynchronize(hipStream_t(nullptr));
  cudaStreamSynchronize(cudaStreamLegacy);
  int clock = 0;
  // CHECK: hipDeviceGetAttribute(&clock, hipDeviceAttributeMemoryClockRate, 0);
  cudaDeviceGetAttribute(&clock, cudaDevAttrMemoryClockRate, 0);
  // CHECK-NEXT: hipMemLocation host{hipMemLocationTypeInvalid, 0};
  // HIP71: hipMemLocation host{hipMemLocationTypeHost, 0};
  cudaMemLocation host{cudaMemLocationTypeHost, 0};
  // CHECK-NEXT: hipMemAdvise(p_, n_, a_, l_.type == hipMemLocationTypeDevice ? l_.id : hipCpuDeviceId); }(managed, bytes, hipMemAdviseSetPreferredLocation, host);
  cudaMemAdvise(managed, bytes, cudaMemAdviseSetPreferredLocation, host);
  // CHECK-NEXT: hip_bfloat16 b = hip_bfloat16(1.0f);
  // HIP60: __hip_bfloat16 b = __float2bfloat16(1.0f);
  nv_bfloat16 b = __float2bfloat16(1.0f);
  // CHECK-NEXT: __half h = __float2half(1.0f);
  nv_half h = __float2half(1.0f);
  // CHECK-NEXT: hipDataType complexTypes[] = {HIP_C_32F, HIP_C_64F};
  cudaDataType_t complexTypes[] = {CUDA_C_32F, CUDA_C_64F};
  return complexTypes[0] + clock + static_cast<int>(static_cast<float>(b)) + static_cast<int>(__half2float(h));
}

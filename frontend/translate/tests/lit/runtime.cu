// CUDA runtime API: types, enumerators, error codes and functions; the runtime header is added.
// RUN: %drawbridge translate %s | %strip-checks | FileCheck %s
// RUN: %drawbridge translate %s | %strip-checks | FileCheck --check-prefix=NONE %s
// RUN: %drawbridge translate %s --stats csv 2>&1 >/dev/null | FileCheck --check-prefix=STATS %s

#include <cstdio>

// CHECK: #include <hip/hip_runtime.h>
// CHECK-NEXT: #include <cstdio>

int main() {
  float* d = nullptr;
  // CHECK: hipError_t status = hipMalloc(&d, 256);
  cudaError_t status = cudaMalloc(&d, 256);
  // CHECK-NEXT: if (status != hipSuccess)
  if (status != cudaSuccess)
    // CHECK-NEXT: std::printf("%s %s\n", hipGetErrorName(status), hipGetErrorString(status));
    std::printf("%s %s\n", cudaGetErrorName(status), cudaGetErrorString(status));
  // CHECK: hipStream_t stream;
  cudaStream_t stream;
  // CHECK-NEXT: hipStreamCreateWithFlags(&stream, hipStreamNonBlocking);
  cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
  // CHECK-NEXT: hipMemsetAsync(d, 0, 256, stream);
  cudaMemsetAsync(d, 0, 256, stream);
  float h[64];
  // CHECK: hipMemcpy(h, d, sizeof h, hipMemcpyDeviceToHost);
  cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
  // CHECK-NEXT: hipDeviceProp_t prop;
  cudaDeviceProp prop;
  // CHECK-NEXT: hipGetDeviceProperties(&prop, 0);
  cudaGetDeviceProperties(&prop, 0);
  int n = 0;
  // CHECK: hipDeviceGetAttribute(&n, hipDeviceAttributeMultiprocessorCount, 0);
  cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, 0);
  // CHECK: if (hipPeekAtLastError() == hipErrorMemoryAllocation)
  if (cudaPeekAtLastError() == cudaErrorMemoryAllocation)
    return 2;
  // CHECK: hipEvent_t e;
  cudaEvent_t e;
  // CHECK-NEXT: hipEventCreateWithFlags(&e, hipEventDisableTiming);
  cudaEventCreateWithFlags(&e, cudaEventDisableTiming);
  // CHECK-NEXT: hipStreamDestroy(stream);
  cudaStreamDestroy(stream);
  // CHECK-NEXT: hipFree(d);
  cudaFree(d);
  // CHECK-NEXT: return prop.warpSize;
  return prop.warpSize;
}
// NONE-NOT: {{cuda[A-Z]}}

// STATS: runtime,22,0,0
// STATS: header,1,0

// cuda_fp16 and cuda_bf16: HIP keeps __half; bfloat16 is hip_bfloat16 in HIP 5.2 and
// __hip_bfloat16 from HIP 6.0.
// RUN: %drawbridge translate %s | %strip-checks | FileCheck --check-prefixes=CHECK,HIP52 %s
// RUN: %drawbridge translate %s --hip-version 6.0 | %strip-checks | FileCheck --check-prefixes=CHECK,HIP60 %s

// CHECK: #include <hip/hip_fp16.h>
#include <cuda_fp16.h>
// HIP52-NEXT: #include <hip/hip_bfloat16.h>
// HIP60-NEXT: #include <hip/hip_bf16.h>
#include <cuda_bf16.h>

// HIP52: __global__ void convert(const __half* h, const hip_bfloat16* b, float* out) {
// HIP60: __global__ void convert(const __half* h, const __hip_bfloat16* b, float* out) {
__global__ void convert(const __half* h, const __nv_bfloat16* b, float* out) {
  // HIP52-NEXT: out[threadIdx.x] = __half2float(h[threadIdx.x]) + static_cast<float>(b[threadIdx.x]);
  // HIP60-NEXT: out[threadIdx.x] = __half2float(h[threadIdx.x]) + __bfloat162float(b[threadIdx.x]);
  out[threadIdx.x] = __half2float(h[threadIdx.x]) + __bfloat162float(b[threadIdx.x]);
  // HIP52-NEXT: hip_bfloat16 back = hip_bfloat16(out[0]);
  // HIP60-NEXT: __hip_bfloat16 back = __float2bfloat16(out[0]);
  __nv_bfloat16 back = __float2bfloat16(out[0]);
  (void)back;
}

__global__ void extremes(__half* h) {
  // HIP52: h[0] = [](__half a_, __half b_) { return __hgt(a_, b_) ? a_ : b_; }(h[0], h[1]);
  // HIP60: h[0] = __hmax(h[0], h[1]);
  h[0] = __hmax(h[0], h[1]);
  // HIP52-NEXT: h[1] = [](__half a_, __half b_) { return __hlt(a_, b_) ? a_ : b_; }(h[0], h[1]);
  h[1] = __hmin(h[0], h[1]);
}

// Element types and reductions shared by the kernels: storage in float, half or bfloat16,
// arithmetic always in float.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace workload {

__device__ __host__ inline float toFloat(float v) {
  return v;
}
__device__ __host__ inline float toFloat(__half v) {
  return __half2float(v);
}
__device__ __host__ inline float toFloat(__nv_bfloat16 v) {
  return __bfloat162float(v);
}

template <typename T> __device__ __host__ inline T fromFloat(float v);
template <> __device__ __host__ inline float fromFloat<float>(float v) {
  return v;
}
template <> __device__ __host__ inline __half fromFloat<__half>(float v) {
  return __float2half_rn(v);
}
template <> __device__ __host__ inline __nv_bfloat16 fromFloat<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}

constexpr unsigned kFullMask = 0xFFFFFFFFu;

__device__ inline float warpSum(float v) {
  for (int offset = 16; offset > 0; offset >>= 1)
    v += __shfl_xor_sync(kFullMask, v, offset);
  return v;
}

__device__ inline float warpMax(float v) {
  for (int offset = 16; offset > 0; offset >>= 1)
    v = fmaxf(v, __shfl_xor_sync(kFullMask, v, offset));
  return v;
}

// Block-wide reductions: each warp reduces with shuffles, then warp 0 reduces the warps' results.
// `scratch` holds 32 floats of shared memory; every thread of the block must call these.
__device__ inline float blockSum(float v, float* scratch) {
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = (blockDim.x + 31) / 32;
  v = warpSum(v);
  __syncthreads(); // scratch may still be read by a previous reduction
  if (lane == 0)
    scratch[warp] = v;
  __syncthreads();
  v = threadIdx.x < warps ? scratch[threadIdx.x] : 0.0f;
  if (warp == 0)
    v = warpSum(v);
  if (threadIdx.x == 0)
    scratch[0] = v;
  __syncthreads();
  return scratch[0];
}

__device__ inline float blockMax(float v, float* scratch) {
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = (blockDim.x + 31) / 32;
  v = warpMax(v);
  __syncthreads();
  if (lane == 0)
    scratch[warp] = v;
  __syncthreads();
  v = threadIdx.x < warps ? scratch[threadIdx.x] : -INFINITY;
  if (warp == 0)
    v = warpMax(v);
  if (threadIdx.x == 0)
    scratch[0] = v;
  __syncthreads();
  return scratch[0];
}

} // namespace workload

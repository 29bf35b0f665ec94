// Row softmax and RMSNorm / LayerNorm, one block per row.
#include <cuda_bf16.h>
__device__ float blockReduceSum(float v, float* shm) {
  for (int o = 16; o > 0; o >>= 1)
    v += __shfl_xor_sync(0xffffffffu, v, o);
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0)
    shm[warp] = v;
  __syncthreads();
  v = lane < (blockDim.x + 31) / 32 ? shm[lane] : 0.0f;
  for (int o = 16; o > 0; o >>= 1)
    v += __shfl_xor_sync(0xffffffffu, v, o);
  __syncthreads();
  return v;
}

__device__ float blockReduceMax(float v, float* shm) {
  for (int o = 16; o > 0; o >>= 1)
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0)
    shm[warp] = v;
  __syncthreads();
  v = lane < (blockDim.x + 31) / 32 ? shm[lane] : -INFINITY;
  for (int o = 16; o > 0; o >>= 1)
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  __syncthreads();
  return v;
}

__global__ void softmax(const float* in, float* out, int cols) {
  __shared__ float shm[32];
  const float* x = in + blockIdx.x * cols;
  float* y = out + blockIdx.x * cols;
  float m = -INFINITY;
  for (int c = threadIdx.x; c < cols; c += blockDim.x)
    m = fmaxf(m, x[c]);
  m = blockReduceMax(m, shm);
  float s = 0.0f;
  for (int c = threadIdx.x; c < cols; c += blockDim.x)
    s += __expf(x[c] - m);
  s = blockReduceSum(s, shm);
  for (int c = threadIdx.x; c < cols; c += blockDim.x)
    y[c] = expf(x[c] - m) / s;
}

__global__ void rmsnorm(const __nv_bfloat16* in, const float* weight, __nv_bfloat16* out, int cols,
                        float eps) {
  __shared__ float shm[32];
  const __nv_bfloat16* x = in + blockIdx.x * cols;
  float ss = 0.0f;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    float v = __bfloat162float(x[c]);
    ss += v * v;
  }
  ss = blockReduceSum(ss, shm);
  float scale = rsqrtf(ss / cols + eps);
  for (int c = threadIdx.x; c < cols; c += blockDim.x)
    out[blockIdx.x * cols + c] = __float2bfloat16(__bfloat162float(x[c]) * scale * weight[c]);
}

__global__ void layernorm(const float* in, const float* gamma, const float* beta, float* out,
                          int cols, float eps) {
  __shared__ float shm[32];
  const float* x = in + blockIdx.x * cols;
  float s = 0.0f;
  for (int c = threadIdx.x; c < cols; c += blockDim.x)
    s += x[c];
  float mean = blockReduceSum(s, shm) / cols;
  float v = 0.0f;
  for (int c = threadIdx.x; c < cols; c += blockDim.x)
    v += (x[c] - mean) * (x[c] - mean);
  float inv = 1.0f / sqrtf(blockReduceSum(v, shm) / cols + eps);
  for (int c = threadIdx.x; c < cols; c += blockDim.x)
    out[blockIdx.x * cols + c] = (x[c] - mean) * inv * gamma[c] + beta[c];
}

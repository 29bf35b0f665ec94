// Block reductions: shared-memory tree with __syncthreads, and warp-shuffle reduction.
__global__ void reduceShared(const float* in, float* out, int n) {
  extern __shared__ float buf[];
  unsigned tid = threadIdx.x;
  unsigned i = blockIdx.x * blockDim.x * 2 + tid;
  float v = 0.0f;
  if (i < n)
    v = in[i];
  if (i + blockDim.x < n)
    v += in[i + blockDim.x];
  buf[tid] = v;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
    if (tid < s)
      buf[tid] += buf[tid + s];
    __syncthreads();
  }
  if (tid == 0)
    out[blockIdx.x] = buf[0];
}

__device__ float warpSum(float v) {
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_down_sync(0xffffffffu, v, offset);
  return v;
}

__global__ void reduceWarp(const float* in, float* out, int n) {
  __shared__ float partial[32];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  float v = i < n ? in[i] : 0.0f;
  v = warpSum(v);
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0)
    partial[warp] = v;
  __syncthreads();
  v = threadIdx.x < blockDim.x / 32 ? partial[lane] : 0.0f;
  if (warp == 0)
    v = warpSum(v);
  if (threadIdx.x == 0)
    atomicAdd(out, v);
}

__global__ void reduceInt(const int* in, long long* out, unsigned* maxOut, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  int v = i < n ? in[i] : 0;
  unsigned any = __ballot_sync(0xffffffffu, v != 0);
#if __CUDA_ARCH__ >= 800
  int total = __reduce_add_sync(0xffffffffu, v);
  unsigned mx = __reduce_max_sync(0xffffffffu, (unsigned)v);
#else
  int total = v;
  unsigned mx = (unsigned)v;
#endif
  if ((threadIdx.x & 31) == 0 && any) {
    atomicAdd((unsigned long long*)out, (unsigned long long)(long long)total);
    atomicMax(maxOut, mx);
  }
}

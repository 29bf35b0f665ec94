// Inclusive scans: Hillis-Steele in shared memory, and a warp scan with shuffles.
__global__ void scanShared(const int* in, int* out, int n) {
  __shared__ int tmp[2][256];
  int tid = threadIdx.x;
  int i = blockIdx.x * blockDim.x + tid;
  int cur = 0;
  tmp[0][tid] = i < n ? in[i] : 0;
  __syncthreads();
  for (int offset = 1; offset < blockDim.x; offset *= 2) {
    int v = tmp[cur][tid];
    if (tid >= offset)
      v += tmp[cur][tid - offset];
    tmp[1 - cur][tid] = v;
    cur = 1 - cur;
    __syncthreads();
  }
  if (i < n)
    out[i] = tmp[cur][tid];
}

__global__ void scanWarp(const float* in, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  float v = i < n ? in[i] : 0.0f;
  int lane = threadIdx.x & 31;
  for (int d = 1; d < 32; d <<= 1) {
    float up = __shfl_up_sync(0xffffffffu, v, d);
    if (lane >= d)
      v += up;
  }
  if (i < n)
    out[i] = v;
}

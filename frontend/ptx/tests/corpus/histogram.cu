// Histogram with shared-memory atomics, then global atomics; plus other atomic flavours.
__global__ void histogram(const unsigned char* data, unsigned* bins, int n) {
  __shared__ unsigned local[256];
  for (int b = threadIdx.x; b < 256; b += blockDim.x)
    local[b] = 0;
  __syncthreads();
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    atomicAdd(&local[data[i]], 1u);
  __syncthreads();
  for (int b = threadIdx.x; b < 256; b += blockDim.x)
    if (local[b])
      atomicAdd(&bins[b], local[b]);
}

__device__ unsigned long long gTicket;
__device__ float gMaxSeen;

__global__ void atomics(int* p, float* f, double* d, unsigned* u) {
  int i = threadIdx.x;
  atomicSub(p, i);
  atomicExch(p + 1, i);
  atomicMin(p + 2, i);
  atomicAnd(p + 3, i);
  atomicOr(p + 4, i);
  atomicXor(p + 5, i);
  atomicCAS(p + 6, i, i + 1);
  atomicInc(u, 100u);
  atomicDec(u + 1, 100u);
  atomicAdd(f, 1.5f);
  atomicAdd(d, 2.5);
  atomicAdd(&gTicket, 1ull);
  atomicExch(&gMaxSeen, f[1]);
}

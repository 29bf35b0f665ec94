// Code nvcc accepts and clang 19 rejects: spaced launch brackets, host max(int, int), and
// cache-hinted loads and stores on ordinary types.
#include <cuda_runtime.h>

struct Pair {
  float a, b;
};

__global__ void stream(const Pair* in, Pair* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    Pair p = __ldcs(&in[i]);
    __stcs(&out[i], p);
  }
  __syncwarp();
  unsigned active = __activemask();
  if (__ballot_sync(active, i < n) == 0 && __any_sync(0xffffffff, i >= n))
    out[0].a = 0;
}

int main() {
  int n = max(1000, 1024);
  Pair *in, *out;
  cudaMalloc((void**)&in, n * sizeof(Pair));
  cudaMalloc((void**)&out, n * sizeof(Pair));
  stream << <(n + 255) / 256, 256 >> > (in, out, n);
  return cudaDeviceSynchronize() == cudaSuccess ? 0 : 1;
}

#include "common.cuh"

__global__ void scale(float* p) { p[threadIdx.x] *= SCALE; }

int main() {
  float* p;
  cudaMalloc(&p, 64 * sizeof(float));
  Stream s = nullptr;
  clear(p, 64, s);
  scale<<<1, 64>>>(p);
  return cudaDeviceSynchronize() == cudaSuccess ? 0 : 1;
}

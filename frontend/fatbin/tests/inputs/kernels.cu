// Kernels of several shapes, so that inspection sees mangled, templated and extern "C" names,
// and module-scope __constant__ / __device__ variables.
#include <cstdio>

__constant__ float gScale[4];
__device__ int gCounter;

__global__ void saxpy(float a, const float* x, float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    y[i] = a * x[i] + y[i] * gScale[0];
}

template <typename T> __global__ void fill(T* out, T value, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = value;
}
template __global__ void fill<float>(float*, float, int);
template __global__ void fill<int>(int*, int, int);

extern "C" __global__ void count_calls() {
  atomicAdd(&gCounter, 1);
}

int main() {
  float* d = nullptr;
  cudaMalloc(&d, 64 * sizeof(float));
  saxpy<<<1, 64>>>(2.0f, d, d, 64);
  fill<float><<<1, 64>>>(d, 1.0f, 64);
  count_calls<<<1, 1>>>();
  cudaError_t err = cudaDeviceSynchronize();
  std::printf("%s\n", cudaGetErrorString(err));
  cudaFree(d);
  return err == cudaSuccess ? 0 : 1;
}

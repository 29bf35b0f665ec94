// A block reduction with CUB and a device-wide sum.
#include <cub/block/block_reduce.cuh>
#include <cub/device/device_reduce.cuh>
#include <cuda_runtime.h>

template <int Threads>
__global__ void blockSums(const float* in, float* out) {
  using Reduce = cub::BlockReduce<float, Threads>;
  __shared__ typename Reduce::TempStorage storage;
  float v = in[blockIdx.x * Threads + threadIdx.x];
  float total = Reduce(storage).Sum(v);
  if (threadIdx.x == 0)
    out[blockIdx.x] = total;
}

int main() {
  float *in, *out, *sum;
  cudaMalloc(&in, 1024 * sizeof(float));
  cudaMalloc(&out, 8 * sizeof(float));
  cudaMalloc(&sum, sizeof(float));
  blockSums<128><<<8, 128>>>(in, out);
  void* scratch = nullptr;
  size_t bytes = 0;
  cub::DeviceReduce::Sum(scratch, bytes, out, sum, 8);
  cudaMalloc(&scratch, bytes);
  cub::DeviceReduce::Sum(scratch, bytes, out, sum, 8);
  return cudaDeviceSynchronize() == cudaSuccess ? 0 : 1;
}

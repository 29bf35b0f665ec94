// A project header that uses the CUDA runtime: it must be translated with the program.
#pragma once
#include <cuda_runtime.h>

#define CHECK(call) ((call) == cudaSuccess)

inline bool copyToDevice(float* device, const float* host, size_t n, cudaStream_t stream) {
  return CHECK(cudaMemcpyAsync(device, host, n * sizeof(float), cudaMemcpyHostToDevice, stream));
}

__device__ inline float laneSum(float v) {
  for (int offset = warpSize / 2; offset > 0; offset /= 2)
    v += __shfl_down_sync(0xffffffff, v, offset);
  return v;
}

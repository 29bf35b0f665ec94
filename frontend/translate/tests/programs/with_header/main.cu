// A program whose CUDA calls sit partly in its own header.
#include "common.cuh"

__global__ void sums(const float* in, float* out) {
  float v = laneSum(in[threadIdx.x]);
  if (threadIdx.x == 0)
    *out = v;
}

int main() {
  float host[64] = {};
  float *in, *out;
  cudaMalloc(&in, sizeof host);
  cudaMalloc(&out, sizeof(float));
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  if (!copyToDevice(in, host, 64, stream))
    return 1;
  sums<<<1, 64, 0, stream>>>(in, out);
  return cudaStreamSynchronize(stream) == cudaSuccess ? 0 : 1;
}

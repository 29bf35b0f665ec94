// RMSNorm over bfloat16 rows with a block reduction through shared memory, a device property
// query and dynamic shared memory.
#include <cuda_runtime.h>
#include <cuda_bf16.h>

#include <cstdio>

constexpr int kWarpSize = 32;

__global__ void rmsnorm(const __nv_bfloat16* x, const float* weight, __nv_bfloat16* y, int cols,
                        float eps) {
  extern __shared__ float partial[];
  const int row = blockIdx.x;
  float sum = 0.f;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    float v = __bfloat162float(x[row * cols + c]);
    sum += v * v;
  }
  for (int offset = kWarpSize / 2; offset > 0; offset /= 2)
    sum += __shfl_xor_sync(0xffffffff, sum, offset);
  const int warp = threadIdx.x / 32;
  if ((threadIdx.x % 32) == 0)
    partial[warp] = sum;
  __syncthreads();
  if (threadIdx.x == 0) {
    float total = 0.f;
    for (int w = 0; w < blockDim.x / kWarpSize; ++w)
      total += partial[w];
    partial[0] = rsqrtf(total / cols + eps);
  }
  __syncthreads();
  for (int c = threadIdx.x; c < cols; c += blockDim.x)
    y[row * cols + c] =
        __float2bfloat16(__bfloat162float(x[row * cols + c]) * partial[0] * __ldg(&weight[c]));
}

int main() {
  cudaDeviceProp prop;
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess)
    return 1;
  int sms = 0;
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
  std::printf("%s: %d SMs, warp %d\n", prop.name, sms, prop.warpSize);
  const int rows = 8, cols = 256, threads = 128;
  __nv_bfloat16 *x, *y;
  float* w;
  cudaMalloc(&x, rows * cols * sizeof(__nv_bfloat16));
  cudaMalloc(&y, rows * cols * sizeof(__nv_bfloat16));
  cudaMallocManaged(&w, cols * sizeof(float));
  cudaMemset(x, 0, rows * cols * sizeof(__nv_bfloat16));
  rmsnorm<<<rows, threads, threads / kWarpSize * sizeof(float)>>>(x, w, y, cols, 1e-6f);
  cudaError_t status = cudaDeviceSynchronize();
  cudaFree(x);
  cudaFree(y);
  cudaFree(w);
  return status == cudaSuccess ? 0 : 1;
}

// Row softmax as LLM inference writes it: one warp per row, shuffle reductions, half I/O,
// an error-checking macro and launches through a macro.
#include <cuda_runtime.h>
#include <cuda_fp16.h>

#include <cstdio>
#include <vector>

#define CUDA_CHECK(call)                                                                           \
  do {                                                                                             \
    cudaError_t err_ = (call);                                                                     \
    if (err_ != cudaSuccess) {                                                                     \
      std::fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, cudaGetErrorString(err_));          \
      return 1;                                                                                    \
    }                                                                                              \
  } while (0)

#define FULL_MASK 0xffffffff
#define LAUNCH_ROWS(kernel, rows, stream, ...) kernel<<<(rows), 32, 0, stream>>>(__VA_ARGS__)

__device__ float warpMax(float v) {
  for (int offset = 16; offset > 0; offset /= 2)
    v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, offset));
  return v;
}

__device__ float warpSum(float v) {
  for (int offset = 16; offset > 0; offset >>= 1)
    v += __shfl_down_sync(0xffffffff, v, offset);
  return __shfl_sync(0xffffffff, v, 0);
}

template <typename T>
__global__ void softmaxRows(const T* in, T* out, int cols) {
  const int row = blockIdx.x;
  const int lane = threadIdx.x & 31;
  float m = -INFINITY;
  for (int c = lane; c < cols; c += 32)
    m = fmaxf(m, __half2float(in[row * cols + c]));
  m = warpMax(m);
  float s = 0.f;
  for (int c = lane; c < cols; c += 32)
    s += __expf(__half2float(in[row * cols + c]) - m);
  s = warpSum(s);
  for (int c = lane; c < cols; c += 32)
    out[row * cols + c] = __hmin(__float2half(__expf(__half2float(in[row * cols + c]) - m) / s),
                                 __float2half(1.0f));
}

int main() {
  const int rows = 4, cols = 100;
  std::vector<__half> host(rows * cols, __float2half(1.0f));
  __half *in = nullptr, *out = nullptr;
  CUDA_CHECK(cudaMalloc(&in, rows * cols * sizeof(__half)));
  CUDA_CHECK(cudaMalloc(&out, rows * cols * sizeof(__half)));
  cudaStream_t stream;
  CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  cudaEvent_t start, stop;
  CUDA_CHECK(cudaEventCreate(&start));
  CUDA_CHECK(cudaEventCreate(&stop));
  CUDA_CHECK(cudaMemcpyAsync(in, host.data(), host.size() * sizeof(__half),
                             cudaMemcpyHostToDevice, stream));
  CUDA_CHECK(cudaEventRecord(start, stream));
  LAUNCH_ROWS(softmaxRows<__half>, rows, stream, in, out, cols);
  CUDA_CHECK(cudaGetLastError());
  CUDA_CHECK(cudaEventRecord(stop, stream));
  CUDA_CHECK(cudaEventSynchronize(stop));
  float ms = 0;
  CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
  CUDA_CHECK(cudaMemcpy(host.data(), out, host.size() * sizeof(__half), cudaMemcpyDeviceToHost));
  std::printf("%f %f ms\n", __half2float(host[0]), ms);
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  cudaStreamDestroy(stream);
  cudaFree(in);
  cudaFree(out);
  return 0;
}

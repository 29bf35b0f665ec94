// Kernels launched through the CUDA runtime as ordinary programs launch them, each result
// checked on the host. Run as `kernels SECTION`.
#include "Check.cuh"

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cuda_runtime.h>
#include <thread>
#include <vector>

__constant__ float scale[2];
__device__ unsigned long long launches;

__global__ void vector_add(const float* a, const float* b, float* c, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    c[i] = scale[0] * a[i] + scale[1] * b[i];
  if (i == 0)
    atomicAdd(&launches, 1ull);
}

__global__ void block_sum(const int* in, int* out, int n) {
  extern __shared__ int partial[];
  int sum = 0;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    sum += in[i];
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride)
      partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0)
    atomicAdd(out, partial[0]);
}

__global__ void hello(int value) {
  if (threadIdx.x < 2)
    printf("hello from thread %d of block %d: %d\n", threadIdx.x, blockIdx.x, value);
}

__global__ void checked(int* p) {
  assert(p[threadIdx.x] == 0);
}

static int compute() {
  const int n = 100003; // not a multiple of the block size
  std::vector<float> a(n), b(n), c(n);
  for (int i = 0; i < n; ++i) {
    a[i] = float(i);
    b[i] = float(2 * i);
  }
  float* d[3];
  for (auto& p : d)
    OK(cudaMalloc(&p, n * sizeof(float)));
  OK(cudaMemcpy(d[0], a.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  OK(cudaMemcpy(d[1], b.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  const float factors[2] = {0.5f, 3.0f};
  OK(cudaMemcpyToSymbol(scale, factors, sizeof factors));
  vector_add<<<(n + 255) / 256, 256>>>(d[0], d[1], d[2], n);
  OK(cudaGetLastError());
  vector_add<<<(n + 255) / 256, 256>>>(d[0], d[1], d[2], n);
  OK(cudaMemcpy(c.data(), d[2], n * sizeof(float), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i)
    REQUIRE(c[i] == 0.5f * a[i] + 3.0f * b[i]);
  unsigned long long count = 0;
  OK(cudaMemcpyFromSymbol(&count, launches, sizeof count));
  REQUIRE(count == 2);
  void* address = nullptr;
  size_t size = 0;
  OK(cudaGetSymbolAddress(&address, scale));
  OK(cudaGetSymbolSize(&size, scale));
  REQUIRE(address != nullptr && size == sizeof factors);
  float second = 0;
  OK(cudaMemcpy(&second, static_cast<float*>(address) + 1, sizeof second, cudaMemcpyDefault));
  REQUIRE(second == 3.0f); // the symbol's address is a device address like any other
  EXPECT(cudaMemcpyToSymbol(scale, factors, sizeof factors, 4), cudaErrorInvalidValue);

  std::vector<int> values(n, 3);
  int *in = nullptr, *sum = nullptr;
  OK(cudaMalloc(&in, n * sizeof(int)));
  OK(cudaMalloc(&sum, sizeof(int)));
  OK(cudaMemcpy(in, values.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  OK(cudaMemset(sum, 0, sizeof(int)));
  block_sum<<<64, 256, 256 * sizeof(int)>>>(in, sum, n);
  int total = 0;
  OK(cudaMemcpy(&total, sum, sizeof total, cudaMemcpyDeviceToHost));
  REQUIRE(total == 3 * n);

  cudaFuncAttributes attributes;
  OK(cudaFuncGetAttributes(&attributes, block_sum));
  REQUIRE(attributes.maxThreadsPerBlock >= 256);
  for (auto& p : d)
    OK(cudaFree(p));
  std::printf("compute ok\n");
  return 0;
}

static int concurrency() {
  // Four host threads, each launching on its own stream; results must not mix.
  std::vector<std::thread> threads;
  int good[4] = {};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t, &good] {
      const int n = 50000;
      cudaStream_t stream;
      cudaStreamCreate(&stream);
      int *in = nullptr, *sum = nullptr;
      cudaMalloc(&in, n * sizeof(int));
      cudaMalloc(&sum, sizeof(int));
      std::vector<int> values(n, t + 1);
      cudaMemcpyAsync(in, values.data(), n * sizeof(int), cudaMemcpyHostToDevice, stream);
      cudaMemsetAsync(sum, 0, sizeof(int), stream);
      for (int repeat = 0; repeat < 5; ++repeat)
        block_sum<<<16, 128, 128 * sizeof(int), stream>>>(in, sum, n);
      int total = 0;
      cudaMemcpyAsync(&total, sum, sizeof total, cudaMemcpyDeviceToHost, stream);
      cudaStreamSynchronize(stream);
      good[t] = total == 5 * n * (t + 1);
      cudaFree(in);
      cudaFree(sum);
      cudaStreamDestroy(stream);
    });
  for (auto& th : threads)
    th.join();
  for (int t = 0; t < 4; ++t)
    REQUIRE(good[t]);
  std::printf("concurrency ok\n");
  return 0;
}

static int errors() {
  int* p = nullptr;
  OK(cudaMalloc(&p, 64 * sizeof(int)));
  block_sum<<<1, 2048>>>(p, p, 1); // more threads than a block may have: CUDA 13's answer
  EXPECT(cudaGetLastError(), cudaErrorInvalidValue);
  block_sum<<<0, 32>>>(p, p, 1);
  EXPECT(cudaGetLastError(), cudaErrorInvalidConfiguration);
  EXPECT(cudaLaunchKernel(reinterpret_cast<const void*>(&errors), dim3(1), dim3(1), nullptr, 0, 0),
         cudaErrorInvalidDeviceFunction);
  hello<<<2, 32>>>(7);
  OK(cudaDeviceSynchronize());
  OK(cudaMemset(p, 0, 64 * sizeof(int)));
  checked<<<1, 64>>>(p);
  OK(cudaDeviceSynchronize());
  OK(cudaMemset(p, 0xff, sizeof(int)));
  checked<<<1, 64>>>(p);
  EXPECT(cudaDeviceSynchronize(), cudaErrorAssert);
  EXPECT(cudaGetLastError(), cudaErrorAssert); // sticky: it stays
  EXPECT(cudaMemset(p, 0, 4), cudaErrorAssert);
  std::printf("errors ok\n");
  return 0;
}

int main(int argc, char** argv) {
  const char* section = argc > 1 ? argv[1] : "";
  if (!std::strcmp(section, "compute"))
    return compute();
  if (!std::strcmp(section, "concurrency"))
    return concurrency();
  if (!std::strcmp(section, "errors"))
    return errors();
  std::printf("usage: kernels compute|concurrency|errors\n");
  return 2;
}

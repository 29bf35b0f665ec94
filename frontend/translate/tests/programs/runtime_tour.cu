// A tour of the runtime API an inference engine uses around its kernels: constant memory, pinned
// host memory, occupancy, kernel attributes, cooperative groups, and CUDA graphs.
#include <cooperative_groups.h>
#include <cuda_runtime.h>

#include <cstdio>

namespace cg = cooperative_groups;

__constant__ float kBias[8];
__device__ unsigned long long gTicks;

__global__ void __launch_bounds__(256) addBias(float* x, int n) {
  cg::thread_block block = cg::this_thread_block();
  int i = blockIdx.x * blockDim.x + block.thread_rank();
  if (i < n)
    x[i] += kBias[i % 8];
  block.sync();
  if (threadIdx.x == 0)
    atomicAdd(&gTicks, 1ull);
}

int main() {
  float bias[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  if (cudaMemcpyToSymbol(kBias, bias, sizeof bias) != cudaSuccess)
    return 1;
  unsigned long long ticks = 0;
  cudaMemcpyFromSymbol(&ticks, gTicks, sizeof ticks);

  size_t freeBytes = 0, totalBytes = 0;
  cudaMemGetInfo(&freeBytes, &totalBytes);
  int device = 0, blocksPerSm = 0;
  cudaGetDevice(&device);
  cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocksPerSm, addBias, 256, 0);
  cudaFuncSetAttribute(addBias, cudaFuncAttributeMaxDynamicSharedMemorySize, 0);
  cudaFuncAttributes attributes;
  cudaFuncGetAttributes(&attributes, addBias);

  const int n = 1 << 16;
  float *host = nullptr, *dev = nullptr;
  cudaMallocHost(&host, n * sizeof(float));
  cudaMalloc(&dev, n * sizeof(float));
  float* managed = nullptr;
  cudaMallocManaged(&managed, n * sizeof(float));
  cudaMemLocation here{cudaMemLocationTypeDevice, device};
  cudaMemAdvise(managed, n * sizeof(float), cudaMemAdviseSetPreferredLocation, here);

  cudaStream_t stream;
  cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
  cudaMemPrefetchAsync(managed, n * sizeof(float), here, 0, stream);
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal);
  cudaMemcpyAsync(dev, host, n * sizeof(float), cudaMemcpyHostToDevice, stream);
  addBias<<<n / 256, 256, 0, stream>>>(dev, n);
  cudaMemcpyAsync(host, dev, n * sizeof(float), cudaMemcpyDeviceToHost, stream);
  cudaStreamEndCapture(stream, &graph);
  cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphLaunch(exec, stream);
  cudaStreamSynchronize(stream);
  int count = n;
  void* args[] = {&dev, &count};
  cudaLaunchKernel(addBias, dim3(n / 256), dim3(256), args, 0, stream);
  cudaLaunchKernel(addBias, dim3(n / 256), dim3(256), args);
  cudaStreamSynchronize(stream);

  std::printf("%zu/%zu bytes free, %d blocks/SM on device %d, %f\n", freeBytes, totalBytes,
              blocksPerSm, device, host[0]);
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  cudaStreamDestroy(stream);
  cudaFreeHost(host);
  cudaFree(dev);
  cudaFree(managed);
  return cudaGetLastError() == cudaSuccess ? 0 : 1;
}

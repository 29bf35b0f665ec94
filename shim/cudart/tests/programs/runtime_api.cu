// The CUDA runtime API without kernels, checked by the program itself as a CUDA user would.
// Run as `runtime_api SECTION`; prints what it saw and exits non-zero on the first surprise.
#include "Check.cuh"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cuda_runtime.h>
#include <thread>
#include <vector>

static int devices() {
  int count = -1;
  cudaError_t status = cudaGetDeviceCount(&count);
  std::printf("count %d (%s)\n", count, cudaGetErrorName(status));
  if (status != cudaSuccess)
    return 0;
  cudaDeviceProp prop;
  OK(cudaGetDeviceProperties(&prop, 0));
  std::printf("name %s\n", prop.name);
  std::printf("warp %d sm %d.%d multiprocessors %d\n", prop.warpSize, prop.major, prop.minor,
              prop.multiProcessorCount);
  int value = 0;
  OK(cudaDeviceGetAttribute(&value, cudaDevAttrMultiProcessorCount, 0));
  REQUIRE(value == prop.multiProcessorCount);
  OK(cudaDeviceGetAttribute(&value, cudaDevAttrMaxThreadsPerBlock, 0));
  REQUIRE(value == prop.maxThreadsPerBlock && value == 1024);
  REQUIRE(prop.totalGlobalMem > 0 && prop.unifiedAddressing == 1 && prop.managedMemory == 1);
  EXPECT(cudaGetDeviceProperties(&prop, count), cudaErrorInvalidDevice);
  EXPECT(cudaSetDevice(count), cudaErrorInvalidDevice);
  EXPECT(cudaGetLastError(), cudaErrorInvalidDevice);
  EXPECT(cudaGetLastError(), cudaSuccess);
  OK(cudaSetDevice(0));
  int device = -1;
  OK(cudaGetDevice(&device));
  REQUIRE(device == 0);
  size_t limit = 0;
  OK(cudaDeviceSetLimit(cudaLimitMallocHeapSize, 64 << 20));
  OK(cudaDeviceGetLimit(&limit, cudaLimitMallocHeapSize));
  REQUIRE(limit == 64 << 20);
  int runtime = 0;
  OK(cudaRuntimeGetVersion(&runtime));
  REQUIRE(runtime == CUDART_VERSION);
  OK(cudaDeviceSynchronize());
  std::printf("devices ok\n");
  return 0;
}

static int memory() {
  const size_t n = 1 << 20;
  std::vector<int> host(n), back(n);
  for (size_t i = 0; i < n; ++i)
    host[i] = static_cast<int>(i * 7);
  int *a = nullptr, *b = nullptr;
  OK(cudaMalloc(&a, n * sizeof(int)));
  OK(cudaMalloc(&b, n * sizeof(int)));
  OK(cudaMemset(b, 0xff, n * sizeof(int)));
  OK(cudaMemcpy(back.data(), b, n * sizeof(int), cudaMemcpyDeviceToHost));
  REQUIRE(back[0] == -1 && back[n - 1] == -1);
  OK(cudaMemcpy(a, host.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  OK(cudaMemcpy(b, a, n * sizeof(int), cudaMemcpyDeviceToDevice));
  OK(cudaMemcpy(back.data(), b, n * sizeof(int), cudaMemcpyDefault));
  REQUIRE(std::memcmp(back.data(), host.data(), n * sizeof(int)) == 0);
  EXPECT(cudaMemcpy(b, a, 4, static_cast<cudaMemcpyKind>(42)), cudaErrorInvalidMemcpyDirection);
  EXPECT(cudaMalloc(nullptr, 16), cudaErrorInvalidValue);
  void* zero = &zero;
  OK(cudaMalloc(&zero, 0));
  REQUIRE(zero == nullptr);
  OK(cudaFree(nullptr));
  OK(cudaFree(a));
  OK(cudaFree(b));

  int *pinned = nullptr, *mapped = nullptr, *managed = nullptr;
  OK(cudaMallocHost(&pinned, 64));
  OK(cudaHostAlloc(&mapped, 64, cudaHostAllocMapped));
  void* devicePointer = nullptr;
  OK(cudaHostGetDevicePointer(&devicePointer, mapped, 0));
  REQUIRE(devicePointer == mapped);
  OK(cudaMallocManaged(&managed, 64, cudaMemAttachGlobal));
  managed[3] = 42; // managed memory is usable from the host at once
  OK(cudaMemcpy(pinned, managed, 64, cudaMemcpyDefault));
  REQUIRE(pinned[3] == 42);
  EXPECT(cudaMallocManaged(&managed, 64, 99), cudaErrorInvalidValue);
  OK(cudaFreeHost(pinned));
  OK(cudaFreeHost(mapped));
  OK(cudaFree(managed));
  size_t free = 0, total = 0;
  OK(cudaMemGetInfo(&free, &total));
  REQUIRE(total > 0 && free <= total);
  cudaGetLastError();
  std::printf("memory ok\n");
  return 0;
}

static void CUDART_CB hostFunction(void* flag) {
  static_cast<std::atomic<int>*>(flag)->fetch_add(1);
}
static void CUDART_CB streamCallback(cudaStream_t, cudaError_t status, void* flag) {
  if (status == cudaSuccess)
    static_cast<std::atomic<int>*>(flag)->fetch_add(10);
}

static int streams() {
  const size_t n = 1 << 22;
  std::vector<char> host(n);
  char *a = nullptr, *b = nullptr;
  OK(cudaMalloc(&a, n));
  OK(cudaMalloc(&b, n));
  cudaStream_t s1, s2;
  OK(cudaStreamCreate(&s1));
  OK(cudaStreamCreateWithFlags(&s2, cudaStreamNonBlocking));
  EXPECT(cudaStreamCreateWithFlags(&s2, 0x80), cudaErrorInvalidValue);
  cudaEvent_t start, stop, ready;
  OK(cudaEventCreate(&start));
  OK(cudaEventCreate(&stop));
  OK(cudaEventCreateWithFlags(&ready, cudaEventDisableTiming));

  // s1 fills a; s2 waits for that through an event, then copies it to b.
  OK(cudaEventRecord(start, s1));
  OK(cudaMemsetAsync(a, 7, n, s1));
  OK(cudaEventRecord(ready, s1));
  OK(cudaStreamWaitEvent(s2, ready, 0));
  OK(cudaMemcpyAsync(b, a, n, cudaMemcpyDeviceToDevice, s2));
  std::atomic<int> flag{0};
  OK(cudaLaunchHostFunc(s2, hostFunction, &flag));
  OK(cudaStreamAddCallback(s2, streamCallback, &flag, 0));
  OK(cudaMemcpyAsync(host.data(), b, n, cudaMemcpyDeviceToHost, s2));
  OK(cudaEventRecord(stop, s2));
  OK(cudaStreamSynchronize(s2));
  REQUIRE(host[0] == 7 && host[n - 1] == 7);
  REQUIRE(flag.load() == 11);
  OK(cudaEventSynchronize(stop));
  OK(cudaEventQuery(stop));
  OK(cudaStreamQuery(s2));
  float ms = -1;
  OK(cudaEventElapsedTime(&ms, start, stop));
  REQUIRE(ms >= 0);

  // Several host threads, each with its own stream and per-thread default stream.
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      cudaStream_t own;
      if (cudaStreamCreate(&own) != cudaSuccess)
        return;
      std::vector<char> out(4096);
      char* buffer = nullptr;
      cudaMalloc(&buffer, 4096);
      cudaMemsetAsync(buffer, t + 1, 4096, own);
      cudaMemcpyAsync(out.data(), buffer, 4096, cudaMemcpyDeviceToHost, own);
      cudaStreamSynchronize(own);
      cudaMemsetAsync(buffer, t + 2, 4096, cudaStreamPerThread);
      cudaMemcpyAsync(out.data() + 1, buffer, 1, cudaMemcpyDeviceToHost, cudaStreamPerThread);
      cudaStreamSynchronize(cudaStreamPerThread);
      if (out[0] == t + 1 && out[4095] == t + 1 && out[1] == t + 2)
        good.fetch_add(1);
      cudaFree(buffer);
      cudaStreamDestroy(own);
    });
  for (auto& th : threads)
    th.join();
  REQUIRE(good.load() == 4);

  EXPECT(cudaStreamDestroy(nullptr), cudaErrorInvalidResourceHandle);
  OK(cudaEventDestroy(start));
  OK(cudaEventDestroy(stop));
  OK(cudaEventDestroy(ready));
  OK(cudaStreamDestroy(s1));
  OK(cudaStreamDestroy(s2));
  OK(cudaFree(a));
  OK(cudaFree(b));
  cudaGetLastError();
  std::printf("streams ok\n");
  return 0;
}

static int unimplemented() {
  cudaGraph_t graph = nullptr;
  cudaError_t first = cudaGraphCreate(&graph, 0);
  cudaError_t second = cudaGraphCreate(&graph, 0);
  std::printf("cudaGraphCreate: %s, %s\n", cudaGetErrorName(first), cudaGetErrorName(second));
  std::printf("last error: %s\n", cudaGetErrorName(cudaGetLastError()));
  return first == cudaErrorNotSupported ? 0 : 1;
}

int main(int argc, char** argv) {
  const char* section = argc > 1 ? argv[1] : "";
  if (!std::strcmp(section, "devices"))
    return devices();
  if (!std::strcmp(section, "memory"))
    return memory();
  if (!std::strcmp(section, "streams"))
    return streams();
  if (!std::strcmp(section, "unimplemented"))
    return unimplemented();
  std::printf("usage: runtime_api devices|memory|streams|unimplemented\n");
  return 2;
}

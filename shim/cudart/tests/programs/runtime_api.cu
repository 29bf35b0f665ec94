// The CUDA runtime API without kernels, checked by the program itself as a CUDA user would.
// Run as `runtime_api SECTION`; prints what it saw and exits non-zero on the first surprise.
#include "Check.cuh"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cuda_profiler_api.h>
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
  // The PCI address, as a string and back (NVIDIA's three spellings), agrees with the attributes.
  char bus[16];
  OK(cudaDeviceGetPCIBusId(bus, sizeof bus, 0));
  std::printf("pci %s\n", bus);
  int domainId = -1, busId = -1, deviceId = -1;
  OK(cudaDeviceGetAttribute(&domainId, cudaDevAttrPciDomainId, 0));
  OK(cudaDeviceGetAttribute(&busId, cudaDevAttrPciBusId, 0));
  OK(cudaDeviceGetAttribute(&deviceId, cudaDevAttrPciDeviceId, 0));
  char expected[16];
  std::snprintf(expected, sizeof expected, "%04x:%02x:%02x.0", domainId, busId, deviceId);
  REQUIRE(!std::strcmp(bus, expected));
  EXPECT(cudaDeviceGetPCIBusId(bus, 0, 0), cudaErrorInvalidValue);
  EXPECT(cudaDeviceGetPCIBusId(bus, sizeof bus, count), cudaErrorInvalidDevice);
  device = -1;
  OK(cudaDeviceGetByPCIBusId(&device, bus));
  REQUIRE(device == 0);
  std::snprintf(expected, sizeof expected, "%x:%x:%x", domainId, busId, deviceId);
  device = -1;
  OK(cudaDeviceGetByPCIBusId(&device, expected));
  REQUIRE(device == 0);
  std::snprintf(expected, sizeof expected, "%02x:%02x.0", busId, deviceId);
  device = -1;
  OK(cudaDeviceGetByPCIBusId(&device, expected));
  REQUIRE(device == 0);
  EXPECT(cudaDeviceGetByPCIBusId(&device, "00ff:ff:1f.0"), cudaErrorInvalidDevice);
  EXPECT(cudaDeviceGetByPCIBusId(&device, "not a bus id"), cudaErrorInvalidValue);
  EXPECT(cudaDeviceGetByPCIBusId(&device, "0000:00:00.0 and more"), cudaErrorInvalidValue);
  EXPECT(cudaDeviceGetByPCIBusId(nullptr, bus), cudaErrorInvalidValue);
  cudaGetLastError();
  size_t limit = 0;
  OK(cudaDeviceSetLimit(cudaLimitMallocHeapSize, 64 << 20));
  OK(cudaDeviceGetLimit(&limit, cudaLimitMallocHeapSize));
  REQUIRE(limit == 64 << 20);
  int runtime = 0;
  OK(cudaRuntimeGetVersion(&runtime));
  REQUIRE(runtime == CUDART_VERSION);
  int driver = 0;
  OK(cudaDriverGetVersion(&driver));
  REQUIRE(driver >= CUDART_VERSION);
  unsigned flags = 0;
  OK(cudaSetDeviceFlags(cudaDeviceScheduleBlockingSync));
  OK(cudaGetDeviceFlags(&flags));
  REQUIRE((flags & cudaDeviceScheduleMask) == cudaDeviceScheduleBlockingSync);
  EXPECT(cudaSetDeviceFlags(0x4000), cudaErrorInvalidValue);
  EXPECT(cudaPeekAtLastError(), cudaErrorInvalidValue); // peeking does not reset it
  EXPECT(cudaGetLastError(), cudaErrorInvalidValue);
  EXPECT(cudaPeekAtLastError(), cudaSuccess);
  OK(cudaDeviceSynchronize());
  // A reset drops the device's memory; the device is usable again at once.
  int* kept = nullptr;
  OK(cudaMalloc(&kept, 64));
  OK(cudaDeviceReset());
  cudaPointerAttributes attributes;
  OK(cudaPointerGetAttributes(&attributes, kept));
  REQUIRE(attributes.type == cudaMemoryTypeUnregistered);
  OK(cudaMalloc(&kept, 64));
  OK(cudaFree(kept));
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
  unsigned hostFlags = 0;
  OK(cudaHostGetFlags(&hostFlags, mapped));
  REQUIRE(hostFlags & cudaHostAllocMapped);
  EXPECT(cudaHostGetFlags(&hostFlags, &hostFlags), cudaErrorInvalidValue); // pageable memory
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

// An address no allocator handed out.
static void* pageableSentinel() {
  static int value;
  return &value;
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

// The stream stops at a host function until another thread opens the gate, so the work queued
// behind it is still pending when the calls under test return.
static void CUDART_CB waitAtGate(void* open) {
  while (!static_cast<std::atomic<bool>*>(open)->load())
    std::this_thread::yield();
}
static std::thread closeGate(cudaStream_t stream, std::atomic<bool>& open) {
  open = false;
  OK(cudaLaunchHostFunc(stream, waitAtGate, &open));
  return std::thread([&open] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    open = true;
  });
}

// Asynchronous copies with pageable host memory return as NVIDIA's do: a pageable source is
// staged before the call returns (the program may refill it at once), a pageable destination is
// written before the call returns; pinned memory stays asynchronous.
static int pageable() {
  const size_t n = 1 << 20;
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  char *device = nullptr, *pinned = nullptr;
  OK(cudaMalloc(&device, n));
  OK(cudaMallocHost(&pinned, n));
  std::vector<char> scratch(n, 1), result(n, 0);
  std::atomic<bool> open{false};

  std::thread opener = closeGate(stream, open);
  OK(cudaMemcpyAsync(device, scratch.data(), n, cudaMemcpyHostToDevice, stream));
  std::memset(scratch.data(), 2, n); // the next request's data, as an inference engine refills
  OK(cudaMemcpy2DAsync(device + 64, 128, scratch.data(), 64, 64, 8, cudaMemcpyHostToDevice,
                       stream));
  std::memset(scratch.data(), 4, n);
  opener.join();
  OK(cudaStreamSynchronize(stream));
  OK(cudaMemcpy(result.data(), device, n, cudaMemcpyDeviceToHost));
  REQUIRE(result[0] == 1 && result[63] == 1 && result[n - 1] == 1);
  for (int row = 0; row < 8; ++row)
    REQUIRE(result[64 + row * 128] == 2 && result[127 + row * 128] == 2 &&
            result[128 + row * 128] == 1);

  opener = closeGate(stream, open);
  OK(cudaMemsetAsync(device, 3, n, stream));
  OK(cudaMemcpyAsync(result.data(), device, n, cudaMemcpyDeviceToHost, stream));
  REQUIRE(result[0] == 3 && result[n - 1] == 3); // complete when the call returned
  opener.join();

  std::memset(pinned, 0, n);
  opener = closeGate(stream, open);
  OK(cudaMemcpyAsync(pinned, device, n, cudaMemcpyDeviceToHost, stream));
  EXPECT(cudaStreamQuery(stream), cudaErrorNotReady); // still waiting at the gate
  REQUIRE(pinned[0] == 0);
  opener.join();
  OK(cudaStreamSynchronize(stream));
  REQUIRE(pinned[0] == 3 && pinned[n - 1] == 3);

  OK(cudaFreeHost(pinned));
  OK(cudaFree(device));
  OK(cudaStreamDestroy(stream));
  std::printf("pageable ok\n");
  return 0;
}

// Calls real programs make that Drawbridge once refused, answered as NVIDIA's runtime does.
static int programCalls() {
  // CUDA 13 dropped cudaDeviceProp::memoryClockRate and clockRate: programs ask for attributes.
  int memoryClock = 0, busWidth = 0, clock = 0;
  OK(cudaDeviceGetAttribute(&memoryClock, cudaDevAttrMemoryClockRate, 0));
  OK(cudaDeviceGetAttribute(&busWidth, cudaDevAttrGlobalMemoryBusWidth, 0));
  OK(cudaDeviceGetAttribute(&clock, cudaDevAttrClockRate, 0));
  REQUIRE(memoryClock > 0 && busWidth > 0 && clock > 0);
  // No graph has allocated memory yet; only the high watermarks may be reset, to zero.
  uint64_t graphMemory = 1;
  OK(cudaDeviceGetGraphMemAttribute(0, cudaGraphMemAttrUsedMemCurrent, &graphMemory));
  REQUIRE(graphMemory == 0);
  graphMemory = 0;
  OK(cudaDeviceSetGraphMemAttribute(0, cudaGraphMemAttrUsedMemHigh, &graphMemory));
  EXPECT(cudaDeviceSetGraphMemAttribute(0, cudaGraphMemAttrUsedMemCurrent, &graphMemory),
         cudaErrorInvalidValue);
  OK(cudaDeviceGraphMemTrim(0));
  OK(cudaCtxResetPersistingL2Cache());
  cudaAsyncCallbackHandle_t notification = nullptr;
  OK(cudaDeviceRegisterAsyncNotification(
      0, [](cudaAsyncNotificationInfo_t*, void*, cudaAsyncCallbackHandle_t) {}, nullptr,
      &notification));
  REQUIRE(notification != nullptr);
  OK(cudaDeviceUnregisterAsyncNotification(0, notification));
  cudaDeviceProp prop;
  OK(cudaGetDeviceProperties(&prop, 0));
  REQUIRE(prop.memoryBusWidth == busWidth);
  // Every attribute CUDA 13 defines has a value; the reserved ones and the gaps are skipped.
  const int undefined[] = {44,  92,  93,  94,  96,  102, 103, 104, 105, 107, 110, 122,
                           123, 124, 127, 128, 129, 132, 136, 137, 141, 145, 146};
  for (int attr = 1; attr <= 147; ++attr) {
    bool skip = false;
    for (int u : undefined)
      skip |= u == attr;
    int value = 0;
    cudaError_t status = cudaDeviceGetAttribute(&value, static_cast<cudaDeviceAttr>(attr), 0);
    if (!skip && status != cudaSuccess) {
      std::printf("FAIL attribute %d: %s\n", attr, cudaGetErrorName(status));
      return 1;
    }
  }

  // Preferences a program states and reads back.
  cudaFuncCache cache;
  OK(cudaDeviceGetCacheConfig(&cache));
  REQUIRE(cache == cudaFuncCachePreferNone);
  OK(cudaDeviceSetCacheConfig(cudaFuncCachePreferShared));
  OK(cudaDeviceGetCacheConfig(&cache));
  REQUIRE(cache == cudaFuncCachePreferShared);
  EXPECT(cudaDeviceSetCacheConfig(static_cast<cudaFuncCache>(9)), cudaErrorInvalidValue);
  OK(cudaDeviceSetCacheConfig(cudaFuncCachePreferNone));
  int chosen = -1;
  OK(cudaChooseDevice(&chosen, &prop));
  REQUIRE(chosen == 0);
  OK(cudaInitDevice(0, 0, 0));
  EXPECT(cudaInitDevice(99, 0, 0), cudaErrorInvalidDevice);
  cudaGetLastError();

  // With no profiler attached, profiler control succeeds and does nothing.
  OK(cudaProfilerStart());
  OK(cudaProfilerStop());

  // cudaStreamUpdateCaptureDependencies sets and adds to what the next captured node follows.
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  char* buffer = nullptr;
  OK(cudaMalloc(&buffer, 48));
  cudaGraphNode_t none = nullptr;
  EXPECT(cudaStreamUpdateCaptureDependencies(stream, &none, nullptr, 0,
                                             cudaStreamSetCaptureDependencies),
         cudaErrorIllegalState); // not capturing
  // A 3D copy between peers' memory; outside a capture an external record is a record.
  char* mirror = nullptr;
  OK(cudaMalloc(&mirror, 48));
  OK(cudaMemset(buffer, 7, 48));
  cudaMemcpy3DPeerParms peer = {};
  peer.srcPtr = make_cudaPitchedPtr(buffer, 16, 16, 3);
  peer.dstPtr = make_cudaPitchedPtr(mirror, 16, 16, 3);
  peer.extent = make_cudaExtent(16, 3, 1);
  OK(cudaMemcpy3DPeerAsync(&peer, stream));
  cudaEvent_t copied;
  OK(cudaEventCreate(&copied));
  OK(cudaEventRecordWithFlags(copied, stream, cudaEventRecordExternal));
  EXPECT(cudaEventRecordWithFlags(copied, stream, 4), cudaErrorInvalidValue);
  OK(cudaEventSynchronize(copied));
  char check[48] = {};
  OK(cudaMemcpy(check, mirror, 48, cudaMemcpyDeviceToHost));
  REQUIRE(check[0] == 7 && check[47] == 7);
  peer.dstPtr = make_cudaPitchedPtr(check, 16, 16, 3);
  EXPECT(cudaMemcpy3DPeer(&peer), cudaErrorInvalidValue); // host memory is no peer's
  OK(cudaEventDestroy(copied));
  OK(cudaFree(mirror));

  OK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal));
  cudaStreamCaptureStatus status;
  const cudaGraphNode_t* tail = nullptr;
  size_t count = 0;
  OK(cudaMemsetAsync(buffer, 1, 16, stream));
  OK(cudaStreamGetCaptureInfo(stream, &status, nullptr, nullptr, &tail, nullptr, &count));
  REQUIRE(count == 1);
  cudaGraphNode_t first = tail[0];
  OK(cudaMemsetAsync(buffer + 16, 2, 16, stream));
  OK(cudaStreamGetCaptureInfo(stream, &status, nullptr, nullptr, &tail, nullptr, &count));
  REQUIRE(count == 1 && tail[0] != first);
  cudaGraphNode_t second = tail[0];
  OK(cudaStreamUpdateCaptureDependencies(stream, &first, nullptr, 1,
                                         cudaStreamSetCaptureDependencies));
  OK(cudaStreamGetCaptureInfo(stream, &status, nullptr, nullptr, &tail, nullptr, &count));
  REQUIRE(count == 1 && tail[0] == first);
  OK(cudaStreamUpdateCaptureDependencies(stream, &second, nullptr, 1,
                                         cudaStreamAddCaptureDependencies));
  OK(cudaStreamGetCaptureInfo(stream, &status, nullptr, nullptr, &tail, nullptr, &count));
  REQUIRE(count == 2);
  EXPECT(cudaStreamUpdateCaptureDependencies(stream, &first, nullptr, 1, 7), cudaErrorInvalidValue);
  OK(cudaMemsetAsync(buffer + 32, 3, 16, stream));
  cudaGraph_t graph;
  OK(cudaStreamEndCapture(stream, &graph));
  size_t nodes = 0;
  OK(cudaGraphGetNodes(graph, nullptr, &nodes));
  REQUIRE(nodes == 3);
  cudaGraphExec_t exec;
  OK(cudaGraphInstantiateWithFlags(&exec, graph, cudaGraphInstantiateFlagAutoFreeOnLaunch));
  unsigned long long execFlags = 0;
  OK(cudaGraphExecGetFlags(exec, &execFlags));
  REQUIRE(execFlags == cudaGraphInstantiateFlagAutoFreeOnLaunch);
  OK(cudaGraphUpload(exec, stream));
  OK(cudaGraphLaunch(exec, stream));
  OK(cudaStreamSynchronize(stream));
  char host[48];
  OK(cudaMemcpy(host, buffer, 48, cudaMemcpyDeviceToHost));
  REQUIRE(host[0] == 1 && host[16] == 2 && host[47] == 3);
  OK(cudaGraphExecDestroy(exec));
  OK(cudaGraphDestroy(graph));
  OK(cudaFree(buffer));
  OK(cudaStreamDestroy(stream));
  std::printf("program calls ok\n");
  return 0;
}

// Batches of copies: the batch runs in stream order; a source read "during the call" may be
// rewritten as soon as the call returns; a bad entry fails the whole batch.
static int batches() {
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  std::vector<int> a(256), b(64);
  for (int i = 0; i < 256; ++i)
    a[i] = i;
  for (int i = 0; i < 64; ++i)
    b[i] = 1000 + i;
  int *da = nullptr, *db = nullptr;
  OK(cudaMalloc(&da, a.size() * sizeof(int)));
  OK(cudaMalloc(&db, b.size() * sizeof(int)));
  void* dsts[] = {da, db};
  const void* srcs[] = {a.data(), b.data()};
  size_t sizes[] = {a.size() * sizeof(int), b.size() * sizeof(int)};
  cudaMemcpyAttributes attrs[2] = {};
  attrs[0].srcAccessOrder = cudaMemcpySrcAccessOrderStream;
  attrs[1].srcAccessOrder = cudaMemcpySrcAccessOrderDuringApiCall;
  size_t firsts[] = {0, 1};
  OK(cudaMemcpyBatchAsync(dsts, srcs, sizes, 2, attrs, firsts, 2, stream));
  b.assign(b.size(), -1); // read during the call: the batch already has what b held
  std::vector<int> back(256, 0);
  OK(cudaMemcpyAsync(back.data(), db, b.size() * sizeof(int), cudaMemcpyDeviceToHost, stream));
  OK(cudaStreamSynchronize(stream));
  for (int i = 0; i < 64; ++i)
    REQUIRE(back[i] == 1000 + i);
  OK(cudaMemcpyAsync(back.data(), da, a.size() * sizeof(int), cudaMemcpyDeviceToHost, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(back[0] == 0 && back[255] == 255);

  // What the batch refuses: the legacy stream, a first index that is not 0, an access order
  // left unset, more attributes than copies.
  EXPECT(cudaMemcpyBatchAsync(dsts, srcs, sizes, 2, attrs, firsts, 2, cudaStreamLegacy),
         cudaErrorInvalidValue);
  size_t late[] = {1, 1};
  EXPECT(cudaMemcpyBatchAsync(dsts, srcs, sizes, 2, attrs, late, 1, stream), cudaErrorInvalidValue);
  cudaMemcpyAttributes unset = {};
  EXPECT(cudaMemcpyBatchAsync(dsts, srcs, sizes, 2, &unset, firsts, 1, stream),
         cudaErrorInvalidValue);
  EXPECT(cudaMemcpyBatchAsync(dsts, srcs, sizes, 1, attrs, firsts, 2, stream),
         cudaErrorInvalidValue);

  // A 3D batch: a 4x3x2 box of bytes from a tightly packed host volume into rows 10 bytes long.
  std::vector<unsigned char> volume(4 * 3 * 2), box(10 * 3 * 2, 0);
  for (size_t i = 0; i < volume.size(); ++i)
    volume[i] = static_cast<unsigned char>(i + 1);
  unsigned char* dbox = nullptr;
  OK(cudaMalloc(&dbox, box.size()));
  OK(cudaMemsetAsync(dbox, 0, box.size(), stream));
  cudaMemcpy3DBatchOp op = {};
  op.src.type = cudaMemcpyOperandTypePointer;
  op.src.op.ptr.ptr = volume.data();
  op.dst.type = cudaMemcpyOperandTypePointer;
  op.dst.op.ptr.ptr = dbox;
  op.dst.op.ptr.rowLength = 10;
  op.extent = make_cudaExtent(4, 3, 2);
  op.srcAccessOrder = cudaMemcpySrcAccessOrderStream;
  OK(cudaMemcpy3DBatchAsync(1, &op, 0, stream));
  OK(cudaMemcpyAsync(box.data(), dbox, box.size(), cudaMemcpyDeviceToHost, stream));
  OK(cudaStreamSynchronize(stream));
  for (int z = 0; z < 2; ++z)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 10; ++x)
        REQUIRE(box[(z * 3 + y) * 10 + x] == (x < 4 ? volume[(z * 3 + y) * 4 + x] : 0));
  EXPECT(cudaMemcpy3DBatchAsync(1, &op, 1, stream), cudaErrorInvalidValue); // flags must be 0
  op.dst.op.ptr.rowLength = 3; // shorter than a row of the copy
  EXPECT(cudaMemcpy3DBatchAsync(1, &op, 0, stream), cudaErrorInvalidValue);
  OK(cudaFree(dbox));
  OK(cudaFree(da));
  OK(cudaFree(db));
  OK(cudaStreamDestroy(stream));
  cudaGetLastError();
  std::printf("batches ok\n");
  return 0;
}

// What a user object's destructor sees: it runs on a thread of CUDA's, once.
struct Resource {
  std::atomic<int> destroyed{0};
};

static void CUDART_CB destroy_resource(void* resource) {
  static_cast<Resource*>(resource)->destroyed.fetch_add(1);
}

static void CUDART_CB wait_for_go(void* go) {
  while (!static_cast<std::atomic<int>*>(go)->load())
    std::this_thread::yield();
}

// CUDA runs destructors asynchronously and no CUDA call waits for them
// (cudaUserObjectNoDestructorSync): wait a while for the count to change.
static bool destroyed_once(const Resource& resource) {
  for (int i = 0; i < 5000 && resource.destroyed.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return resource.destroyed.load() == 1;
}

// User objects: the program's references, a graph's (moved or new), a clone's, an executable
// graph's and a launch's each keep the object alive; the destructor runs once, after the last.
static int user_objects() {
  Resource resource;
  cudaUserObject_t object = nullptr;
  EXPECT(cudaUserObjectCreate(&object, &resource, destroy_resource, 1, 0), cudaErrorInvalidValue);
  EXPECT(
      cudaUserObjectCreate(&object, &resource, destroy_resource, 0, cudaUserObjectNoDestructorSync),
      cudaErrorInvalidValue);
  EXPECT(cudaUserObjectCreate(&object, &resource, nullptr, 1, cudaUserObjectNoDestructorSync),
         cudaErrorInvalidValue);
  OK(cudaUserObjectCreate(&object, &resource, destroy_resource, 2, cudaUserObjectNoDestructorSync));
  EXPECT(cudaUserObjectRetain(object, 0), cudaErrorInvalidValue);
  OK(cudaUserObjectRetain(object, 2));
  OK(cudaUserObjectRelease(object, 3)); // one of the program's four references is left

  cudaGraph_t graph;
  OK(cudaGraphCreate(&graph, 0));
  EXPECT(cudaGraphRetainUserObject(graph, object, 1, 2), cudaErrorInvalidValue);
  EXPECT(cudaGraphRetainUserObject(graph, object, 0, 0), cudaErrorInvalidValue);
  OK(cudaGraphRetainUserObject(graph, object, 1, cudaGraphUserObjectMove)); // the program's last
  OK(cudaGraphRetainUserObject(graph, object, 2, 0));
  OK(cudaGraphReleaseUserObject(graph, object, 2));
  std::atomic<int> go{0};
  cudaGraphNode_t wait;
  cudaHostNodeParams waitParams = {wait_for_go, &go};
  OK(cudaGraphAddHostNode(&wait, graph, nullptr, 0, &waitParams));
  cudaGraph_t clone;
  OK(cudaGraphClone(&clone, graph));
  OK(cudaGraphDestroy(graph));
  REQUIRE(resource.destroyed.load() == 0); // the clone owns a reference of its own
  cudaGraphExec_t exec;
  OK(cudaGraphInstantiate(&exec, clone, 0));
  OK(cudaGraphDestroy(clone));
  REQUIRE(resource.destroyed.load() == 0); // so does the executable graph
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  OK(cudaGraphLaunch(exec, stream));
  OK(cudaGraphExecDestroy(exec));
  // The launch is held at its host node: the object must outlive it.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(resource.destroyed.load() == 0);
  go = 1;
  OK(cudaStreamSynchronize(stream));
  REQUIRE(destroyed_once(resource));
  OK(cudaStreamDestroy(stream));
  std::printf("user objects ok\n");
  return 0;
}

// DRAWBRIDGE-ONLY(unimplemented): what Drawbridge's runtime refuses; NVIDIA's implements
// graphics interop, so the section has no native counterpart. A resource that was never
// registered is refused as unsupported before it is looked at.
static int unimplemented() {
  cudaGraphicsResource_t resource = nullptr;
  cudaError_t first = cudaGraphicsUnregisterResource(resource);
  cudaError_t second = cudaGraphicsUnregisterResource(resource);
  std::printf("cudaGraphicsUnregisterResource: %s, %s\n", cudaGetErrorName(first),
              cudaGetErrorName(second));
  std::printf("last error: %s\n", cudaGetErrorName(cudaGetLastError()));
  return first == cudaErrorNotSupported ? 0 : 1;
}

// Pitched allocations, 2D/3D copies and fills, and copies between (here: the same) devices.
static int pitched() {
  const size_t width = 100, height = 7; // bytes per row, rows
  char* image = nullptr;
  size_t pitch = 0;
  OK(cudaMallocPitch(reinterpret_cast<void**>(&image), &pitch, width, height));
  REQUIRE(pitch >= width && pitch % 512 == 0);
  std::vector<char> host(width * height), back(width * height, 0);
  for (size_t i = 0; i < host.size(); ++i)
    host[i] = char(i % 127);
  OK(cudaMemset2D(image, pitch, 0x5a, pitch, height)); // padding too
  OK(cudaMemcpy2D(image, pitch, host.data(), width, width, height, cudaMemcpyHostToDevice));
  std::vector<char> raw(pitch * height);
  OK(cudaMemcpy(raw.data(), image, raw.size(), cudaMemcpyDeviceToHost));
  for (size_t y = 0; y < height; ++y) {
    REQUIRE(std::memcmp(raw.data() + y * pitch, host.data() + y * width, width) == 0);
    REQUIRE(raw[y * pitch + width] == 0x5a); // the padding is untouched
  }
  cudaStream_t stream;
  OK(cudaStreamCreate(&stream));
  OK(cudaMemset2DAsync(image + 10, pitch, 1, 20, 3, stream));
  OK(cudaMemcpy2DAsync(back.data(), width, image, pitch, width, height, cudaMemcpyDeviceToHost,
                       stream));
  OK(cudaStreamSynchronize(stream));
  for (size_t y = 0; y < height; ++y)
    for (size_t x = 0; x < width; ++x) {
      char expected = (y < 3 && x >= 10 && x < 30) ? 1 : host[y * width + x];
      REQUIRE(back[y * width + x] == expected);
    }
  EXPECT(cudaMemcpy2D(image, 10, host.data(), width, width, 2, cudaMemcpyHostToDevice),
         cudaErrorInvalidPitchValue);

  // A 3D box copied out of the middle of a volume, by positions in both.
  cudaExtent volume = make_cudaExtent(64, 8, 5);
  cudaPitchedPtr dvol;
  OK(cudaMalloc3D(&dvol, volume));
  REQUIRE(dvol.pitch >= 64 && dvol.xsize == 64 && dvol.ysize == 8);
  OK(cudaMemset3D(dvol, 0, volume));
  std::vector<unsigned char> hvol(64 * 8 * 5);
  for (size_t i = 0; i < hvol.size(); ++i)
    hvol[i] = static_cast<unsigned char>(i * 13);
  cudaMemcpy3DParms in = {};
  in.srcPtr = make_cudaPitchedPtr(hvol.data(), 64, 64, 8);
  in.dstPtr = dvol;
  in.extent = volume;
  in.kind = cudaMemcpyHostToDevice;
  OK(cudaMemcpy3D(&in));
  std::vector<unsigned char> box(10 * 3 * 2, 0);
  cudaMemcpy3DParms out = {};
  out.srcPtr = dvol;
  out.srcPos = make_cudaPos(5, 2, 1);
  out.dstPtr = make_cudaPitchedPtr(box.data(), 10, 10, 3);
  out.extent = make_cudaExtent(10, 3, 2);
  out.kind = cudaMemcpyDeviceToHost;
  OK(cudaMemcpy3DAsync(&out, stream));
  OK(cudaStreamSynchronize(stream));
  for (int z = 0; z < 2; ++z)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 10; ++x)
        REQUIRE(box[(z * 3 + y) * 10 + x] == hvol[((z + 1) * 8 + y + 2) * 64 + x + 5]);

  int canAccess = -1;
  OK(cudaDeviceCanAccessPeer(&canAccess, 0, 0));
  // A device is no peer of itself; access to a real peer is enabled once and disabled once.
  int devices = 0;
  OK(cudaGetDeviceCount(&devices));
  EXPECT(cudaDeviceEnablePeerAccess(0, 0), cudaErrorInvalidDevice);
  EXPECT(cudaDeviceEnablePeerAccess(devices, 0), cudaErrorInvalidDevice);
  EXPECT(cudaDeviceDisablePeerAccess(devices), cudaErrorInvalidDevice);
  int linked = -1;
  EXPECT(cudaDeviceGetP2PAttribute(&linked, cudaDevP2PAttrAccessSupported, 0, 0),
         cudaErrorInvalidDevice); // a link joins two devices
  if (devices > 1) {
    OK(cudaDeviceEnablePeerAccess(1, 0));
    EXPECT(cudaDeviceEnablePeerAccess(1, 0), cudaErrorPeerAccessAlreadyEnabled);
    OK(cudaDeviceDisablePeerAccess(1));
    EXPECT(cudaDeviceDisablePeerAccess(1), cudaErrorPeerAccessNotEnabled);
    OK(cudaDeviceGetP2PAttribute(&linked, cudaDevP2PAttrAccessSupported, 0, 1));
    int canReach = -1;
    OK(cudaDeviceCanAccessPeer(&canReach, 0, 1));
    REQUIRE(linked == canReach);
  }
  cudaGetLastError();
  REQUIRE(canAccess == 0); // a device is not its own peer
  char* other = nullptr;
  OK(cudaMalloc(&other, 64));
  OK(cudaMemcpyPeer(other, 0, image, 0, 64));
  // Peer copies are between device memory; NVIDIA refuses a host pointer.
  EXPECT(cudaMemcpyPeerAsync(back.data(), 0, other, 0, 64, stream), cudaErrorInvalidValue);
  char* third = nullptr;
  OK(cudaMalloc(&third, 64));
  OK(cudaMemcpyPeerAsync(third, 0, other, 0, 64, stream));
  OK(cudaMemcpyAsync(back.data(), third, 64, cudaMemcpyDeviceToHost, stream));
  OK(cudaStreamSynchronize(stream));
  OK(cudaFree(third));
  for (int x = 0; x < 64; ++x) // row 0 as the 2D fill left it
    REQUIRE(back[x] == (x >= 10 && x < 30 ? 1 : host[x]));
  EXPECT(cudaMemcpyPeer(other, 3, image, 0, 64), cudaErrorInvalidDevice);
  OK(cudaFree(other));
  OK(cudaFree(dvol.ptr));
  OK(cudaFree(image));
  OK(cudaStreamDestroy(stream));
  std::printf("pitched ok\n");
  return 0;
}

// What each kind of memory reports itself to be, host registration, and managed memory hints.
static int pointers() {
  int *device = nullptr, *pinned = nullptr, *managed = nullptr;
  OK(cudaMalloc(&device, 256));
  OK(cudaMallocHost(&pinned, 256));
  OK(cudaMallocManaged(&managed, 256));
  std::vector<int> pageable(64);
  cudaPointerAttributes a;
  OK(cudaPointerGetAttributes(&a, device + 3));
  REQUIRE(a.type == cudaMemoryTypeDevice && a.device == 0 && a.devicePointer == device + 3 &&
          a.hostPointer == nullptr);
  OK(cudaPointerGetAttributes(&a, pinned));
  REQUIRE(a.type == cudaMemoryTypeHost && a.devicePointer == pinned && a.hostPointer == pinned);
  OK(cudaPointerGetAttributes(&a, managed));
  REQUIRE(a.type == cudaMemoryTypeManaged && a.devicePointer == managed &&
          a.hostPointer == managed);
  OK(cudaPointerGetAttributes(&a, pageable.data()));
  REQUIRE(a.type == cudaMemoryTypeUnregistered && a.device == -2 && a.devicePointer == nullptr &&
          a.hostPointer == pageable.data());
  void* mapped = nullptr;
  EXPECT(cudaHostGetDevicePointer(&mapped, pageable.data(), 0), cudaErrorInvalidValue);

  OK(cudaHostRegister(pageable.data(), pageable.size() * sizeof(int), cudaHostRegisterMapped));
  EXPECT(cudaHostRegister(pageable.data() + 8, 16, 0), cudaErrorHostMemoryAlreadyRegistered);
  OK(cudaPointerGetAttributes(&a, pageable.data() + 5));
  REQUIRE(a.type == cudaMemoryTypeHost && a.hostPointer == pageable.data() + 5);
  OK(cudaHostGetDevicePointer(&mapped, pageable.data(), 0));
  REQUIRE(mapped == pageable.data());
  OK(cudaMemset(mapped, 0, 64 * sizeof(int)));
  REQUIRE(pageable[63] == 0);
  OK(cudaHostUnregister(pageable.data()));
  EXPECT(cudaHostUnregister(pageable.data()), cudaErrorHostMemoryNotRegistered);
  OK(cudaPointerGetAttributes(&a, pageable.data()));
  REQUIRE(a.type == cudaMemoryTypeUnregistered);

  cudaMemLocation gpu = {cudaMemLocationTypeDevice, 0};
  cudaMemLocation cpu = {cudaMemLocationTypeHost, 0};
  cudaMemLocation nowhere = {cudaMemLocationTypeDevice, 9};
  OK(cudaMemAdvise(managed, 256, cudaMemAdviseSetReadMostly, gpu));
  OK(cudaMemAdvise(managed, 256, cudaMemAdviseSetPreferredLocation, cpu));
  EXPECT(cudaMemAdvise(managed, 256, cudaMemAdviseSetAccessedBy, nowhere), cudaErrorInvalidValue);
  EXPECT(cudaMemAdvise(device, 256, cudaMemAdviseSetReadMostly, gpu), cudaErrorInvalidValue);
  OK(cudaMemPrefetchAsync(managed, 256, gpu, 0, 0));
  OK(cudaMemPrefetchAsync(managed, 256, cpu, 0, 0));
  OK(cudaStreamAttachMemAsync(0, managed, 0, cudaMemAttachGlobal));
  EXPECT(cudaStreamAttachMemAsync(0, device, 0, cudaMemAttachGlobal), cudaErrorInvalidValue);
  EXPECT(cudaMemPrefetchAsync(managed, 256, gpu, 1, 0), cudaErrorInvalidValue);
  // What the range reports is what was advised and prefetched last.
  int answer = 0;
  OK(cudaMemRangeGetAttribute(&answer, 4, cudaMemRangeAttributeReadMostly, managed, 256));
  REQUIRE(answer == 1);
  OK(cudaMemRangeGetAttribute(&answer, 4, cudaMemRangeAttributePreferredLocation, managed, 256));
  REQUIRE(answer == cudaCpuDeviceId);
  OK(cudaMemRangeGetAttribute(&answer, 4, cudaMemRangeAttributeLastPrefetchLocation, managed, 256));
  REQUIRE(answer == cudaCpuDeviceId);
  cudaMemLocationType where = cudaMemLocationTypeInvalid;
  OK(cudaMemRangeGetAttribute(&where, sizeof where, cudaMemRangeAttributePreferredLocationType,
                              managed, 256));
  REQUIRE(where == cudaMemLocationTypeHost);
  int accessors[3] = {7, 7, 7};
  OK(cudaMemRangeGetAttribute(accessors, sizeof accessors, cudaMemRangeAttributeAccessedBy, managed,
                              256));
  REQUIRE(accessors[0] == cudaInvalidDeviceId && accessors[2] == cudaInvalidDeviceId);
  OK(cudaMemAdvise(managed, 256, cudaMemAdviseSetAccessedBy, gpu));
  OK(cudaMemRangeGetAttribute(accessors, sizeof accessors, cudaMemRangeAttributeAccessedBy, managed,
                              256));
  REQUIRE(accessors[0] == 0 && accessors[1] == cudaInvalidDeviceId);
  EXPECT(cudaMemRangeGetAttribute(&answer, 8, cudaMemRangeAttributeReadMostly, managed, 256),
         cudaErrorInvalidValue);
  EXPECT(cudaMemRangeGetAttribute(accessors, 6, cudaMemRangeAttributeAccessedBy, managed, 256),
         cudaErrorInvalidValue);
  EXPECT(cudaMemRangeGetAttribute(&answer, 4, cudaMemRangeAttributeReadMostly, device, 256),
         cudaErrorInvalidValue); // device memory takes no advice
  // Advice covers the pages of the range it was given: 4 MiB, advised by halves (2 MiB pages).
  const size_t half = size_t(2) << 20;
  char* large = nullptr;
  OK(cudaMallocManaged(&large, 2 * half));
  OK(cudaMemAdvise(large, half, cudaMemAdviseSetReadMostly, gpu));
  OK(cudaMemAdvise(large + half, half, cudaMemAdviseSetPreferredLocation, gpu));
  int readMostly[2] = {-1, -1}, preferred[2] = {-1, -1};
  void* data[] = {&readMostly[0], &preferred[0]};
  size_t sizes[] = {4, 4};
  cudaMemRangeAttribute asked[] = {cudaMemRangeAttributeReadMostly,
                                   cudaMemRangeAttributePreferredLocation};
  OK(cudaMemRangeGetAttributes(data, sizes, asked, 2, large, 2 * half));
  data[0] = &readMostly[1];
  data[1] = &preferred[1];
  OK(cudaMemRangeGetAttributes(data, sizes, asked, 2, large + half, half));
  REQUIRE(readMostly[0] == 0 && preferred[0] == cudaInvalidDeviceId); // the halves differ
  REQUIRE(readMostly[1] == 0 && preferred[1] == 0);
  OK(cudaMemRangeGetAttribute(&answer, 4, cudaMemRangeAttributeReadMostly, large, half));
  REQUIRE(answer == 1);
  OK(cudaMemRangeGetAttribute(&answer, 4, cudaMemRangeAttributeLastPrefetchLocation, large, half));
  REQUIRE(answer == cudaInvalidDeviceId); // never prefetched
  OK(cudaFree(large));
  managed[10] = 99;
  OK(cudaDeviceSynchronize());
  REQUIRE(managed[10] == 99);
  OK(cudaFree(device));
  OK(cudaFreeHost(pinned));
  OK(cudaFree(managed));
  OK(cudaPointerGetAttributes(&a, device));
  REQUIRE(a.type == cudaMemoryTypeUnregistered); // freed memory is no longer the device's
  cudaGetLastError();
  std::printf("pointers ok\n");
  return 0;
}

// What the host function saw; the section checks it once the stream is done.
struct ZeroedCheck {
  const int* values;
  bool zeroed = false;
};

static void CUDART_CB checkZeroed(void* p) {
  auto* check = static_cast<ZeroedCheck*>(p);
  check->zeroed = check->values[0] == 0 && check->values[1023] == 0;
}

// Stream-ordered allocation: memory from cudaMallocAsync is usable in stream order at once,
// freed when the stream reaches cudaFreeAsync; the default pool tracks what is in use.
static int pools() {
  cudaMemPool_t pool = nullptr, same = nullptr;
  OK(cudaDeviceGetDefaultMemPool(&pool, 0));
  OK(cudaDeviceGetMemPool(&same, 0));
  REQUIRE(pool && pool == same);
  uint64_t threshold = UINT64_MAX;
  OK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &threshold));
  uint64_t value = 0;
  OK(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &value));
  REQUIRE(value == UINT64_MAX);
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  int* p = nullptr;
  OK(cudaMallocAsync(&p, 4096, stream));
  OK(cudaMemsetAsync(p, 0, 4096, stream));
  // The host function reads a pinned copy: device memory is not the host's to read.
  int* seen = nullptr;
  OK(cudaMallocHost(&seen, 4096));
  std::memset(seen, 0xff, 4096);
  OK(cudaMemcpyAsync(seen, p, 4096, cudaMemcpyDeviceToHost, stream));
  ZeroedCheck check{seen};
  OK(cudaLaunchHostFunc(stream, checkZeroed, &check));
  OK(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrUsedMemCurrent, &value));
  REQUIRE(value == 4096);
  cudaPointerAttributes a;
  OK(cudaPointerGetAttributes(&a, p));
  REQUIRE(a.type == cudaMemoryTypeDevice);
  OK(cudaFreeAsync(p, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(check.zeroed); // the stream-ordered memset and copy ran before the host function
  OK(cudaFreeHost(seen));
  OK(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrUsedMemCurrent, &value));
  REQUIRE(value == 0);
  OK(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrUsedMemHigh, &value));
  REQUIRE(value == 4096);
  EXPECT(cudaFreeAsync(pageableSentinel(), stream), cudaErrorInvalidValue);
  int* q = nullptr;
  OK(cudaMallocFromPoolAsync(reinterpret_cast<void**>(&q), 128, pool, stream));
  OK(cudaFree(q)); // cudaFree of pool memory is allowed, after the device is idle
  OK(cudaMemPoolTrimTo(pool, 0));

  // A pool of the program's own: made current, cudaMallocAsync takes from it, not the default.
  cudaMemPoolProps props = {};
  props.allocType = cudaMemAllocationTypePinned;
  props.location = {cudaMemLocationTypeDevice, 0};
  cudaMemPool_t own = nullptr;
  OK(cudaMemPoolCreate(&own, &props));
  REQUIRE(own && own != pool);
  OK(cudaDeviceSetMemPool(0, own));
  cudaMemLocation here = {cudaMemLocationTypeDevice, 0};
  OK(cudaDeviceGetMemPool(&same, 0));
  REQUIRE(same == own);
  OK(cudaMemGetMemPool(&same, &here, cudaMemAllocationTypePinned));
  REQUIRE(same == own);
  OK(cudaMemGetDefaultMemPool(&same, &here, cudaMemAllocationTypePinned));
  REQUIRE(same == pool);
  cudaMemAccessFlags access = cudaMemAccessFlagsProtNone;
  OK(cudaMemPoolGetAccess(&access, own, &here));
  REQUIRE(access == cudaMemAccessFlagsProtReadWrite); // the pool's own device
  OK(cudaMallocAsync(&p, 4096, stream));
  OK(cudaMemPoolGetAttribute(own, cudaMemPoolAttrUsedMemCurrent, &value));
  REQUIRE(value >= 4096);
  OK(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrUsedMemCurrent, &value));
  REQUIRE(value == 0);
  OK(cudaFreeAsync(p, stream));
  OK(cudaStreamSynchronize(stream));
  OK(cudaMemPoolGetAttribute(own, cudaMemPoolAttrUsedMemCurrent, &value));
  REQUIRE(value == 0);
  OK(cudaMemPoolDestroy(own)); // the device's current pool is its default one again
  OK(cudaDeviceGetMemPool(&same, 0));
  REQUIRE(same == pool);
  EXPECT(cudaMemPoolDestroy(pool), cudaErrorInvalidValue); // a default pool stays
  OK(cudaStreamDestroy(stream));
  cudaGetLastError();
  std::printf("pools ok\n");
  return 0;
}

// A pool's current use, read back.
static uint64_t poolUse(cudaMemPool_t pool) {
  uint64_t used = UINT64_MAX;
  OK(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrUsedMemCurrent, &used));
  return used;
}

// Host, NUMA-node and managed pools: memory the host reads and writes once the stream is done,
// which pointer attributes call host or managed memory; each location has its own default and
// current pool; the host owns host pools, devices get access only when given it.
static int hostPools() {
  int supported = 0;
  OK(cudaDeviceGetAttribute(&supported, cudaDevAttrHostMemoryPoolsSupported, 0));
  REQUIRE(supported == 1);
  cudaMemLocation host = {cudaMemLocationTypeHost, 0};
  cudaMemLocation device = {cudaMemLocationTypeDevice, 0};
  cudaMemPool_t hostDefault = nullptr, deviceDefault = nullptr, same = nullptr;
  OK(cudaMemGetDefaultMemPool(&hostDefault, &host, cudaMemAllocationTypePinned));
  OK(cudaDeviceGetDefaultMemPool(&deviceDefault, 0));
  REQUIRE(hostDefault && hostDefault != deviceDefault);
  OK(cudaMemGetMemPool(&same, &host, cudaMemAllocationTypePinned));
  REQUIRE(same == hostDefault); // a location's current pool starts as its default one

  cudaMemPoolProps props = {};
  props.allocType = cudaMemAllocationTypePinned;
  props.location = host;
  cudaMemPool_t pool = nullptr;
  OK(cudaMemPoolCreate(&pool, &props));
  cudaMemAccessFlags access = cudaMemAccessFlagsProtNone;
  OK(cudaMemPoolGetAccess(&access, pool, &host));
  REQUIRE(access == cudaMemAccessFlagsProtReadWrite);
  access = cudaMemAccessFlagsProtReadWrite;
  OK(cudaMemPoolGetAccess(&access, pool, &device));
  REQUIRE(access == cudaMemAccessFlagsProtNone); // the host's until a device is given access
  cudaMemAccessDesc grant = {device, cudaMemAccessFlagsProtReadWrite};
  OK(cudaMemPoolSetAccess(pool, &grant, 1));
  OK(cudaMemPoolGetAccess(&access, pool, &device));
  REQUIRE(access == cudaMemAccessFlagsProtReadWrite);

  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  unsigned char* p = nullptr;
  OK(cudaMallocFromPoolAsync(reinterpret_cast<void**>(&p), 4096, pool, stream));
  OK(cudaMemsetAsync(p, 7, 4096, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(p[0] == 7 && p[4095] == 7); // host memory: the host reads it
  cudaPointerAttributes a;
  OK(cudaPointerGetAttributes(&a, p));
  REQUIRE(a.type == cudaMemoryTypeHost && a.hostPointer == p);
  REQUIRE(poolUse(pool) >= 4096 && poolUse(hostDefault) == 0);
  OK(cudaFreeAsync(p, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(poolUse(pool) == 0);

  // The created pool made the host's current one; cudaMallocAsync still takes device memory.
  OK(cudaMemSetMemPool(&host, cudaMemAllocationTypePinned, pool));
  OK(cudaMemGetMemPool(&same, &host, cudaMemAllocationTypePinned));
  REQUIRE(same == pool);
  OK(cudaDeviceGetMemPool(&same, 0));
  REQUIRE(same == deviceDefault);
  EXPECT(cudaMemSetMemPool(&device, cudaMemAllocationTypePinned, pool), cudaErrorInvalidValue);
  EXPECT(cudaDeviceSetMemPool(0, pool), cudaErrorInvalidValue);
  OK(cudaMemPoolDestroy(pool)); // the host's current pool is its default one again
  OK(cudaMemGetMemPool(&same, &host, cudaMemAllocationTypePinned));
  REQUIRE(same == hostDefault);

  // A pool on NUMA node 0, which every Linux machine has; no pool on a node it lacks, or on
  // "the current node", or a host pool with IPC handles.
  props.location = {cudaMemLocationTypeHostNuma, 0};
  OK(cudaMemPoolCreate(&pool, &props));
  OK(cudaMallocFromPoolAsync(reinterpret_cast<void**>(&p), 256, pool, stream));
  OK(cudaStreamSynchronize(stream));
  p[255] = 1;
  OK(cudaPointerGetAttributes(&a, p));
  REQUIRE(a.type == cudaMemoryTypeHost);
  OK(cudaFreeAsync(p, stream));
  OK(cudaMemPoolDestroy(pool)); // goes once the stream reaches the free
  props.location = {cudaMemLocationTypeHostNuma, 4096};
  EXPECT(cudaMemPoolCreate(&pool, &props), cudaErrorInvalidValue);
  EXPECT(cudaMemGetMemPool(&same, &props.location, cudaMemAllocationTypePinned),
         cudaErrorInvalidValue);
  props.location = {cudaMemLocationTypeHostNumaCurrent, 0};
  EXPECT(cudaMemPoolCreate(&pool, &props), cudaErrorInvalidValue);
  props.location = host;
  props.handleTypes = cudaMemHandleTypePosixFileDescriptor;
  EXPECT(cudaMemPoolCreate(&pool, &props), cudaErrorInvalidValue);

  // A pool no larger than its maximum size: an allocation past it fails, the pool stays usable.
  props.handleTypes = cudaMemHandleTypeNone;
  props.maxSize = 2 << 20;
  OK(cudaMemPoolCreate(&pool, &props));
  EXPECT(cudaMallocFromPoolAsync(reinterpret_cast<void**>(&p), 4 << 20, pool, stream),
         cudaErrorMemoryAllocation);
  cudaGetLastError();
  OK(cudaMallocFromPoolAsync(reinterpret_cast<void**>(&p), 1 << 20, pool, stream));
  OK(cudaFreeAsync(p, stream));
  OK(cudaStreamSynchronize(stream));
  OK(cudaMemPoolDestroy(pool));

  // Managed memory from the managed pool with no preferred location: every processor's.
  cudaMemLocation nowhere = {cudaMemLocationTypeNone, 0};
  cudaMemPool_t managed = nullptr;
  OK(cudaMemGetDefaultMemPool(&managed, &nowhere, cudaMemAllocationTypeManaged));
  REQUIRE(managed && managed != hostDefault && managed != deviceDefault);
  EXPECT(cudaMemGetDefaultMemPool(&same, &nowhere, cudaMemAllocationTypePinned),
         cudaErrorInvalidValue);
  int* m = nullptr;
  OK(cudaMallocFromPoolAsync(reinterpret_cast<void**>(&m), 1024, managed, stream));
  OK(cudaMemsetAsync(m, 0, 1024, stream));
  OK(cudaStreamSynchronize(stream));
  m[0] += 5;
  REQUIRE(m[0] == 5 && m[255] == 0);
  OK(cudaPointerGetAttributes(&a, m));
  REQUIRE(a.type == cudaMemoryTypeManaged && a.hostPointer == m && a.devicePointer == m);
  OK(cudaFreeAsync(m, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(poolUse(managed) == 0);
  OK(cudaStreamDestroy(stream));
  cudaGetLastError();
  std::printf("host pools ok\n");
  return 0;
}

// Stream priorities: the range, clamping into it, and what a stream reports.
static int priorities() {
  int least = 1, greatest = 1;
  OK(cudaDeviceGetStreamPriorityRange(&least, &greatest));
  REQUIRE(least == 0 && greatest == -5);
  cudaStream_t high, low, clamped;
  OK(cudaStreamCreateWithPriority(&high, cudaStreamNonBlocking, greatest));
  OK(cudaStreamCreateWithPriority(&low, cudaStreamDefault, least));
  OK(cudaStreamCreateWithPriority(&clamped, cudaStreamDefault, -100));
  int priority = 1;
  unsigned flags = 99;
  OK(cudaStreamGetPriority(high, &priority));
  REQUIRE(priority == -5);
  OK(cudaStreamGetFlags(high, &flags));
  REQUIRE(flags == cudaStreamNonBlocking);
  OK(cudaStreamGetPriority(low, &priority));
  REQUIRE(priority == 0);
  OK(cudaStreamGetFlags(low, &flags));
  REQUIRE(flags == cudaStreamDefault);
  OK(cudaStreamGetPriority(clamped, &priority));
  REQUIRE(priority == -5);
  // Ids are the streams' own; attributes are kept per stream and copied between streams.
  unsigned long long idHigh = 0, idLow = 0, idAgain = 0, idLegacy = 0;
  OK(cudaStreamGetId(high, &idHigh));
  OK(cudaStreamGetId(low, &idLow));
  OK(cudaStreamGetId(high, &idAgain));
  OK(cudaStreamGetId(cudaStreamLegacy, &idLegacy));
  REQUIRE(idHigh != idLow && idHigh == idAgain && idLegacy != idHigh && idLegacy != idLow);
  int device = -1;
  OK(cudaStreamGetDevice(high, &device));
  REQUIRE(device == 0);
  cudaLaunchAttributeValue value = {};
  OK(cudaStreamGetAttribute(high, cudaLaunchAttributePriority, &value));
  REQUIRE(value.priority == -5);
  value = {};
  value.syncPolicy = cudaSyncPolicyBlockingSync;
  OK(cudaStreamSetAttribute(low, cudaLaunchAttributeSynchronizationPolicy, &value));
  OK(cudaStreamCopyAttributes(clamped, low));
  value = {};
  OK(cudaStreamGetAttribute(clamped, cudaLaunchAttributeSynchronizationPolicy, &value));
  REQUIRE(value.syncPolicy == cudaSyncPolicyBlockingSync);
  int largestWindow = 0;
  OK(cudaDeviceGetAttribute(&largestWindow, cudaDevAttrMaxAccessPolicyWindowSize, 0));
  value = {};
  value.accessPolicyWindow.num_bytes = size_t(largestWindow) + 1;
  value.accessPolicyWindow.hitProp = cudaAccessPropertyNormal;
  value.accessPolicyWindow.missProp = cudaAccessPropertyStreaming;
  EXPECT(cudaStreamSetAttribute(low, cudaLaunchAttributeAccessPolicyWindow, &value),
         cudaErrorInvalidValue); // larger than the device allows
  // Work on both still runs in each stream's order.
  std::vector<char> out(1 << 16);
  char* buffer = nullptr;
  OK(cudaMalloc(&buffer, out.size()));
  OK(cudaMemsetAsync(buffer, 3, out.size(), low));
  cudaEvent_t done;
  OK(cudaEventCreateWithFlags(&done, cudaEventDisableTiming));
  OK(cudaEventRecord(done, low));
  OK(cudaStreamWaitEvent(high, done, 0));
  OK(cudaMemcpyAsync(out.data(), buffer, out.size(), cudaMemcpyDeviceToHost, high));
  OK(cudaStreamSynchronize(high));
  REQUIRE(out[0] == 3 && out.back() == 3);
  float ms = 0;
  EXPECT(cudaEventElapsedTime(&ms, done, done), cudaErrorInvalidResourceHandle);
  OK(cudaEventDestroy(done));
  OK(cudaFree(buffer));
  for (cudaStream_t s : {high, low, clamped})
    OK(cudaStreamDestroy(s));
  cudaGetLastError();
  std::printf("priorities ok\n");
  return 0;
}

int main(int argc, char** argv) {
  const char* section = argc > 1 ? argv[1] : "";
  if (!std::strcmp(section, "devices"))
    return devices();
  if (!std::strcmp(section, "memory"))
    return memory();
  if (!std::strcmp(section, "streams"))
    return streams();
  if (!std::strcmp(section, "pageable"))
    return pageable();
  if (!std::strcmp(section, "calls"))
    return programCalls();
  if (!std::strcmp(section, "unimplemented"))
    return unimplemented();
  if (!std::strcmp(section, "batches"))
    return batches();
  if (!std::strcmp(section, "user-objects"))
    return user_objects();
  if (!std::strcmp(section, "pitched"))
    return pitched();
  if (!std::strcmp(section, "pointers"))
    return pointers();
  if (!std::strcmp(section, "pools"))
    return pools();
  if (!std::strcmp(section, "host-pools"))
    return hostPools();
  if (!std::strcmp(section, "priorities"))
    return priorities();
  std::printf("usage: runtime_api "
              "devices|memory|streams|pageable|calls|user-objects|unimplemented|pitched|batches|"
              "pointers|pools|host-pools|priorities\n");
  return 2;
}

// Calls about where memory lives and what its links can do, and the runtime's error log.
// Run as `memory_hints SECTION`; prints what it saw and exits non-zero on the first surprise.
#include "Check.cuh"

#include <cstdio>
#include <cstring>
#include <cuda_runtime.h>
#include <string>

// Host atomics: every operation CUDA defines has an answer; 32- and 64-bit integer atomics are
// native on the link; bad operations, counts and devices are refused.
static int atomics() {
  const cudaAtomicOperation operations[] = {cudaAtomicOperationIntegerAdd, cudaAtomicOperationCAS,
                                            cudaAtomicOperationFloatAdd};
  unsigned caps[3] = {};
  OK(cudaDeviceGetHostAtomicCapabilities(caps, operations, 3, 0));
  const unsigned integer64 = cudaAtomicCapabilityScalar32 | cudaAtomicCapabilityScalar64 |
                             cudaAtomicCapabilitySigned | cudaAtomicCapabilityUnsigned;
  REQUIRE((caps[0] & integer64) == integer64);
  REQUIRE((caps[1] & integer64) == integer64);
  REQUIRE(caps[2] & cudaAtomicCapabilityScalar32);
  int native = 0;
  OK(cudaDeviceGetAttribute(&native, cudaDevAttrHostNativeAtomicSupported, 0));
  REQUIRE(native == 1); // the attribute agrees: all of them are native
  const cudaAtomicOperation bad[] = {static_cast<cudaAtomicOperation>(99)};
  EXPECT(cudaDeviceGetHostAtomicCapabilities(caps, bad, 1, 0), cudaErrorInvalidValue);
  EXPECT(cudaDeviceGetHostAtomicCapabilities(caps, operations, 0, 0), cudaErrorInvalidValue);
  EXPECT(cudaDeviceGetHostAtomicCapabilities(nullptr, operations, 1, 0), cudaErrorInvalidValue);
  EXPECT(cudaDeviceGetHostAtomicCapabilities(caps, operations, 1, 99), cudaErrorInvalidDevice);
  // A device is no peer of itself.
  EXPECT(cudaDeviceGetP2PAtomicCapabilities(caps, operations, 1, 0, 0), cudaErrorInvalidDevice);
  EXPECT(cudaDeviceGetP2PAtomicCapabilities(caps, operations, 1, 0, 99), cudaErrorInvalidDevice);
  cudaGetLastError();
  std::printf("atomics ok\n");
  return 0;
}

static int lastPrefetch(const void* p, size_t size) {
  int where = -7;
  OK(cudaMemRangeGetAttribute(&where, sizeof where, cudaMemRangeAttributeLastPrefetchLocation,
                              const_cast<void*>(p), size));
  return where;
}

// Batches of prefetches: each location applies from its index to the next one's; a discard
// leaves the range usable; bad batches are refused whole.
static int prefetchBatches() {
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  const size_t page = 4096;
  char* managed = nullptr;
  OK(cudaMallocManaged(&managed, 3 * page));
  void* ranges[] = {managed, managed + page, managed + 2 * page};
  size_t sizes[] = {page, page, page};
  cudaMemLocation locations[] = {{cudaMemLocationTypeDevice, 0}, {cudaMemLocationTypeHost, 0}};
  size_t starts[] = {0, 2};
  OK(cudaMemPrefetchBatchAsync(ranges, sizes, 3, locations, starts, 2, 0, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(lastPrefetch(managed, 2 * page) == 0);
  REQUIRE(lastPrefetch(managed + 2 * page, page) == cudaCpuDeviceId);

  // Discarding, then writing, gives usable memory again.
  OK(cudaMemDiscardBatchAsync(ranges, sizes, 3, 0, stream));
  OK(cudaMemsetAsync(managed, 5, 3 * page, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(managed[0] == 5 && managed[3 * page - 1] == 5);
  size_t one[] = {0};
  OK(cudaMemDiscardAndPrefetchBatchAsync(ranges, sizes, 3, locations + 1, one, 1, 0, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(lastPrefetch(managed, 3 * page) == cudaCpuDeviceId);

  size_t badStarts[] = {1, 2};
  EXPECT(cudaMemPrefetchBatchAsync(ranges, sizes, 3, locations, badStarts, 2, 0, stream),
         cudaErrorInvalidValue); // the first index must be 0
  size_t unordered[] = {0, 0};
  EXPECT(cudaMemPrefetchBatchAsync(ranges, sizes, 3, locations, unordered, 2, 0, stream),
         cudaErrorInvalidValue);
  EXPECT(cudaMemPrefetchBatchAsync(ranges, sizes, 3, locations, starts, 4, 0, stream),
         cudaErrorInvalidValue); // more locations than ranges
  EXPECT(cudaMemDiscardBatchAsync(ranges, sizes, 3, 1, stream), cudaErrorInvalidValue);
  EXPECT(cudaMemDiscardBatchAsync(ranges, sizes, 0, 0, stream), cudaErrorInvalidValue);
  EXPECT(cudaMemDiscardBatchAsync(ranges, sizes, 3, 0, cudaStreamLegacy), cudaErrorInvalidValue);
  cudaMemLocation nowhere[] = {{cudaMemLocationTypeDevice, 99}};
  EXPECT(cudaMemDiscardAndPrefetchBatchAsync(ranges, sizes, 3, nowhere, one, 1, 0, stream),
         cudaErrorInvalidDevice);
  // A refused batch changed nothing.
  REQUIRE(lastPrefetch(managed, 3 * page) == cudaCpuDeviceId);
  cudaGetLastError();
  OK(cudaFree(managed));
  OK(cudaStreamDestroy(stream));
  std::printf("prefetch batches ok\n");
  return 0;
}

static int callbackCalls = 0;
static std::string callbackMessage;
static void CUDART_CB onLog(void* data, cudaLogLevel level, char* message, size_t length) {
  ++*static_cast<int*>(data);
  callbackCalls += level == cudaLogLevelError;
  callbackMessage.assign(message, length);
}

// DRAWBRIDGE-ONLY(logs): what the log holds is each runtime's own text; this section checks
// that Drawbridge's error messages reach it.
static int logs() {
  cudaLogIterator start = 0;
  OK(cudaLogsCurrent(&start, 0));
  EXPECT(cudaLogsCurrent(&start, 1), cudaErrorInvalidValue);
  char buffer[4096];
  size_t size = sizeof buffer;
  OK(cudaLogsDumpToMemory(&start, buffer, &size, 0));
  REQUIRE(size == 0); // nothing new yet

  int calls = 0;
  cudaLogsCallbackHandle handle = nullptr;
  OK(cudaLogsRegisterCallback(onLog, &calls, &handle));
  REQUIRE(handle != nullptr);
  // A call Drawbridge refuses explains itself on stderr, in the log and to the callback.
  EXPECT(cudaGraphicsUnregisterResource(nullptr), cudaErrorNotSupported);
  REQUIRE(calls == 1 && callbackCalls == 1);
  REQUIRE(callbackMessage.find("cudaGraphicsUnregisterResource") != std::string::npos);

  cudaLogIterator it = start;
  size = sizeof buffer;
  OK(cudaLogsDumpToMemory(&it, buffer, &size, 0));
  REQUIRE(size == std::strlen(buffer) && size > 0 && buffer[size - 1] == '\n');
  REQUIRE(std::string(buffer) == callbackMessage + "\n");
  size = sizeof buffer;
  OK(cudaLogsDumpToMemory(&it, buffer, &size, 0)); // the iterator moved past it
  REQUIRE(size == 0);
  size = 4;
  it = start;
  EXPECT(cudaLogsDumpToMemory(&it, buffer, &size, 0), cudaErrorInvalidValue); // too small
  REQUIRE(size == 0);

  const char* path = "memory_hints.log";
  it = start;
  OK(cudaLogsDumpToFile(&it, path, 0));
  std::FILE* file = std::fopen(path, "r");
  REQUIRE(file != nullptr);
  size_t read = std::fread(buffer, 1, sizeof buffer - 1, file);
  std::fclose(file);
  std::remove(path);
  buffer[read] = '\0';
  REQUIRE(std::string(buffer) == callbackMessage + "\n");

  OK(cudaLogsUnregisterCallback(handle));
  EXPECT(cudaLogsUnregisterCallback(handle), cudaErrorInvalidValue);
  EXPECT(cudaGraphicsMapResources(0, nullptr, 0), cudaErrorNotSupported);
  REQUIRE(calls == 1); // no longer called
  OK(cudaLogsCurrent(&it, 0));
  REQUIRE(it == start + 2);
  cudaGetLastError();
  std::printf("logs ok\n");
  return 0;
}

int main(int argc, char** argv) {
  const char* section = argc > 1 ? argv[1] : "";
  if (!std::strcmp(section, "atomics"))
    return atomics();
  if (!std::strcmp(section, "prefetch-batches"))
    return prefetchBatches();
  if (!std::strcmp(section, "logs"))
    return logs();
  std::printf("usage: memory_hints atomics|prefetch-batches|logs\n");
  return 2;
}

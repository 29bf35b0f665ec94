// CUDA IPC between processes: device memory, events and memory pools shared with a child
// process, and external memory. Run as `ipc SECTION`; the program starts itself again
// (`ipc child-SECTION FD`) as the other process, and the two exchange handles and
// acknowledgements over a socket pair. Prints "SECTION ok" and exits 0, or prints what went
// wrong and exits non-zero.
#include "Check.cuh"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cuda_runtime.h>
#include <spawn.h>
#include <string>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

__global__ void fill(float* p, int n, float base) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    p[i] = base + float(i % 1000);
}

__global__ void fetchLevel(cudaTextureObject_t sampler, float u, float v, float level, float* out) {
  *out = tex2DLod<float>(sampler, u, v, level);
}

__global__ void addOne(float* p, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    p[i] += 1.0f;
}

static int blocks(int n) {
  return (n + 255) / 256;
}

// Whether every element is base + i % 1000 (what `fill`, then `adds` times `addOne`, leave).
static bool holds(const float* device, int n, float base) {
  std::vector<float> host(size_t(n), -1.0f);
  OK(cudaMemcpy(host.data(), device, size_t(n) * sizeof(float), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i)
    if (host[size_t(i)] != base + float(i % 1000)) {
      std::printf("element %d is %g, expected %g\n", i, double(host[size_t(i)]),
                  double(base + float(i % 1000)));
      return false;
    }
  return true;
}

// The other process: this program again, with the child's section and its end of the socket.
struct Child {
  pid_t pid = -1;
  int socket = -1; // the parent's end
};

static Child spawnChild(const char* section) {
  int ends[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) == 0);
  int childEnd = dup(ends[1]); // without close-on-exec: the child inherits it
  REQUIRE(childEnd >= 0);
  close(ends[1]);
  std::string fd = std::to_string(childEnd);
  char self[] = "/proc/self/exe";
  std::string name = std::string("child-") + section;
  char* argv[] = {self, name.data(), fd.data(), nullptr};
  Child child;
  REQUIRE(posix_spawn(&child.pid, self, nullptr, nullptr, argv, environ) == 0);
  close(childEnd);
  child.socket = ends[0];
  return child;
}

static void finish(Child& child) {
  int status = 0;
  REQUIRE(waitpid(child.pid, &status, 0) == child.pid);
  close(child.socket);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::printf("FAIL: the child process failed (status %d)\n", status);
    std::exit(1);
  }
}

template <typename T> static void send(int socket, const T& value) {
  REQUIRE(write(socket, &value, sizeof value) == ssize_t(sizeof value));
}

template <typename T> static T receive(int socket) {
  T value;
  size_t got = 0;
  while (got < sizeof value) {
    ssize_t n = read(socket, reinterpret_cast<char*>(&value) + got, sizeof value - got);
    REQUIRE(n > 0);
    got += size_t(n);
  }
  return value;
}

// A file descriptor travels as SCM_RIGHTS ancillary data, beside one byte.
struct DescriptorMessage {
  char byte = 'f';
  iovec io{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};

  DescriptorMessage() {
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
  }
  DescriptorMessage(const DescriptorMessage&) = delete; // the header points into it
};

static void sendDescriptor(int socket, int fd) {
  DescriptorMessage sent;
  cmsghdr* header = CMSG_FIRSTHDR(&sent.message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(header), &fd, sizeof fd);
  REQUIRE(sendmsg(socket, &sent.message, 0) == 1);
}

static int receiveDescriptor(int socket) {
  DescriptorMessage received;
  REQUIRE(recvmsg(socket, &received.message, 0) == 1);
  cmsghdr* header = CMSG_FIRSTHDR(&received.message);
  REQUIRE(header && header->cmsg_type == SCM_RIGHTS);
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(header), sizeof fd);
  return fd;
}

// Memory: a small allocation and a large one (the CPU device keeps them differently) written by
// the parent, opened, checked and changed by the child, and read back by the parent.
static const int kSmall = 1000, kLarge = 3 << 20;
struct MemoryHandles {
  cudaIpcMemHandle_t small, large;
};

static int memory() {
  float *small = nullptr, *large = nullptr;
  OK(cudaMalloc(&small, kSmall * sizeof(float)));
  OK(cudaMalloc(&large, kLarge * sizeof(float)));
  fill<<<blocks(kSmall), 256>>>(small, kSmall, 10.0f);
  fill<<<blocks(kLarge), 256>>>(large, kLarge, 20.0f);
  OK(cudaDeviceSynchronize());
  MemoryHandles handles;
  OK(cudaIpcGetMemHandle(&handles.small, small));
  OK(cudaIpcGetMemHandle(&handles.large, large));
  Child child = spawnChild("memory");
  send(child.socket, handles);
  finish(child);
  REQUIRE(holds(small, kSmall, 11.0f));
  REQUIRE(holds(large, kLarge, 21.0f));
  OK(cudaFree(small));
  OK(cudaFree(large));
  std::printf("memory ok\n");
  return 0;
}

static int childMemory(int socket) {
  auto handles = receive<MemoryHandles>(socket);
  float *small = nullptr, *large = nullptr, *again = nullptr;
  OK(cudaIpcOpenMemHandle(reinterpret_cast<void**>(&small), handles.small,
                          cudaIpcMemLazyEnablePeerAccess));
  OK(cudaIpcOpenMemHandle(reinterpret_cast<void**>(&large), handles.large,
                          cudaIpcMemLazyEnablePeerAccess));
  // Opened twice in one process: the same address, counted.
  OK(cudaIpcOpenMemHandle(reinterpret_cast<void**>(&again), handles.small,
                          cudaIpcMemLazyEnablePeerAccess));
  REQUIRE(again == small);
  OK(cudaIpcCloseMemHandle(again));
  cudaPointerAttributes attributes{};
  OK(cudaPointerGetAttributes(&attributes, large + 5));
  REQUIRE(attributes.type == cudaMemoryTypeDevice);
  REQUIRE(holds(small, kSmall, 10.0f));
  REQUIRE(holds(large, kLarge, 20.0f));
  addOne<<<blocks(kSmall), 256>>>(small, kSmall);
  addOne<<<blocks(kLarge), 256>>>(large, kLarge);
  OK(cudaDeviceSynchronize());
  OK(cudaIpcCloseMemHandle(small));
  OK(cudaIpcCloseMemHandle(large));
  return 0;
}

// Events: the child waits for work of the parent's (held back by a host function until the
// child has seen it unfinished), and the parent for work of the child's.
static const int kEventElements = 4096;
static std::atomic<bool> released{false};

static void CUDART_CB holdBack(void*) {
  while (!released.load())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

static int events() {
  float* buffer = nullptr;
  OK(cudaMalloc(&buffer, kEventElements * sizeof(float)));
  cudaEvent_t event;
  OK(cudaEventCreateWithFlags(&event, cudaEventInterprocess | cudaEventDisableTiming));
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  OK(cudaLaunchHostFunc(stream, holdBack, nullptr));
  fill<<<blocks(kEventElements), 256, 0, stream>>>(buffer, kEventElements, 7.0f);
  OK(cudaEventRecord(event, stream));
  cudaIpcMemHandle_t memoryHandle;
  cudaIpcEventHandle_t eventHandle;
  OK(cudaIpcGetMemHandle(&memoryHandle, buffer));
  OK(cudaIpcGetEventHandle(&eventHandle, event));
  Child child = spawnChild("events");
  send(child.socket, memoryHandle);
  send(child.socket, eventHandle);
  REQUIRE(receive<char>(child.socket) == 'q'); // the child found the event not ready
  released = true;
  REQUIRE(receive<char>(child.socket) == 'r'); // the child recorded the event after its work
  OK(cudaEventSynchronize(event));
  REQUIRE(holds(buffer, kEventElements, 8.0f));
  send(child.socket, 'd');
  finish(child);
  OK(cudaStreamDestroy(stream));
  OK(cudaEventDestroy(event));
  OK(cudaFree(buffer));
  std::printf("events ok\n");
  return 0;
}

static int childEvents(int socket) {
  auto memoryHandle = receive<cudaIpcMemHandle_t>(socket);
  auto eventHandle = receive<cudaIpcEventHandle_t>(socket);
  float* buffer = nullptr;
  OK(cudaIpcOpenMemHandle(reinterpret_cast<void**>(&buffer), memoryHandle,
                          cudaIpcMemLazyEnablePeerAccess));
  cudaEvent_t event;
  OK(cudaIpcOpenEventHandle(&event, eventHandle));
  EXPECT(cudaEventQuery(event), cudaErrorNotReady); // the parent's host function holds it
  float* copy = nullptr;
  OK(cudaMalloc(&copy, kEventElements * sizeof(float)));
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  // Queued behind the parent's fill, before the parent lets it run.
  OK(cudaStreamWaitEvent(stream, event, 0));
  OK(cudaMemcpyAsync(copy, buffer, kEventElements * sizeof(float), cudaMemcpyDeviceToDevice,
                     stream));
  send(socket, 'q');
  OK(cudaEventSynchronize(event));
  OK(cudaEventQuery(event));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(holds(copy, kEventElements, 7.0f));
  // An imported event is untimed, as one created with cudaEventDisableTiming.
  float ms = 0;
  EXPECT(cudaEventElapsedTime(&ms, event, event), cudaErrorInvalidResourceHandle);
  addOne<<<blocks(kEventElements), 256, 0, stream>>>(buffer, kEventElements);
  OK(cudaEventRecord(event, stream));
  send(socket, 'r');
  REQUIRE(receive<char>(socket) == 'd');
  OK(cudaStreamDestroy(stream));
  OK(cudaEventDestroy(event));
  OK(cudaFree(copy));
  OK(cudaIpcCloseMemHandle(buffer));
  return 0;
}

// Memory pools shared by file descriptor: the parent's pool and two of its allocations,
// imported by the child, which changes them; pools without the handle type do not export.
static const int kPoolElements = 5000;
struct PoolPointers {
  cudaMemPoolPtrExportData a, b;
};

static int pools() {
  int types = 0;
  OK(cudaDeviceGetAttribute(&types, cudaDevAttrMemoryPoolSupportedHandleTypes, 0));
  REQUIRE(types & cudaMemHandleTypePosixFileDescriptor);
  cudaMemPoolProps props{};
  props.allocType = cudaMemAllocationTypePinned;
  props.handleTypes = cudaMemHandleTypePosixFileDescriptor;
  props.location.type = cudaMemLocationTypeDevice;
  props.location.id = 0;
  cudaMemPool_t pool;
  OK(cudaMemPoolCreate(&pool, &props));
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  float *a = nullptr, *b = nullptr;
  OK(cudaMallocFromPoolAsync(&a, kPoolElements * sizeof(float), pool, stream));
  OK(cudaMallocFromPoolAsync(&b, kPoolElements * sizeof(float), pool, stream));
  fill<<<blocks(kPoolElements), 256, 0, stream>>>(a, kPoolElements, 30.0f);
  fill<<<blocks(kPoolElements), 256, 0, stream>>>(b, kPoolElements, 40.0f);
  OK(cudaStreamSynchronize(stream));
  int fd = -1;
  OK(cudaMemPoolExportToShareableHandle(&fd, pool, cudaMemHandleTypePosixFileDescriptor, 0));
  REQUIRE(fd >= 0);
  PoolPointers pointers;
  OK(cudaMemPoolExportPointer(&pointers.a, a));
  OK(cudaMemPoolExportPointer(&pointers.b, b));
  Child child = spawnChild("pools");
  sendDescriptor(child.socket, fd);
  close(fd);
  send(child.socket, pointers);
  finish(child);
  REQUIRE(holds(a, kPoolElements, 31.0f));
  REQUIRE(holds(b, kPoolElements, 41.0f));

  cudaMemPool_t plain;
  props.handleTypes = cudaMemHandleTypeNone;
  OK(cudaMemPoolCreate(&plain, &props));
  EXPECT(cudaMemPoolExportToShareableHandle(&fd, plain, cudaMemHandleTypePosixFileDescriptor, 0),
         cudaErrorInvalidValue);
  float* c = nullptr;
  OK(cudaMallocFromPoolAsync(&c, 256, plain, stream));
  cudaMemPoolPtrExportData data;
  EXPECT(cudaMemPoolExportPointer(&data, c), cudaErrorInvalidValue);
  OK(cudaFreeAsync(c, stream));
  OK(cudaFreeAsync(a, stream));
  OK(cudaFreeAsync(b, stream));
  OK(cudaStreamSynchronize(stream));
  OK(cudaMemPoolDestroy(plain));
  OK(cudaMemPoolDestroy(pool));
  OK(cudaStreamDestroy(stream));
  cudaGetLastError();
  std::printf("pools ok\n");
  return 0;
}

static int childPools(int socket) {
  int fd = receiveDescriptor(socket);
  auto pointers = receive<PoolPointers>(socket);
  cudaMemPool_t pool;
  OK(cudaMemPoolImportFromShareableHandle(&pool, reinterpret_cast<void*>(uintptr_t(fd)),
                                          cudaMemHandleTypePosixFileDescriptor, 0));
  float *a = nullptr, *b = nullptr;
  OK(cudaMemPoolImportPointer(reinterpret_cast<void**>(&a), pool, &pointers.a));
  OK(cudaMemPoolImportPointer(reinterpret_cast<void**>(&b), pool, &pointers.b));
  REQUIRE(holds(a, kPoolElements, 30.0f));
  REQUIRE(holds(b, kPoolElements, 40.0f));
  addOne<<<blocks(kPoolElements), 256>>>(a, kPoolElements);
  addOne<<<blocks(kPoolElements), 256>>>(b, kPoolElements);
  OK(cudaDeviceSynchronize());
  void* more = nullptr; // an imported pool makes no allocations of its own
  EXPECT(cudaMallocFromPoolAsync(&more, 256, pool, 0), cudaErrorInvalidValue);
  OK(cudaFree(a));
  OK(cudaFree(b));
  OK(cudaMemPoolDestroy(pool));
  return 0;
}

// Mipmapped arrays laid over external memory at `kArrays`: two mappings of one offset share their
// texels, which lie in the memory object in Drawbridge's array layout (each level's rows tightly
// packed, levels one after another at 256-byte boundaries), and textures sample them. A mapping
// the program does not free goes with the memory (checked by the caller after the destroy).
static cudaMipmappedArray_t leftMapped;

static void externalMipmaps(cudaExternalMemory_t memory, int view) {
  const size_t kArrays = 128 << 10, kSide = 64;
  cudaExternalMemoryMipmappedArrayDesc desc{};
  desc.offset = kArrays + 4; // not at an array boundary
  desc.formatDesc = cudaCreateChannelDesc<float>();
  desc.extent = make_cudaExtent(kSide, kSide, 0);
  desc.numLevels = 7;
  cudaMipmappedArray_t first, second;
  EXPECT(cudaExternalMemoryGetMappedMipmappedArray(&first, memory, &desc), cudaErrorInvalidValue);
  desc.offset = (1 << 20) - 256; // the levels would run past the end
  EXPECT(cudaExternalMemoryGetMappedMipmappedArray(&first, memory, &desc), cudaErrorInvalidValue);
  desc.offset = kArrays;
  OK(cudaExternalMemoryGetMappedMipmappedArray(&first, memory, &desc));
  OK(cudaExternalMemoryGetMappedMipmappedArray(&second, memory, &desc));
  cudaArray_t written, read;
  OK(cudaGetMipmappedArrayLevel(&written, first, 1));
  OK(cudaGetMipmappedArrayLevel(&read, second, 1));
  const size_t side = kSide / 2, row = side * sizeof(float);
  std::vector<float> texels(side * side), back(side * side);
  for (size_t i = 0; i < texels.size(); ++i)
    texels[i] = 0.5f * float(i);
  OK(cudaMemcpy2DToArray(written, 0, 0, texels.data(), row, row, side, cudaMemcpyHostToDevice));
  OK(cudaMemcpy2DFromArray(back.data(), row, read, 0, 0, row, side, cudaMemcpyDeviceToHost));
  REQUIRE(back == texels);
  std::vector<float> inMemory(side * side);
  off_t level1 = off_t(kArrays + kSide * kSide * sizeof(float));
  REQUIRE(pread(view, inMemory.data(), row * side, level1) == ssize_t(row * side));
  REQUIRE(inMemory == texels);

  cudaResourceDesc resource{};
  resource.resType = cudaResourceTypeMipmappedArray;
  resource.res.mipmap.mipmap = second;
  cudaTextureDesc sampling{};
  sampling.normalizedCoords = 1;
  sampling.filterMode = cudaFilterModePoint;
  sampling.mipmapFilterMode = cudaFilterModePoint;
  sampling.maxMipmapLevelClamp = 6;
  cudaTextureObject_t sampler;
  OK(cudaCreateTextureObject(&sampler, &resource, &sampling, nullptr));
  float* out;
  OK(cudaMalloc(&out, sizeof(float)));
  const size_t x = 5, y = 3; // a texel of level 1
  fetchLevel<<<1, 1>>>(sampler, (float(x) + 0.5f) / float(side), (float(y) + 0.5f) / float(side),
                       1.0f, out);
  float fetched = 0;
  OK(cudaMemcpy(&fetched, out, sizeof(float), cudaMemcpyDeviceToHost));
  REQUIRE(fetched == texels[y * side + x]);
  OK(cudaDestroyTextureObject(sampler));
  OK(cudaFree(out));
  OK(cudaFreeMipmappedArray(first));
  leftMapped = second;
}

// DRAWBRIDGE-ONLY(external): external memory from a memfd the program made. NVIDIA's runtime
// imports opaque descriptors that Vulkan or the driver exported, which a test program without
// either cannot make; on Drawbridge any mappable memory object is one.
static int external() {
  const size_t bytes = 1 << 20, offset = 4096;
  const int n = 16384;
  int fd = memfd_create("ipc-external", MFD_CLOEXEC);
  REQUIRE(fd >= 0 && ftruncate(fd, off_t(bytes)) == 0);
  std::vector<float> host(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    host[size_t(i)] = 50.0f + float(i % 1000);
  REQUIRE(pwrite(fd, host.data(), n * sizeof(float), off_t(offset)) == ssize_t(n * sizeof(float)));
  int view = dup(fd); // the program's own look at the object; the import takes `fd`
  cudaExternalMemoryHandleDesc desc{};
  desc.type = cudaExternalMemoryHandleTypeOpaqueWin32;
  desc.size = bytes;
  cudaExternalMemory_t memory;
  EXPECT(cudaImportExternalMemory(&memory, &desc), cudaErrorNotSupported);
  desc.type = cudaExternalMemoryHandleTypeOpaqueFd;
  desc.handle.fd = -1;
  EXPECT(cudaImportExternalMemory(&memory, &desc), cudaErrorInvalidValue);
  desc.handle.fd = fd;
  desc.size = bytes * 2; // larger than the object
  EXPECT(cudaImportExternalMemory(&memory, &desc), cudaErrorInvalidValue);
  desc.size = bytes;
  OK(cudaImportExternalMemory(&memory, &desc));
  cudaExternalMemoryBufferDesc buffer{};
  buffer.offset = offset;
  buffer.size = bytes; // past the end
  float* p = nullptr;
  EXPECT(cudaExternalMemoryGetMappedBuffer(reinterpret_cast<void**>(&p), memory, &buffer),
         cudaErrorInvalidValue);
  buffer.size = n * sizeof(float);
  OK(cudaExternalMemoryGetMappedBuffer(reinterpret_cast<void**>(&p), memory, &buffer));
  cudaPointerAttributes attributes{};
  OK(cudaPointerGetAttributes(&attributes, p));
  REQUIRE(attributes.type == cudaMemoryTypeDevice);
  REQUIRE(holds(p, n, 50.0f));
  addOne<<<blocks(n), 256>>>(p, n);
  OK(cudaDeviceSynchronize());
  std::vector<float> seen(static_cast<size_t>(n));
  REQUIRE(pread(view, seen.data(), n * sizeof(float), off_t(offset)) == ssize_t(n * sizeof(float)));
  for (int i = 0; i < n; ++i)
    REQUIRE(seen[size_t(i)] == 51.0f + float(i % 1000));
  externalMipmaps(memory, view);
  close(view);
  OK(cudaFree(p));
  OK(cudaDestroyExternalMemory(memory));
  EXPECT(cudaExternalMemoryGetMappedBuffer(reinterpret_cast<void**>(&p), memory, &buffer),
         cudaErrorInvalidResourceHandle);
  cudaArray_t level;
  EXPECT(cudaGetMipmappedArrayLevel(&level, leftMapped, 0), cudaErrorInvalidResourceHandle);
  cudaGetLastError();
  std::printf("external ok\n");
  return 0;
}

// A child made by fork() after the parent used CUDA cannot use it (NVIDIA's rule): its calls
// fail with cudaErrorInitializationError, and the parent carries on.
static int forked() {
  float* buffer = nullptr;
  OK(cudaMalloc(&buffer, 1024 * sizeof(float)));
  fill<<<blocks(1024), 256>>>(buffer, 1024, 5.0f);
  OK(cudaDeviceSynchronize());
  std::fflush(stdout);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    float host[4] = {};
    EXPECT(cudaMemcpy(host, buffer, sizeof host, cudaMemcpyDeviceToHost),
           cudaErrorInitializationError);
    EXPECT(cudaDeviceSynchronize(), cudaErrorInitializationError);
    std::fflush(stdout);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  REQUIRE(holds(buffer, 1024, 5.0f));
  OK(cudaFree(buffer));
  std::printf("fork ok\n");
  return 0;
}

// The documented refusals: missing arguments, events that are not interprocess ones, and a
// memory handle opened by the process that made it.
static int errors() {
  int supported = 0;
  OK(cudaDeviceGetAttribute(&supported, cudaDevAttrIpcEventSupport, 0));
  REQUIRE(supported == 1);
  void* p = nullptr;
  OK(cudaMalloc(&p, 256));
  cudaIpcMemHandle_t handle;
  EXPECT(cudaIpcGetMemHandle(nullptr, p), cudaErrorInvalidValue);
  EXPECT(cudaIpcGetMemHandle(&handle, nullptr), cudaErrorInvalidValue);
  OK(cudaIpcGetMemHandle(&handle, p));
  void* opened = nullptr;
  EXPECT(cudaIpcOpenMemHandle(nullptr, handle, cudaIpcMemLazyEnablePeerAccess),
         cudaErrorInvalidValue);
  EXPECT(cudaIpcOpenMemHandle(&opened, handle, cudaIpcMemLazyEnablePeerAccess),
         cudaErrorDeviceUninitialized);
  cudaEvent_t event;
  EXPECT(cudaEventCreateWithFlags(&event, cudaEventInterprocess), cudaErrorInvalidValue);
  OK(cudaEventCreate(&event));
  cudaIpcEventHandle_t eventHandle;
  EXPECT(cudaIpcGetEventHandle(&eventHandle, event), cudaErrorInvalidResourceHandle);
  OK(cudaEventDestroy(event));
  OK(cudaEventCreateWithFlags(&event, cudaEventInterprocess | cudaEventDisableTiming));
  EXPECT(cudaIpcGetEventHandle(nullptr, event), cudaErrorInvalidValue);
  OK(cudaIpcGetEventHandle(&eventHandle, event));
  float ms = 0;
  EXPECT(cudaEventElapsedTime(&ms, event, event), cudaErrorInvalidResourceHandle);
  OK(cudaEventDestroy(event));
  OK(cudaFree(p));
  cudaGetLastError();
  std::printf("errors ok\n");
  return 0;
}

// DRAWBRIDGE-ONLY(handles): NVIDIA documents which codes these calls return but not which one a
// forged or stale handle gets; these are Drawbridge's choices among the documented codes
// (garbage: cudaErrorInvalidValue; memory freed or its process gone:
// cudaErrorMapBufferObjectFailed; a pointer that was never opened: cudaErrorInvalidValue).
static int handles() {
  float* freed = nullptr;
  OK(cudaMalloc(&freed, 4096));
  cudaIpcMemHandle_t stale;
  OK(cudaIpcGetMemHandle(&stale, freed));
  OK(cudaFree(freed));
  float* live = nullptr; // likely where `freed` was: a handle names the allocation, not the place
  OK(cudaMalloc(&live, 4096));
  fill<<<blocks(1024), 256>>>(live, 1024, 3.0f);
  OK(cudaDeviceSynchronize());
  cudaIpcMemHandle_t current;
  OK(cudaIpcGetMemHandle(&current, live));
  cudaIpcMemHandle_t interior;
  OK(cudaIpcGetMemHandle(&interior, live + 100)); // the allocation that holds the address
  Child child = spawnChild("handles");
  send(child.socket, stale);
  send(child.socket, current);
  send(child.socket, interior);
  finish(child);
  OK(cudaFree(live));
  // A handle of a process that has exited.
  child = spawnChild("exporter");
  auto orphan = receive<cudaIpcMemHandle_t>(child.socket);
  auto orphanEvent = receive<cudaIpcEventHandle_t>(child.socket);
  finish(child);
  void* opened = nullptr;
  EXPECT(cudaIpcOpenMemHandle(&opened, orphan, cudaIpcMemLazyEnablePeerAccess),
         cudaErrorMapBufferObjectFailed);
  cudaEvent_t event;
  EXPECT(cudaIpcOpenEventHandle(&event, orphanEvent), cudaErrorMapBufferObjectFailed);
  cudaGetLastError();
  std::printf("handles ok\n");
  return 0;
}

static int childHandles(int socket) {
  auto stale = receive<cudaIpcMemHandle_t>(socket);
  auto current = receive<cudaIpcMemHandle_t>(socket);
  auto interior = receive<cudaIpcMemHandle_t>(socket);
  cudaIpcMemHandle_t forged;
  std::memset(&forged, 0x5a, sizeof forged);
  float* opened = nullptr;
  EXPECT(cudaIpcOpenMemHandle(reinterpret_cast<void**>(&opened), forged,
                              cudaIpcMemLazyEnablePeerAccess),
         cudaErrorInvalidValue);
  EXPECT(cudaIpcOpenMemHandle(reinterpret_cast<void**>(&opened), stale,
                              cudaIpcMemLazyEnablePeerAccess),
         cudaErrorMapBufferObjectFailed);
  cudaEvent_t event;
  cudaIpcEventHandle_t notAnEvent;
  std::memcpy(&notAnEvent, &current, sizeof notAnEvent);
  EXPECT(cudaIpcOpenEventHandle(&event, notAnEvent), cudaErrorInvalidValue);
  OK(cudaIpcOpenMemHandle(reinterpret_cast<void**>(&opened), current,
                          cudaIpcMemLazyEnablePeerAccess));
  REQUIRE(holds(opened, 1024, 3.0f));
  float* whole = nullptr;
  OK(cudaIpcOpenMemHandle(reinterpret_cast<void**>(&whole), interior,
                          cudaIpcMemLazyEnablePeerAccess));
  REQUIRE(whole == opened);
  OK(cudaIpcCloseMemHandle(whole));
  OK(cudaIpcCloseMemHandle(opened));
  EXPECT(cudaIpcCloseMemHandle(opened), cudaErrorInvalidValue);
  return 0;
}

static int childExporter(int socket) {
  void* p = nullptr;
  OK(cudaMalloc(&p, 4096));
  cudaIpcMemHandle_t handle;
  OK(cudaIpcGetMemHandle(&handle, p));
  cudaEvent_t event;
  OK(cudaEventCreateWithFlags(&event, cudaEventInterprocess | cudaEventDisableTiming));
  cudaIpcEventHandle_t eventHandle;
  OK(cudaIpcGetEventHandle(&eventHandle, event));
  send(socket, handle);
  send(socket, eventHandle);
  return 0; // exits with the memory and the event still allocated
}

int main(int argc, char** argv) {
  const char* section = argc > 1 ? argv[1] : "";
  if (!std::strncmp(section, "child-", 6) && argc > 2) {
    int socket = std::atoi(argv[2]);
    std::string role = section + 6;
    if (role == "memory")
      return childMemory(socket);
    if (role == "events")
      return childEvents(socket);
    if (role == "handles")
      return childHandles(socket);
    if (role == "pools")
      return childPools(socket);
    if (role == "exporter")
      return childExporter(socket);
  }
  if (!std::strcmp(section, "memory"))
    return memory();
  if (!std::strcmp(section, "events"))
    return events();
  if (!std::strcmp(section, "errors"))
    return errors();
  if (!std::strcmp(section, "handles"))
    return handles();
  if (!std::strcmp(section, "pools"))
    return pools();
  if (!std::strcmp(section, "external"))
    return external();
  if (!std::strcmp(section, "fork"))
    return forked();
  std::printf("usage: ipc memory|events|errors|handles|pools|external|fork\n");
  return 2;
}

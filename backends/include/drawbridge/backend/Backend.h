// The one interface between the shims and the backends (DESIGN.md, "One backend interface").
// A Backend owns its devices; a Device does memory, streams, events, modules, launches and BLAS.
// Objects a device creates are opaque handles it owns until the matching destroy call. Operations
// are thread-safe. Work on a stream runs in order; nullptr names the legacy default stream, which
// waits for all other streams of its device and which they wait for, as in CUDA. Kernel failures
// (trap, assert, bad barrier) are sticky: every later call on the device returns the same status.
#pragma once

#include "drawbridge/backend/Status.h"
#include "drawbridge/backend/Types.h"

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

namespace drawbridge::backend {

class Stream {
public:
  virtual ~Stream() = default;
};
class Event {
public:
  virtual ~Event() = default;
};
class Kernel {
public:
  virtual ~Kernel() = default;
  virtual const KernelInfo& info() const = 0;
};
class Module {
public:
  virtual ~Module() = default;
};

/// Blocking streams order with the legacy default stream (cudaStreamDefault); non-blocking
/// ones do not (cudaStreamNonBlocking).
enum class StreamKind { Blocking, NonBlocking };

/// Called on a backend thread once the work before it on its stream is done; receives the
/// stream's status (cudaStreamAddCallback) and may not call back into the device.
using HostCallback = void (*)(void* user, StatusCode status);

class Device {
public:
  virtual ~Device() = default;

  virtual const DeviceProperties& properties() const = 0;
  /// Waits for all streams; returns the sticky kernel error when there is one.
  virtual Status synchronize() = 0;

  // Memory. Addresses are valid on host and device alike.
  virtual Outcome<void*> allocate(size_t bytes, MemoryKind kind) = 0;
  virtual Status free(void* pointer) = 0;
  /// Ordered on `stream`; returns when the copy is done unless `async`.
  virtual Status copy(void* dst, const void* src, size_t bytes, Stream* stream, bool async) = 0;
  virtual Status fill(void* dst, int byte, size_t bytes, Stream* stream, bool async) = 0;

  // Memory shared with other processes (CUDA IPC). A handle names the whole device allocation
  // that contains `pointer`; another process opens it at an address of its own, and the same
  // handle opened twice in one process gives the same address (reference counted). Opening a
  // handle of this process is InvalidContext; one whose owner or memory is gone, MapFailed.
  virtual Outcome<ShareableHandle> exportMemory(const void* pointer) = 0;
  /// The opened allocation's address and size.
  virtual Outcome<std::pair<void*, size_t>> importMemory(const ShareableHandle& handle) = 0;
  /// True when that was the last reference, and the memory is unmapped.
  virtual Outcome<bool> closeImportedMemory(void* pointer) = 0;

  // Device memory handed over as a file descriptor: memory pools shared by descriptor
  // (cudaMemHandleTypePosixFileDescriptor) and external memory (opaque descriptors).
  /// `bytes` of device memory in one file, whose pages are used as they are touched, and which
  /// exportRegion hands out whole.
  virtual Outcome<void*> createShareableRegion(size_t bytes) = 0;
  virtual Status destroyShareableRegion(void* base) = 0;
  /// A new descriptor of the region's file; the caller owns it.
  virtual Outcome<int> exportRegion(void* base) = 0;
  /// Maps `bytes` (0: all) of the file behind `fd`, which stays the caller's; the address and
  /// the size mapped.
  virtual Outcome<std::pair<void*, size_t>> mapExternalMemory(int fd, size_t bytes) = 0;
  virtual Status unmapExternalMemory(void* base) = 0;

  // Streams and events.
  virtual Outcome<Stream*> createStream(StreamKind kind) = 0;
  virtual Status destroyStream(Stream* stream) = 0;
  virtual Status synchronizeStream(Stream* stream) = 0;
  /// Success when all work on the stream is done, NotReady otherwise.
  virtual Status queryStream(Stream* stream) = 0;
  virtual Status addHostCallback(Stream* stream, HostCallback callback, void* user) = 0;
  virtual Outcome<Event*> createEvent() = 0;
  /// An event another process may open (exportEvent) and record, wait for and query; it is
  /// never timed.
  virtual Outcome<Event*> createInterprocessEvent() = 0;
  /// InvalidHandle for an event not made by createInterprocessEvent.
  virtual Outcome<ShareableHandle> exportEvent(Event* event) = 0;
  virtual Outcome<Event*> importEvent(const ShareableHandle& handle) = 0;
  virtual Status destroyEvent(Event* event) = 0;
  virtual Status recordEvent(Event* event, Stream* stream) = 0;
  virtual Status waitEvent(Stream* stream, Event* event) = 0;
  virtual Status synchronizeEvent(Event* event) = 0;
  virtual Status queryEvent(Event* event) = 0;
  /// Milliseconds between two completed recordings.
  virtual Outcome<float> elapsedMilliseconds(Event* start, Event* end) = 0;

  // Modules: NVVM IR as LLVM assembly text or bitcode; `name` appears in messages.
  virtual Outcome<Module*> loadModule(std::span<const std::byte> nvvmIr, std::string_view name) = 0;
  virtual Status unloadModule(Module* module) = 0;
  virtual Outcome<Kernel*> getKernel(Module* module, std::string_view name) = 0;
  virtual Outcome<GlobalInfo> getGlobal(Module* module, std::string_view name) = 0;

  /// `args` is CUDA's array of pointers to each argument's value; values are copied before
  /// return, so the caller may reuse them at once.
  virtual Status launch(Kernel* kernel, const LaunchConfig& config, void** args,
                        Stream* stream) = 0;

  // BLAS: ordered on the stream like a kernel. Bad arguments fail the call; pointers to
  // scalars, batch addresses and results are read or written when the work runs.
  virtual Status gemm(const GemmArgs& args, Stream* stream) = 0;
  virtual Status vector(const VectorArgs& args, Stream* stream) = 0;
  virtual Status trsm(const TrsmArgs& args, Stream* stream) = 0;
};

class Backend {
public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  virtual int deviceCount() const = 0;
  virtual Device* device(int index) = 0;
};

} // namespace drawbridge::backend

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

  // Streams and events.
  virtual Outcome<Stream*> createStream(StreamKind kind) = 0;
  virtual Status destroyStream(Stream* stream) = 0;
  virtual Status synchronizeStream(Stream* stream) = 0;
  /// Success when all work on the stream is done, NotReady otherwise.
  virtual Status queryStream(Stream* stream) = 0;
  virtual Status addHostCallback(Stream* stream, HostCallback callback, void* user) = 0;
  virtual Outcome<Event*> createEvent() = 0;
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

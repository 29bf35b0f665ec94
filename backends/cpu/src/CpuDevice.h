// The CPU implementation of backend::Device.
#pragma once

#include "Compiler.h"
#include "GridBarrier.h"
#include "Jit.h"
#include "ObjectCache.h"
#include "SharedArena.h"
#include "StreamQueue.h"
#include "ThreadPool.h"
#include "drawbridge/backend/Backend.h"

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace drawbridge::backend::cpu {

class CpuKernel : public Kernel {
public:
  CpuKernel(const KernelDescriptor* descriptor, KernelInfo info)
      : descriptor_(descriptor), info_(std::move(info)) {}
  const KernelInfo& info() const override { return info_; }
  const KernelDescriptor* descriptor() const { return descriptor_; }

private:
  const KernelDescriptor* descriptor_;
  KernelInfo info_;
};

/// A loaded module: its variables at once, each kernel when first asked for (ModuleSplit.h).
class CpuModule : public Module {
public:
  std::string name;
  std::string key; // the cache key of the whole IR, from which each kernel's key derives
  std::vector<std::byte> ir;
  llvm::orc::JITDylib* globals = nullptr; // kernels' libraries link against it
  const ModuleDescriptor* descriptor = nullptr;

  struct CompiledKernel {
    std::unique_ptr<CpuKernel> kernel; // null when it failed
    Status failure;                    // returned by every later request for it
    llvm::orc::JITDylib* library = nullptr;
  };
  // Guards what follows: one kernel of the module compiles at a time; those of other modules
  // only wait for the shared compiler.
  std::mutex mutex;
  std::map<std::string, CompiledKernel, std::less<>> kernels;
  // The IR, parsed when a kernel the cache lacks is first asked for, then kept for the rest.
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> parsed;
};

class CpuDevice : public Device {
public:
  CpuDevice(std::unique_ptr<Compiler> compiler, std::unique_ptr<Jit> jit, ObjectCache cache,
            unsigned threads);
  ~CpuDevice() override;

  const DeviceProperties& properties() const override { return properties_; }
  Status synchronize() override;

  Outcome<void*> allocate(size_t bytes, MemoryKind kind) override;
  Status free(void* pointer) override;
  Status copy(void* dst, const void* src, size_t bytes, Stream* stream, bool async) override;
  Status fill(void* dst, int byte, size_t bytes, Stream* stream, bool async) override;
  Outcome<ShareableHandle> exportMemory(const void* pointer) override;
  Outcome<std::pair<void*, size_t>> importMemory(const ShareableHandle& handle) override;
  Outcome<bool> closeImportedMemory(void* pointer) override;
  Outcome<void*> createShareableRegion(size_t bytes) override;
  Status destroyShareableRegion(void* base) override;
  Outcome<int> exportRegion(void* base) override;
  Outcome<std::pair<void*, size_t>> mapExternalMemory(int fd, size_t bytes) override;
  Status unmapExternalMemory(void* base) override;

  Outcome<Stream*> createStream(StreamKind kind) override;
  Status destroyStream(Stream* stream) override;
  Status synchronizeStream(Stream* stream) override;
  Status queryStream(Stream* stream) override;
  Status addHostCallback(Stream* stream, HostCallback callback, void* user) override;
  Outcome<Event*> createEvent() override;
  Outcome<Event*> createInterprocessEvent() override;
  Outcome<ShareableHandle> exportEvent(Event* event) override;
  Outcome<Event*> importEvent(const ShareableHandle& handle) override;
  Status destroyEvent(Event* event) override;
  Status recordEvent(Event* event, Stream* stream) override;
  Status waitEvent(Stream* stream, Event* event) override;
  Status synchronizeEvent(Event* event) override;
  Status queryEvent(Event* event) override;
  Outcome<float> elapsedMilliseconds(Event* start, Event* end) override;

  Outcome<Module*> loadModule(std::span<const std::byte> nvvmIr, std::string_view name) override;
  Status unloadModule(Module* module) override;
  Outcome<Kernel*> getKernel(Module* module, std::string_view name) override;
  Outcome<GlobalInfo> getGlobal(Module* module, std::string_view name) override;

  Status launch(Kernel* kernel, const LaunchConfig& config, void** args, Stream* stream) override;
  Status gemm(const GemmArgs& args, Stream* stream) override;
  Status vector(const VectorArgs& args, Stream* stream) override;
  Status trsm(const TrsmArgs& args, Stream* stream) override;

private:
  /// Resolves a handle; nullptr is the legacy default stream.
  std::shared_ptr<StreamQueue> findStream(Stream* stream);
  std::shared_ptr<CpuEvent> findEvent(Event* event);
  Event* addEvent(std::shared_ptr<CpuEvent> event);
  /// Enqueues with the legacy default stream's ordering; returns the stream and ticket.
  Outcome<std::pair<std::shared_ptr<StreamQueue>, uint64_t>> submit(Stream* stream,
                                                                    std::function<void()> work);
  Status sticky();
  void setSticky(Status status);
  Status validate(const LaunchConfig& config, const CpuKernel& kernel) const;
  /// The parsed IR of `module`, parsed and prepared for splitting on first use.
  Outcome<llvm::Module*> parsedModule(CpuModule& module);
  /// Loads a cached object, or compiles `ir` (on a miss or an object the JIT rejects) and
  /// stores it; the object's JITDylib links against `links` when given.
  Outcome<Jit::Loaded>
  loadOrCompile(const std::string& key, std::string_view name, llvm::orc::JITDylib* links,
                const std::function<Outcome<std::unique_ptr<llvm::Module>>()>& ir);
  /// Removes the module's code from the JIT: its kernels', then its globals'.
  void unloadLibraries(CpuModule& module);
  /// Compiles (or reads back) and loads one kernel of the module; the caller holds its mutex.
  CpuModule::CompiledKernel compileKernel(CpuModule& module, std::string_view name);
  /// Unmaps the file mapped at `base` (one of `files`, which the mutex guards) once the work
  /// queued before is done; InvalidValue with `missing` when there is none.
  Status unmapFile(std::map<void*, SharedFile>& files, void* base, const char* missing);
  /// Fails with `check` at once, or queues `work`, whose failure becomes the sticky error.
  Status submitBlas(Stream* stream, Status check, std::function<Status()> work);

  DeviceProperties properties_;
  std::unique_ptr<Compiler> compiler_;
  std::unique_ptr<Jit> jit_;
  ObjectCache cache_;
  ThreadPool pool_;
  GridBarrierWatch gridWatch_; // ordinary launches' grid barriers
  SharedArena arena_;          // device memory, which other processes may open

  // Another process's memory opened here: what the handle named (process, file, offset,
  // generation), so that opening it again gives the same address, and its mapping.
  using ImportKey = std::array<uint64_t, 5>;
  struct Import {
    SharedFile mapping;
    ImportKey key;
    int references;
  };

  std::mutex mutex_; // guards everything below
  Status sticky_;
  std::shared_ptr<StreamQueue> legacy_;
  std::unordered_map<Stream*, std::shared_ptr<StreamQueue>> streams_;
  std::unordered_map<Event*, std::shared_ptr<CpuEvent>> events_;
  std::unordered_map<Event*, ShareableHandle> interprocessEvents_; // made here, exportable
  std::map<void*, Import> imports_;
  std::map<ImportKey, void*> importsByKey_;
  std::map<void*, SharedFile> regions_;   // shareable regions made here, by address
  std::map<void*, SharedFile> externals_; // files mapped from descriptors, by address
  std::unordered_map<void*, std::pair<size_t, MemoryKind>> allocations_;
  std::unordered_map<Module*, std::unique_ptr<CpuModule>> modules_;
};

} // namespace drawbridge::backend::cpu

// Module loading: cached object or fresh compile, then the JIT; kernels and globals from the
// module's own descriptor.
#include "CpuDevice.h"

namespace drawbridge::backend::cpu {

Outcome<Module*> CpuDevice::loadModule(std::span<const std::byte> nvvmIr, std::string_view name) {
  if (Status status = sticky(); !status.ok())
    return status;
  if (nvvmIr.empty())
    return failure(StatusCode::InvalidValue, "module '" + std::string(name) + "' is empty");
  std::string key = ObjectCache::key(nvvmIr, compiler_->configuration());
  std::unique_ptr<llvm::MemoryBuffer> object = cache_.load(key);
  bool cached = object != nullptr;
  auto loaded = cached ? jit_->load(std::move(object), name)
                       : Outcome<Jit::Loaded>(failure(StatusCode::Unknown, "not cached"));
  if (!loaded) {
    // Not cached, or a cached object the JIT rejected: compile and replace the entry.
    auto compiled = compiler_->compile(nvvmIr, name);
    if (!compiled)
      return compiled.status();
    cache_.store(key, **compiled);
    loaded = jit_->load(std::move(*compiled), name);
    if (!loaded)
      return loaded.status();
  }

  auto module = std::make_unique<CpuModule>();
  module->library = loaded->library;
  module->descriptor = loaded->descriptor;
  for (uint32_t i = 0; i < module->descriptor->kernelCount; ++i) {
    const KernelDescriptor& kernel = module->descriptor->kernels[i];
    KernelInfo info;
    info.name = kernel.name;
    info.staticSharedBytes = kernel.staticShared;
    info.localBytesPerThread = kernel.frameSize;
    info.paramSizes.assign(kernel.paramSizes, kernel.paramSizes + kernel.paramCount);
    module->kernels.emplace(kernel.name, std::make_unique<CpuKernel>(&kernel, std::move(info)));
  }
  Module* handle = module.get();
  std::lock_guard lock(mutex_);
  modules_[handle] = std::move(module);
  return handle;
}

Status CpuDevice::unloadModule(Module* module) {
  std::unique_ptr<CpuModule> owned;
  {
    std::lock_guard lock(mutex_);
    auto it = modules_.find(module);
    if (it == modules_.end())
      return failure(StatusCode::InvalidHandle, "unknown module handle");
    owned = std::move(it->second);
    modules_.erase(it);
  }
  // Kernels of the module may still be queued.
  Status status = synchronize();
  jit_->unload(*owned->library);
  return status;
}

Outcome<Kernel*> CpuDevice::getKernel(Module* module, std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = modules_.find(module);
  if (it == modules_.end())
    return failure(StatusCode::InvalidHandle, "unknown module handle");
  auto kernel = it->second->kernels.find(name);
  if (kernel == it->second->kernels.end())
    return failure(StatusCode::SymbolNotFound,
                   "the module has no kernel named '" + std::string(name) + "'");
  return static_cast<Kernel*>(kernel->second.get());
}

Outcome<GlobalInfo> CpuDevice::getGlobal(Module* module, std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = modules_.find(module);
  if (it == modules_.end())
    return failure(StatusCode::InvalidHandle, "unknown module handle");
  const ModuleDescriptor& descriptor = *it->second->descriptor;
  for (uint32_t i = 0; i < descriptor.globalCount; ++i)
    if (name == descriptor.globals[i].name)
      return GlobalInfo{descriptor.globals[i].address, size_t(descriptor.globals[i].size)};
  return failure(StatusCode::SymbolNotFound,
                 "the module has no __device__ or __constant__ variable named '" +
                     std::string(name) + "'");
}

} // namespace drawbridge::backend::cpu

// Module loading, lazily as CUDA's default is: the module's variables (its globals object) at
// load, each kernel when first asked for, read back from the disk cache or compiled on its own
// (ModuleSplit.h). A kernel that cannot be compiled or linked fails only itself, every time it
// is asked for; the module's other kernels are unaffected.
#include "CpuDevice.h"
#include "ModuleSplit.h"
#include "lowering/Lowering.h"

namespace drawbridge::backend::cpu {

Outcome<Jit::Loaded>
CpuDevice::loadOrCompile(const std::string& key, std::string_view name, llvm::orc::JITDylib* links,
                         const std::function<Outcome<std::unique_ptr<llvm::Module>>()>& ir) {
  if (std::unique_ptr<llvm::MemoryBuffer> object = cache_.load(key))
    if (auto loaded = jit_->load(std::move(object), name, links))
      return loaded;
  // Not cached, or a cached object the JIT rejected: compile and replace the entry.
  auto module = ir();
  if (!module)
    return module.status();
  auto compiled = compiler_->compile(**module, name);
  if (!compiled)
    return compiled.status();
  cache_.store(key, **compiled);
  return jit_->load(std::move(*compiled), name, links);
}

Outcome<llvm::Module*> CpuDevice::parsedModule(CpuModule& module) {
  if (!module.parsed) {
    module.context = std::make_unique<llvm::LLVMContext>();
    auto parsed = Compiler::parse(module.ir, module.name, *module.context);
    if (!parsed)
      return parsed.status();
    module.parsed = std::move(*parsed);
    shareVariables(*module.parsed);
  }
  return module.parsed.get();
}

Outcome<Module*> CpuDevice::loadModule(std::span<const std::byte> nvvmIr, std::string_view name) {
  if (Status status = sticky(); !status.ok())
    return status;
  if (nvvmIr.empty())
    return failure(StatusCode::InvalidValue, "module '" + std::string(name) + "' is empty");
  auto module = std::make_unique<CpuModule>();
  module->name = name;
  module->ir.assign(nvvmIr.begin(), nvvmIr.end());
  module->key = ObjectCache::key(nvvmIr, compiler_->configuration());
  auto loaded = loadOrCompile(ObjectCache::partKey(module->key, "globals"), name, nullptr,
                              [&]() -> Outcome<std::unique_ptr<llvm::Module>> {
                                auto parsed = parsedModule(*module);
                                if (!parsed)
                                  return parsed.status();
                                return extractGlobals(**parsed);
                              });
  if (!loaded)
    return loaded.status();
  module->globals = loaded->library;
  module->descriptor = loaded->descriptor;
  Module* handle = module.get();
  std::lock_guard lock(mutex_);
  modules_[handle] = std::move(module);
  return handle;
}

CpuModule::CompiledKernel CpuDevice::compileKernel(CpuModule& module, std::string_view name) {
  CpuModule::CompiledKernel result;
  std::string quoted = "'" + std::string(name) + "'";
  bool absent = false;
  auto loaded = loadOrCompile(ObjectCache::partKey(module.key, "kernel " + std::string(name)), name,
                              module.globals, [&]() -> Outcome<std::unique_ptr<llvm::Module>> {
                                auto parsed = parsedModule(module);
                                if (!parsed)
                                  return parsed.status();
                                for (llvm::Function* kernel : findKernels(**parsed))
                                  if (std::string_view(kernel->getName()) == name)
                                    return extractKernel(**parsed, *kernel);
                                absent = true;
                                return failure(StatusCode::SymbolNotFound,
                                               "the module has no kernel named " + quoted);
                              });
  if (!loaded) {
    result.failure = absent ? loaded.status()
                            : failure(loaded.status().code, "kernel " + quoted +
                                                                " cannot run on the CPU backend: " +
                                                                loaded.status().message);
    return result;
  }
  result.library = loaded->library;
  if (loaded->descriptor->kernelCount != 1) {
    result.failure = failure(StatusCode::InvalidSource, "the compiled object of kernel " + quoted +
                                                            " does not hold one kernel");
    return result;
  }
  // The object's own descriptor names the kernel: the cache key is trusted, as for any entry.
  const KernelDescriptor& kernel = loaded->descriptor->kernels[0];
  KernelInfo info;
  info.name = kernel.name;
  info.staticSharedBytes = kernel.staticShared;
  info.localBytesPerThread = kernel.frameSize;
  info.paramSizes.assign(kernel.paramSizes, kernel.paramSizes + kernel.paramCount);
  info.paramOffsets.assign(kernel.paramOffsets, kernel.paramOffsets + kernel.paramCount);
  result.kernel = std::make_unique<CpuKernel>(&kernel, std::move(info));
  return result;
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
  unloadLibraries(*owned);
  return status;
}

void CpuDevice::unloadLibraries(CpuModule& module) {
  for (auto& [name, kernel] : module.kernels)
    if (kernel.library)
      jit_->unload(*kernel.library);
  jit_->unload(*module.globals); // after the kernels, which link against it
}

Outcome<Kernel*> CpuDevice::getKernel(Module* handle, std::string_view name) {
  CpuModule* module = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto it = modules_.find(handle);
    if (it == modules_.end())
      return failure(StatusCode::InvalidHandle, "unknown module handle");
    module = it->second.get();
  }
  std::lock_guard lock(module->mutex);
  auto kernel = module->kernels.find(name);
  if (kernel == module->kernels.end())
    kernel = module->kernels.emplace(std::string(name), compileKernel(*module, name)).first;
  if (!kernel->second.kernel)
    return kernel->second.failure;
  return static_cast<Kernel*>(kernel->second.kernel.get());
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

#include "Modules.h"

#include "Log.h"
#include "Runtime.h"
#include "drawbridge/fatbin/Payload.h"
#include "drawbridge/fatbin/PtxSelection.h"
#include "drawbridge/ptx/Compile.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace drawbridge::cudart {
namespace {

std::string hex(uint64_t value) {
  std::ostringstream os;
  os << "0x" << std::hex << value;
  return os.str();
}

// Names a module in messages by its first kernels; programs have modules of hundreds.
std::string kernelNames(const RegisteredModule& module) {
  constexpr size_t kNamed = 3;
  std::string names;
  for (size_t i = 0; i < module.functions.size() && i < kNamed; ++i)
    names += (i ? ", " : "") + module.functions[i]->deviceName;
  if (module.functions.size() > kNamed)
    names += " and " + std::to_string(module.functions.size() - kNamed) + " more kernels";
  return names.empty() ? "(no kernels)" : names;
}

cudaError_t failLoad(RegisteredModule& module, cudaError_t error, const std::string& why) {
  logError("drawbridge: cannot load the device code of %s: %s\n", kernelNames(module).c_str(),
           why.c_str());
  module.loadError = error;
  return error;
}

// The PTX of every unit in the module. A whole-program unit has one fatbin; a -rdc program
// registers one device-link wrapper whose prelinked list holds every unit (and CUDA's device
// runtime, whose PTX targets newer GPUs and is only needed for dynamic parallelism).
cudaError_t gatherPtx(RegisteredModule& module, std::vector<ptx::PtxSource>& sources,
                      std::string& skipped) {
  if (module.library) { // chosen when the library was built
    for (const auto& source : module.librarySources)
      sources.push_back({source.origin, source.text});
    return cudaSuccess;
  }
  for (const auto& fatbin : module.image->fatbins()) {
    if (fatbin.entries.empty())
      continue;
    auto chosen = fatbin::selectPtx(fatbin);
    if (!chosen) {
      if (fatbin.origin == fatbin::Origin::Prelinked || fatbin.wrapperVersion == 2) {
        skipped += "\n  skipped: " + chosen.error().message;
        continue;
      }
      return failLoad(module, cudaErrorNoKernelImageForDevice, chosen.error().message);
    }
    auto text = fatbin::ptxText(**chosen);
    if (!text)
      return failLoad(module, cudaErrorInvalidKernelImage, text.error().message);
    sources.push_back({"PTX for compute_" + std::to_string((*chosen)->smArch) +
                           " in the fatbin at " + hex(fatbin.offset),
                       std::move(*text)});
  }
  return cudaSuccess;
}

// CUDA_MODULE_LOADING=EAGER compiles every kernel of a module when the module loads; CUDA 13's
// default, LAZY, compiles each kernel on its first launch or query.
bool eagerLoading() {
  static const bool eager = [] {
    const char* value = std::getenv("CUDA_MODULE_LOADING");
    return value && std::strcmp(value, "EAGER") == 0;
  }();
  return eager;
}

// A kernel whose image cannot be compiled fails as CUDA fails a kernel whose PTX the JIT
// rejects, and only that kernel. Said once, at its first launch or query (or at load, eagerly).
cudaError_t failKernel(RegisteredFunction& function, const std::string& why) {
  logError("drawbridge: %s\n  Launches of '%s' fail with cudaErrorInvalidPtx; the module's "
           "other kernels are not affected. To run it, avoid what is named (for inline PTX, "
           "a plain CUDA C++ path), or report it to Drawbridge with this message.\n",
           why.c_str(), function.deviceName.c_str());
  function.kernelError = cudaErrorInvalidPtx;
  return cudaErrorInvalidPtx;
}

// The backend kernel of a function of a loaded module, compiled on first use; the caller holds
// the module's loadMutex.
cudaError_t resolveLoaded(RegisteredFunction& function, backend::Device& device) {
  if (function.resolved)
    return static_cast<cudaError_t>(function.kernelError);
  function.resolved = true;
  RegisteredModule& module = *function.module;
  if (auto unlowered = module.unlowered.find(function.deviceName);
      unlowered != module.unlowered.end())
    return failKernel(function, "kernel '" + function.deviceName +
                                    "' cannot be compiled: " + unlowered->second);
  auto found = device.getKernel(module.loaded, function.deviceName);
  if (found) {
    function.kernel = *found;
    return cudaSuccess;
  }
  backend::StatusCode code = found.status().code;
  if (code == backend::StatusCode::SymbolNotFound || code == backend::StatusCode::OutOfMemory) {
    function.kernelError = toCudaError(found.status(), "kernel lookup");
    return static_cast<cudaError_t>(function.kernelError);
  }
  return failKernel(function, found.status().message);
}

} // namespace

cudaError_t loadModule(RegisteredModule& module, backend::Device& device) {
  std::lock_guard lock(module.loadMutex);
  if (module.loadAttempted)
    return module.loaded ? cudaSuccess : static_cast<cudaError_t>(module.loadError);
  module.loadAttempted = true;
  if (!module.image && !module.library)
    return failLoad(module, cudaErrorInvalidKernelImage, module.imageError);
  std::vector<ptx::PtxSource> sources;
  std::string skipped;
  if (cudaError_t error = gatherPtx(module, sources, skipped))
    return error;
  if (sources.empty())
    return failLoad(module, cudaErrorNoKernelImageForDevice, "it carries no usable PTX" + skipped);
  std::vector<ptx::FunctionFailure> unlowered;
  auto bitcode = ptx::compileToNvvmBitcode(sources, &unlowered);
  if (!bitcode)
    return failLoad(module, cudaErrorInvalidPtx, bitcode.error().message + skipped);
  for (auto& failure : unlowered)
    module.unlowered.emplace(std::move(failure.function), std::move(failure.message));
  auto loaded = device.loadModule(*bitcode, kernelNames(module));
  if (!loaded)
    return failLoad(module, toCudaError(loaded.status(), "module load"), loaded.status().message);
  module.loaded = *loaded;
  for (auto& variable : module.variables) {
    auto global = device.getGlobal(module.loaded, variable.deviceName);
    if (!global)
      continue; // optimised away by nvcc: CUDA reports such symbols as invalid when used
    variable.deviceAddress = global->address;
    // Host code reaches a __managed__ variable through a pointer the runtime sets.
    if (variable.managed)
      *static_cast<void**>(variable.hostAddress) = global->address;
  }
  if (eagerLoading())
    for (auto& function : module.functions)
      (void)resolveLoaded(*function, device); // each kernel's failure is its own
  return cudaSuccess;
}

cudaError_t resolveKernel(RegisteredFunction& function, backend::Device& device,
                          backend::Kernel*& kernel) {
  RegisteredModule& module = *function.module;
  if (cudaError_t error = loadModule(module, device))
    return error;
  std::lock_guard lock(module.loadMutex);
  if (cudaError_t error = resolveLoaded(function, device))
    return error;
  kernel = function.kernel;
  return cudaSuccess;
}

cudaError_t resolveVariable(RegisteredVariable& variable, backend::Device& device, void*& address) {
  if (cudaError_t error = loadModule(*variable.module, device))
    return error;
  if (!variable.deviceAddress)
    return cudaErrorInvalidSymbol;
  address = variable.deviceAddress;
  return cudaSuccess;
}

cudaError_t resolveGlobal(RegisteredModule& module, backend::Device& device, std::string_view name,
                          backend::GlobalInfo& global) {
  if (cudaError_t error = loadModule(module, device))
    return error;
  auto found = device.getGlobal(module.loaded, name);
  if (!found)
    return cudaErrorSymbolNotFound;
  global = *found;
  return cudaSuccess;
}

} // namespace drawbridge::cudart

#include "Modules.h"

#include "Runtime.h"
#include "drawbridge/fatbin/Payload.h"
#include "drawbridge/fatbin/PtxSelection.h"
#include "drawbridge/ptx/Compile.h"

#include <cstdio>
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
  std::fprintf(stderr, "drawbridge: cannot load the device code of %s: %s\n",
               kernelNames(module).c_str(), why.c_str());
  module.loadError = error;
  return error;
}

// The PTX of every unit in the module. A whole-program unit has one fatbin; a -rdc program
// registers one device-link wrapper whose prelinked list holds every unit (and CUDA's device
// runtime, whose PTX targets newer GPUs and is only needed for dynamic parallelism).
cudaError_t gatherPtx(RegisteredModule& module, std::vector<ptx::PtxSource>& sources,
                      std::string& skipped) {
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

cudaError_t load(RegisteredModule& module, backend::Device& device) {
  std::lock_guard lock(module.loadMutex);
  if (module.loadAttempted)
    return module.loaded ? cudaSuccess : static_cast<cudaError_t>(module.loadError);
  module.loadAttempted = true;
  if (!module.image)
    return failLoad(module, cudaErrorInvalidKernelImage, module.imageError);
  std::vector<ptx::PtxSource> sources;
  std::string skipped;
  if (cudaError_t error = gatherPtx(module, sources, skipped))
    return error;
  if (sources.empty())
    return failLoad(module, cudaErrorNoKernelImageForDevice, "it carries no usable PTX" + skipped);
  auto bitcode = ptx::compileToNvvmBitcode(sources);
  if (!bitcode)
    return failLoad(module, cudaErrorInvalidPtx, bitcode.error().message + skipped);
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
  return cudaSuccess;
}

} // namespace

cudaError_t resolveKernel(RegisteredFunction& function, backend::Device& device,
                          backend::Kernel*& kernel) {
  if (cudaError_t error = load(*function.module, device))
    return error;
  if (!function.kernel) {
    auto found = device.getKernel(function.module->loaded, function.deviceName);
    if (!found)
      return toCudaError(found.status(), "kernel lookup");
    function.kernel = *found;
  }
  kernel = function.kernel;
  return cudaSuccess;
}

cudaError_t resolveVariable(RegisteredVariable& variable, backend::Device& device, void*& address) {
  if (cudaError_t error = load(*variable.module, device))
    return error;
  if (!variable.deviceAddress)
    return cudaErrorInvalidSymbol;
  address = variable.deviceAddress;
  return cudaSuccess;
}

} // namespace drawbridge::cudart

// Turning a registered module into a loaded backend module: the PTX of each unit is chosen,
// compiled to NVVM IR (linking the units of a -rdc program) and loaded, on the first use of
// one of its kernels or variables; each kernel then compiles on its own first launch or query
// (all at load under CUDA_MODULE_LOADING=EAGER). A module that cannot load, or a kernel that
// cannot compile, says why once, and every later use of it returns the same error; a kernel's
// failure is its own (cudaErrorInvalidPtx, as CUDA's for PTX its JIT rejects, not sticky).
#pragma once

#include "Registry.h"

#include <cuda_runtime_api.h>

namespace drawbridge::cudart {

/// Loads a module's device code on the device, once; later calls return the first outcome.
cudaError_t loadModule(RegisteredModule& module, backend::Device& device);

/// The backend kernel of a registered function, loading its module if needed.
cudaError_t resolveKernel(RegisteredFunction& function, backend::Device& device,
                          backend::Kernel*& kernel);

/// The device address of a registered variable, loading its module if needed.
cudaError_t resolveVariable(RegisteredVariable& variable, backend::Device& device, void*& address);

/// A global of a module by its device name (cudaLibraryGetGlobal), loading the module if needed.
cudaError_t resolveGlobal(RegisteredModule& module, backend::Device& device, std::string_view name,
                          backend::GlobalInfo& global);

} // namespace drawbridge::cudart

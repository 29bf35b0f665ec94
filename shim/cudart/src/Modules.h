// Turning a registered module into a loaded backend module: the PTX of each unit is chosen,
// compiled to NVVM IR (linking the units of a -rdc program) and loaded, on the first launch of
// one of its kernels. A module that cannot load says why once, and every launch of its kernels
// returns the same error.
#pragma once

#include "Registry.h"

#include <cuda_runtime_api.h>

namespace drawbridge::cudart {

/// The backend kernel of a registered function, loading its module if needed.
cudaError_t resolveKernel(RegisteredFunction& function, backend::Device& device,
                          backend::Kernel*& kernel);

/// The device address of a registered variable, loading its module if needed.
cudaError_t resolveVariable(RegisteredVariable& variable, backend::Device& device, void*& address);

} // namespace drawbridge::cudart

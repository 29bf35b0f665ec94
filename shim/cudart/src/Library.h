// Libraries loaded by handle (cudaLibraryLoadData/FromFile): the code a program hands the
// runtime (a fatbin, an ELF holding fatbins, or PTX text) becomes a RegisteredModule whose
// kernels, named by the PTX's .entry directives, are RegisteredFunctions like a program's own.
#pragma once

#include "Registry.h"

#include <cuda_runtime_api.h>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace drawbridge::cudart {

/// The size of code passed by pointer alone, as CUDA finds it: a fatbin's or ELF's headers say
/// it; anything else is PTX text up to its NUL.
size_t codeSize(const void* code);

/// A library from the bytes of a fatbin, an ELF (cubin or program) or PTX text. On failure,
/// `why` names the reason (a cubin without PTX: cudaErrorNoKernelImageForDevice).
cudaError_t buildLibrary(std::vector<std::byte> bytes, const std::string& origin,
                         std::unique_ptr<RegisteredModule>& library, std::string& why);

/// The names PTX text declares with `.entry`, in order, and those of its `.managed` globals.
std::vector<std::string> ptxEntries(std::string_view ptx);
std::vector<std::string> ptxManagedGlobals(std::string_view ptx);

} // namespace drawbridge::cudart

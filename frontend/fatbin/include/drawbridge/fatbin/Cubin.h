// What a cubin (the ELF image of an SASS entry) says about itself without disassembly.
#pragma once

#include "drawbridge/support/Expected.h"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace drawbridge::fatbin {

/// The kernels a cubin defines (mangled names), in section order. Each kernel has a parameter
/// constant bank, `.nv.constant0.<name>`; device functions do not.
Expected<std::vector<std::string>> cubinKernels(std::span<const std::byte> cubin);

} // namespace drawbridge::fatbin

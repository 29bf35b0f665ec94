// PTX text to NVVM IR bitcode in one call, for clients that must not see LLVM's types (the
// shims): parse, check, lower, link the modules of a -rdc program into one, and verify.
#pragma once

#include "drawbridge/support/Expected.h"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace drawbridge::ptx {

struct PtxSource {
  std::string name; // names the module in messages: a file, or "<program>: fatbin at 0x..."
  std::string text;
};

/// One NVVM IR module (LLVM bitcode) from one PTX module or several that link together.
/// Errors name the source and the position in it.
Expected<std::vector<std::byte>> compileToNvvmBitcode(std::span<const PtxSource> sources);

} // namespace drawbridge::ptx

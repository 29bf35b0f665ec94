// PTX text to NVVM IR bitcode in one call, for clients that must not see LLVM's types (the
// shims): parse, check, lower, link the modules of a -rdc program into one, and verify.
#pragma once

#include "drawbridge/ptx/Module.h"
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
/// Errors name the source and the position in it. With `failedKernels`, a kernel that cannot
/// be lowered is left out of the IR and appended there with its reason (naming the source) and
/// the rest of the module still compiles; without, it fails the module.
Expected<std::vector<std::byte>>
compileToNvvmBitcode(std::span<const PtxSource> sources,
                     std::vector<FunctionFailure>* failedKernels = nullptr);

} // namespace drawbridge::ptx

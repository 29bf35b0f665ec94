// What the translator writes for: the HIP version, the GPU and the launch spelling.
#pragma once

#include "drawbridge/translate/Mapping.h"

#include <string>
#include <string_view>
#include <vector>

namespace drawbridge::translate {

struct Options {
  HipVersion hipVersion{5, 2};
  std::string offloadArch = "gfx90a";
  bool roc = false; // rocBLAS/rocSPARSE/rocSOLVER/rocRAND instead of their hip* wrappers
  bool hipLaunchSyntax = false; // hipLaunchKernelGGL(...) instead of <<<...>>>
  std::string cudaPath = "/usr/local/cuda";
  std::vector<std::string> extraArgs; // compiler arguments added to every parse (-I, -D, ...)
  Target target() const { return {hipVersion, roc}; }
};

/// Wavefront size of an AMD GPU: 64 on gfx9 (GCN/CDNA: gfx90a, gfx942, ...), 32 on gfx10 and later
/// (RDNA, which HIP runs in wave32 mode). 0 when the name is not a gfx target.
unsigned warpSizeOf(std::string_view offloadArch);

} // namespace drawbridge::translate

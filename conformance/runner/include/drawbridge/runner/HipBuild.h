// The HIP path of the suite: the workload's CUDA sources translated by `drawbridge translate` and
// compiled by hipcc for each AMD target, cached like the nvcc build; run only where an AMD GPU of
// a built target is present.
#pragma once

#include "drawbridge/support/Expected.h"

#include <optional>
#include <string>
#include <vector>

namespace drawbridge::runner {

inline const std::vector<std::string> kHipTargets = {"gfx90a", "gfx1100"};

struct HipToolchain {
  std::string drawbridge; // the translator
  std::string hipcc;
  std::string llvmAs, llvmDis;          // of hipcc's clang, for the gfx1100 stand-in bitcode
  std::string deviceLibs;               // Debian's amdgcn bitcode directory
  std::string cudaPath;                 // the CUDA headers the sources are translated from
  std::string sourceDir;                // the repository
  std::vector<std::string> hostSources; // plain C++ the workload links (model, trace, options)
  std::vector<std::string> includeDirs;
  std::string workDir; // translations, objects, binaries and the cache keys
};

/// The toolchain this build of Drawbridge was configured with.
HipToolchain configuredHipToolchain(const std::string& binDir, const std::string& workDir,
                                    const std::string& cudaPath);

enum class HipBuildState { Compiled, Failed, NotCheckable };

struct HipBuild {
  HipBuildState state = HipBuildState::Failed;
  std::string detail;                // why it failed or cannot be checked; the log's place
  std::vector<std::string> binaries; // one per target when compiled, in kHipTargets order
  bool cached = false;
};

/// Translates and compiles the workload with the own kernels (`withBlas` false) or with the BLAS
/// library path (CublasLinear.cu, which needs hipBLAS and hipBLASLt) for every target in
/// kHipTargets. A build whose inputs have not changed is reused.
HipBuild buildHipWorkload(const HipToolchain& toolchain, bool withBlas);

/// The AMD GPU target present (e.g. "gfx90a"), or why there is none: rocminfo lists the agents.
Expected<std::string> amdGpuTarget();

} // namespace drawbridge::runner

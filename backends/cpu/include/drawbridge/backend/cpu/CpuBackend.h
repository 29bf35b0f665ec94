// The CPU backend: runs NVVM IR kernels on the host's cores (DESIGN.md, "The CPU backend").
#pragma once

#include "drawbridge/backend/Backend.h"

#include <filesystem>
#include <memory>
#include <optional>

namespace drawbridge::backend::cpu {

struct CpuOptions {
  /// Threads running blocks; default DRAWBRIDGE_CPU_THREADS or the number of cores.
  std::optional<unsigned> threads;
  /// Object cache directory; default ObjectCache::defaultDirectory(). Empty disables it.
  std::optional<std::filesystem::path> cacheDirectory;
};

Outcome<std::unique_ptr<Backend>> createCpuBackend(const CpuOptions& options = {});

} // namespace drawbridge::backend::cpu

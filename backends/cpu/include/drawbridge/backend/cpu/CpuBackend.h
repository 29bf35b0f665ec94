// The CPU backend: runs NVVM IR kernels on the host's cores (DESIGN.md, "The CPU backend").
#pragma once

#include "drawbridge/backend/Backend.h"

#include <filesystem>
#include <memory>
#include <optional>

namespace drawbridge::backend::cpu {

/// Whose floating-point results kernels give where x86's and NVIDIA's differ.
enum class Arithmetic {
  /// NVIDIA's (the default): canonical NaNs, -0 ordered below +0 in min/max, bf16 rounded once
  /// with subnormals kept (issue 13).
  Nvidia,
  /// The host's, without the instructions that make them NVIDIA's: NaN payloads, the order of
  /// signed zeros and bf16 subnormals as x86 leaves them. For measuring what exactness costs,
  /// and for programs that never look at those bits.
  Host,
};

struct CpuOptions {
  /// Threads running blocks; default DRAWBRIDGE_CPU_THREADS or the number of cores.
  std::optional<unsigned> threads = std::nullopt;
  /// Object cache directory; default ObjectCache::defaultDirectory(). Empty disables it.
  std::optional<std::filesystem::path> cacheDirectory = std::nullopt;
  /// Default DRAWBRIDGE_CPU_ARITHMETIC (`nvidia` or `host`), else Nvidia.
  std::optional<Arithmetic> arithmetic = std::nullopt;
};

Outcome<std::unique_ptr<Backend>> createCpuBackend(const CpuOptions& options = {});

} // namespace drawbridge::backend::cpu

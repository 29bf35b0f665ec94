// What generated code calls back into: device printf, trap and assert hooks. A launch's
// failure is recorded in its LaunchState (reached through BlockContext::launch).
#pragma once

#include "Abi.h"
#include "drawbridge/backend/Status.h"

#include <atomic>
#include <mutex>
#include <span>

namespace drawbridge::backend::cpu {

struct LaunchState {
  const KernelDescriptor* kernel = nullptr;
  std::atomic<bool> failed{false};

  /// Keeps the first failure; later blocks see `failed` and stop.
  void fail(StatusCode code, std::string message);
  Status result();

private:
  std::mutex mutex_;
  Status status_;
};

struct RuntimeSymbol {
  const char* name;
  void* address;
};
std::span<const RuntimeSymbol> runtimeSymbols();

/// CUDA's device printf: `arguments` is the packed buffer clang builds (each value aligned to
/// its size, float promoted to double). Returns the number of characters written.
int formatDevicePrintf(std::string& out, const char* format, const char* arguments);

} // namespace drawbridge::backend::cpu

// Runs the suite's workloads through every path available on this machine and compares each
// run with the independent CPU reference.
#pragma once

#include "drawbridge/runner/Results.h"
#include "drawbridge/runner/Suite.h"

#include <functional>
#include <string>
#include <vector>

namespace drawbridge::runner {

struct RunnerOptions {
  std::string binDir;    // where drawbridge and llama-workload are
  std::string libDir;    // Drawbridge's shim libraries
  std::string workDir;   // generated models, dumps and logs
  std::string cudaPath;  // NVIDIA's runtime, for the native path
  std::string userModel; // a Hugging Face checkpoint to run instead of the generated models
  std::vector<std::string> paths; // cpu, native, hip
  unsigned timeoutSeconds = 600;
  /// Called before each run: runs done, runs in all, what starts now.
  std::function<void(size_t, size_t, const std::string&)> progress;
};

SuiteResults runSuite(const std::vector<Workload>& workloads, const RunnerOptions& options);

/// Why the native path cannot run here, or nothing when an NVIDIA GPU and driver are present.
std::optional<std::string> nativeUnavailable();

} // namespace drawbridge::runner

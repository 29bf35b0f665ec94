// Runs the suite's workloads through every path available on this machine and compares each
// run with the independent CPU reference.
#pragma once

#include "drawbridge/runner/Results.h"
#include "drawbridge/runner/Suite.h"
#include "drawbridge/support/Expected.h"

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
  std::vector<std::string> paths; // cpu, cpu-tp2, native, hip
  unsigned timeoutSeconds = 600;
  /// Called before each run: runs done, runs in all, what starts now.
  std::function<void(size_t, size_t, const std::string&)> progress;
};

/// The checkpoint `w` runs: the user's, or the generated model of its family in its precision
/// (written under workDir/models once, then reused: the generator is deterministic).
Expected<std::string> prepareModel(const Workload& w, const RunnerOptions& options);

/// llama-workload's command line for `w` on `model`, dumping to `dump`.
std::vector<std::string> workloadArguments(const Workload& w, const std::string& model,
                                           const std::string& dump);

/// What `llama-workload --timing FILE` wrote.
struct WorkloadTiming {
  double prefillTokens = 0, prefillSeconds = 0;
  double decodeTokens = 0, decodeSeconds = 0;
};
Expected<WorkloadTiming> readTiming(const std::string& path);

SuiteResults runSuite(const std::vector<Workload>& workloads, const RunnerOptions& options);

/// Why the native path cannot run here, or nothing when an NVIDIA GPU and driver are present.
std::optional<std::string> nativeUnavailable();

} // namespace drawbridge::runner

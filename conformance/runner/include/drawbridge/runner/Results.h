// What running one workload on one path produced, as the reports show it.
#pragma once

#include <string>
#include <vector>

namespace drawbridge::runner {

enum class Outcome {
  Pass,
  Fail,
  Compiled,     // built for the path's targets; not run, as no such device is here
  NotCheckable, // cannot be built here: a package it needs does not exist on this system
  NotRun,       // the path is not available here
};

/// Pass and Fail are runs; the others say why there was none.
inline bool ran(Outcome outcome) {
  return outcome == Outcome::Pass || outcome == Outcome::Fail;
}

struct PathResult {
  std::string workload;
  std::string path; // cpu, cpu-tp2 (two tensor-parallel ranks), native, hip
  Outcome outcome = Outcome::NotRun;
  std::string reason;                 // why it failed or did not run
  std::vector<std::string> failures;  // the comparison's findings
  std::vector<double> boundaryErrors; // largest normalised error per layer boundary
  double logitsError = 0;             // largest normalised error of the logits
  double maxAbsError = 0;             // largest absolute difference anywhere
  size_t tokensMatched = 0;  // the reference's own choice, the reference fed the same tokens
  size_t tokensForgiven = 0; // another choice the sampling rule allows within tolerance
  size_t steps = 0;
  double seconds = 0; // wall time of the whole run: start-up, compilation, prefill and decode
  /// Measured by the workload around its steps: the prefill includes loading (compiling) the
  /// kernels' module at their first launch; the decode does not.
  double prefillTokensPerSecond = 0;
  double decodeTokensPerSecond = 0;
};

struct SuiteResults {
  std::vector<PathResult> results;
  std::string model;   // where the weights came from
  std::string machine; // the CPU, for the record
};

size_t countOutcome(const SuiteResults& results, Outcome outcome);
const char* outcomeName(Outcome outcome);

} // namespace drawbridge::runner

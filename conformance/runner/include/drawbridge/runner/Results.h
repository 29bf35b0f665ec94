// What running one workload on one path produced, as the reports show it.
#pragma once

#include <string>
#include <vector>

namespace drawbridge::runner {

enum class Outcome { Pass, Fail, NotRun };

struct PathResult {
  std::string workload;
  std::string path; // cpu, native, hip
  Outcome outcome = Outcome::NotRun;
  std::string reason;                 // why it failed or did not run
  std::vector<std::string> failures;  // the comparison's findings
  std::vector<double> boundaryErrors; // largest normalised error per layer boundary
  double logitsError = 0;             // largest normalised error of the logits
  double maxAbsError = 0;             // largest absolute difference anywhere
  size_t tokensMatched = 0;
  size_t steps = 0;
  double seconds = 0; // wall time of the whole run: start-up, compilation, prefill and decode
};

struct SuiteResults {
  std::vector<PathResult> results;
  std::string model;   // where the weights came from
  std::string machine; // the CPU, for the record
};

size_t countOutcome(const SuiteResults& results, Outcome outcome);
const char* outcomeName(Outcome outcome);

} // namespace drawbridge::runner

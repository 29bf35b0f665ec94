#include "drawbridge/runner/Results.h"

#include <algorithm>

namespace drawbridge::runner {

size_t countOutcome(const SuiteResults& results, Outcome outcome) {
  return static_cast<size_t>(
      std::count_if(results.results.begin(), results.results.end(),
                    [&](const PathResult& r) { return r.outcome == outcome; }));
}

const char* outcomeName(Outcome outcome) {
  switch (outcome) {
  case Outcome::Pass:
    return "pass";
  case Outcome::Fail:
    return "fail";
  case Outcome::Compiled:
    return "compiled, not run";
  case Outcome::NotCheckable:
    return "not checkable";
  case Outcome::NotRun:
    return "not run";
  }
  return "?";
}

} // namespace drawbridge::runner

// The suite's reports: JUnit XML for CI systems, JSON for scripts, Markdown for a CI job summary,
// and a self-contained HTML page with a plot of the error at each layer.
#pragma once

#include "drawbridge/runner/Results.h"
#include "drawbridge/support/Expected.h"

#include <optional>
#include <string>

namespace drawbridge::runner {

std::string junitReport(const SuiteResults& results);
std::string jsonReport(const SuiteResults& results);
std::string markdownReport(const SuiteResults& results);
std::string htmlReport(const SuiteResults& results);

/// Writes all four into `directory` (conformance.xml, .json, .md, .html).
std::optional<Error> writeReports(const SuiteResults& results, const std::string& directory);

} // namespace drawbridge::runner

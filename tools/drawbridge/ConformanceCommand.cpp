// `drawbridge conformance`: the Llama and Mistral workloads through every path, compared with
// the independent CPU reference, with JUnit XML, JSON, Markdown and HTML reports.
#include "Command.h"
#include "drawbridge/runner/Reports.h"
#include "drawbridge/runner/Runner.h"

#include <cstdlib>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>
#include <unistd.h>

namespace drawbridge::cli {
namespace {

namespace cl = llvm::cl;

cl::SubCommand Conformance("conformance",
                           "Run the Llama and Mistral workloads through every path and report");
cl::list<std::string> Backends("backend",
                               cl::desc("Paths to run: cpu, cpu-tp2, native, hip (default: all; "
                                        "DRAWBRIDGE_CONFORMANCE_BACKENDS)"),
                               cl::CommaSeparated, cl::sub(Conformance));
cl::opt<std::string> Filter("filter",
                            cl::desc("Run the workloads whose names match a pattern "
                                     "('llama3-*', '*-bf16-*')"),
                            cl::value_desc("pattern"), cl::sub(Conformance));
cl::opt<std::string> Model("model",
                           cl::desc("A Hugging Face checkpoint directory to run "
                                    "instead of the generated models"),
                           cl::value_desc("dir"), cl::sub(Conformance));
cl::opt<std::string> ReportDir("report-dir",
                               cl::desc("Where the reports go (default: "
                                        "$DRAWBRIDGE_REPORT_DIR or ./conformance-report)"),
                               cl::value_desc("dir"), cl::sub(Conformance));
cl::opt<unsigned> Timeout("timeout", cl::desc("Seconds one run may take (default 600)"),
                          cl::init(600), cl::sub(Conformance));
cl::opt<bool> List("list", cl::desc("List the workloads and exit"), cl::sub(Conformance));

std::string orEnvironment(const std::string& value, const char* variable, const char* fallback) {
  if (!value.empty())
    return value;
  const char* set = std::getenv(variable);
  return set && *set ? set : fallback;
}

// A bar on a terminal; a line per run in logs, which CI systems keep.
void showProgress(size_t done, size_t total, const std::string& what) {
  bool terminal = ::isatty(STDERR_FILENO);
  if (!terminal) {
    if (what != "done")
      llvm::errs() << "[" << done + 1 << "/" << total << "] " << what << "\n";
    return;
  }
  constexpr size_t kWidth = 30;
  size_t filled = total ? kWidth * done / total : kWidth;
  llvm::errs() << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] "
               << done << "/" << total << " " << what << "\x1b[K";
  if (done == total)
    llvm::errs() << "\n";
}

int runConformance() {
  std::vector<std::string> paths(Backends.begin(), Backends.end());
  if (paths.empty()) {
    std::string fromEnvironment =
        orEnvironment("", "DRAWBRIDGE_CONFORMANCE_BACKENDS", "cpu,cpu-tp2,native,hip");
    llvm::SmallVector<llvm::StringRef, 4> parts;
    llvm::StringRef(fromEnvironment).split(parts, ',', -1, false);
    for (auto part : parts)
      paths.push_back(part.trim().str());
  }
  for (const auto& path : paths)
    if (path != "cpu" && path != "cpu-tp2" && path != "native" && path != "hip")
      return fail("conformance",
                  "unknown path '" + path + "'; the paths are cpu, cpu-tp2, native and hip");

  auto workloads = runner::filterSuite(runner::standardSuite(), Filter);
  if (workloads.empty())
    return fail("conformance", "no workload matches '" + Filter + "'; --list shows them");
  if (List) {
    for (const auto& w : workloads)
      llvm::outs() << w.name << "\n";
    return 0;
  }
  if (!Model.empty() && !llvm::sys::fs::exists(Model + "/config.json"))
    return fail("conformance", "'" + Model +
                                   "' is not a Hugging Face checkpoint directory "
                                   "(it has no config.json)");

  std::string self = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  llvm::SmallString<256> binDir(llvm::sys::path::parent_path(self));
  llvm::SmallString<256> libDir(llvm::sys::path::parent_path(binDir));
  llvm::sys::path::append(libDir, "lib");
  std::string reports = orEnvironment(ReportDir, "DRAWBRIDGE_REPORT_DIR", "conformance-report");
  llvm::SmallString<256> work(reports);
  llvm::sys::path::append(work, "work");

  runner::RunnerOptions options;
  options.binDir = binDir.str().str();
  options.libDir = libDir.str().str();
  options.workDir = work.str().str();
  options.cudaPath = orEnvironment("", "DRAWBRIDGE_CUDA_PATH", "/usr/local/cuda");
  options.userModel = Model;
  options.paths = paths;
  options.timeoutSeconds = Timeout;
  options.progress = showProgress;
  runner::SuiteResults results = runner::runSuite(workloads, options);

  if (auto error = runner::writeReports(results, reports))
    return fail("conformance", error->message);
  llvm::outs() << runner::markdownReport(results) << "\nReports: " << reports
               << "/conformance.html (and conformance.xml, .json, .md)\n";
  return runner::countOutcome(results, runner::Outcome::Fail) == 0 ? 0 : 1;
}

const bool registered = registerCommand(Conformance, runConformance);

} // namespace
} // namespace drawbridge::cli

// conformance-bench: prefill and decode tokens per second of the suite's workloads through
// Drawbridge's shims on the CPU (`drawbridge run llama-workload`), beside the suite's C++ reference
// built for this machine (-O3 -march=native, OpenMP) on the same model, and beside the bound that
// memory bandwidth sets on decoding (weight bytes per token over the STREAM triad bandwidth), all
// measured in this run.
#include "Triad.h"
#include "drawbridge/model/Checkpoint.h"
#include "drawbridge/runner/Runner.h"

#include <cstdio>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Program.h>

using namespace drawbridge;
namespace cl = llvm::cl;

namespace {

cl::opt<std::string> Filter("filter",
                            cl::desc("Workloads to measure (default '*-greedy': "
                                     "sampling does not change the work)"),
                            cl::init("*-greedy"));
cl::opt<std::string> Model("model", cl::desc("A Hugging Face checkpoint to run instead of the "
                                             "generated models"));
cl::opt<unsigned> Repeat("repeat",
                         cl::desc("Runs of each measurement; the fastest counts (default 3)"),
                         cl::init(3));
cl::opt<std::string> WorkDir("work", cl::desc("Where models, dumps and logs go"),
                             cl::init("conformance-bench"));

std::string join(const std::string& a, const std::string& b) {
  llvm::SmallString<256> path(a);
  llvm::sys::path::append(path, b);
  return path.str().str();
}

// Runs a program with its output in `log`; "" on success, or what went wrong.
std::string execute(const std::vector<std::string>& argv, const std::string& log) {
  llvm::SmallVector<llvm::StringRef, 32> args(argv.begin(), argv.end());
  std::optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string error;
  int status = llvm::sys::ExecuteAndWait(argv[0], args, std::nullopt, redirects, 0, 0, &error);
  if (status == 0)
    return "";
  return argv[0] + " failed (" + (error.empty() ? "status " + std::to_string(status) : error) +
         "); see " + log;
}

size_t elementBytes(compare::Precision precision) {
  return precision == compare::Precision::F32 ? 4 : 2;
}

// What decoding one token reads: every weight the workload stores (in its precision) once, but
// only one row of the embedding table.
double weightBytesPerToken(const model::ModelWeights& w, compare::Precision precision) {
  size_t elements =
      w.norm.values.size() + w.lmHead.values.size() + static_cast<size_t>(w.config.hiddenSize);
  for (const auto& l : w.layers)
    for (const model::Tensor* t :
         {&l.inputNorm, &l.q, &l.k, &l.v, &l.o, &l.postNorm, &l.gate, &l.up, &l.down})
      elements += t->values.size();
  return double(elements * elementBytes(precision));
}

// Runs `argv` Repeat times; each run writes its times to `timingFile` (which may be `log`). The
// fastest prefill and the fastest decode count: on a busy machine the slower runs measure the
// other load.
Expected<runner::WorkloadTiming> fastest(const std::vector<std::string>& argv,
                                         const std::string& log, const std::string& timingFile) {
  runner::WorkloadTiming best;
  for (unsigned run = 0; run < std::max(1u, unsigned(Repeat)); ++run) {
    if (std::string problem = execute(argv, log); !problem.empty())
      return Error{problem};
    auto timing = runner::readTiming(timingFile);
    if (!timing)
      return timing;
    if (run == 0 || timing->prefillSeconds < best.prefillSeconds) {
      best.prefillSeconds = timing->prefillSeconds;
      best.prefillTokens = timing->prefillTokens;
    }
    if (run == 0 || timing->decodeSeconds < best.decodeSeconds) {
      best.decodeSeconds = timing->decodeSeconds;
      best.decodeTokens = timing->decodeTokens;
    }
  }
  return best;
}

std::string promptText() {
  std::string text;
  for (int32_t id : runner::suitePrompt())
    text += (text.empty() ? "" : ",") + std::to_string(id);
  return text;
}

} // namespace

int main(int argc, char** argv) {
  cl::ParseCommandLineOptions(argc, argv, "Drawbridge conformance benchmark\n");
  std::string self = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  std::string binDir = llvm::sys::path::parent_path(self).str();
  auto workloads = runner::filterSuite(runner::standardSuite(), Filter);
  if (workloads.empty()) {
    std::fprintf(stderr, "conformance-bench: no workload matches '%s'\n", Filter.c_str());
    return 2;
  }
  runner::RunnerOptions options;
  options.binDir = binDir;
  options.workDir = WorkDir;
  options.userModel = Model;
  llvm::sys::fs::create_directories(WorkDir);

  double bandwidth = bench::triadBandwidth();
  std::printf("STREAM triad bandwidth: %.1f GB/s; prompt %zu tokens, then %d decode steps\n\n",
              bandwidth / 1e9, runner::suitePrompt().size(), runner::kSuiteSteps - 1);
  std::printf("%-26s %12s %12s %12s %12s %12s %9s\n", "workload (tokens/s)", "shim prefill",
              "ref prefill", "shim decode", "ref decode", "decode bound", "shim/ref");
  int failures = 0;
  for (const auto& w : workloads) {
    auto model = runner::prepareModel(w, options);
    if (!model) {
      std::printf("%-26s cannot prepare the model: %s\n", w.name.c_str(),
                  model.error().message.c_str());
      ++failures;
      continue;
    }
    auto weights = model::loadModel(*model);
    if (!weights) {
      std::printf("%-26s cannot read the model: %s\n", w.name.c_str(),
                  weights.error().message.c_str());
      ++failures;
      continue;
    }
    std::string stem = join(WorkDir, w.name), timing = stem + ".timing";
    std::vector<std::string> shim = {join(binDir, "drawbridge"), "run",
                                     join(binDir, "llama-workload")};
    for (auto& a : runner::workloadArguments(w, *model, stem + ".dump"))
      shim.push_back(a);
    shim.insert(shim.end(), {"--timing", timing, "--warm-up", "1"});
    auto s = fastest(shim, stem + ".shim.log", timing);
    auto r = s ? fastest({join(binDir, "conformance-reference-bench"), "--model", *model,
                          "--prompt", promptText(), "--steps", std::to_string(runner::kSuiteSteps)},
                         stem + ".reference", stem + ".reference")
               : s;
    if (!s || !r) {
      std::printf("%-26s %s\n", w.name.c_str(), (!s ? s : r).error().message.c_str());
      ++failures;
      continue;
    }
    double shimDecode = s->decodeTokens / s->decodeSeconds;
    double refDecode = r->decodeTokens / r->decodeSeconds;
    std::printf("%-26s %12.1f %12.1f %12.1f %12.1f %12.0f %8.3gx\n", w.name.c_str(),
                s->prefillTokens / s->prefillSeconds, r->prefillTokens / r->prefillSeconds,
                shimDecode, refDecode, bandwidth / weightBytesPerToken(*weights, w.precision),
                shimDecode / refDecode);
  }
  std::printf("\nshim: drawbridge run llama-workload (nvcc-built; own kernels or cuBLAS) after "
              "one untimed run, fastest of %u; ref: the suite's C++ reference (-O3 -march=native "
              "-fopenmp), fastest of 3 x %u;\ndecode bound: triad bandwidth / weight bytes per "
              "token (the stored "
              "precision). shim/ref: decode speed ratio.\n",
              unsigned(Repeat), unsigned(Repeat));
  return failures ? 1 : 0;
}

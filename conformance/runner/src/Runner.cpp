#include "drawbridge/runner/Runner.h"

#include "Files.h"
#include "drawbridge/model/Checkpoint.h"
#include "drawbridge/reference/Transformer.h"
#include "drawbridge/runner/HipBuild.h"
#include "drawbridge/trace/Trace.h"

#include <chrono>
#include <dlfcn.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Program.h>
#include <llvm/TargetParser/Host.h>
#include <map>
#include <optional>

namespace drawbridge::runner {
namespace {

model::DType dtypeOf(compare::Precision precision) {
  switch (precision) {
  case compare::Precision::F32:
    return model::DType::F32;
  case compare::Precision::F16:
    return model::DType::F16;
  case compare::Precision::BF16:
    return model::DType::BF16;
  }
  return model::DType::F32;
}

// The reference replays each run's tokens, so only the weights are kept between runs.
class ReferenceCache {
public:
  Expected<trace::Trace> follow(const std::string& model, compare::SamplingMode sampling,
                                const trace::Trace& run) {
    auto it = weights_.find(model);
    if (it == weights_.end()) {
      auto weights = model::loadModel(model);
      if (!weights)
        return std::move(weights).takeError();
      it = weights_.emplace(model, std::move(*weights)).first;
    }
    reference::Sampling mode{sampling == compare::SamplingMode::TopP
                                 ? reference::Sampling::Mode::TopP
                                 : reference::Sampling::Mode::Greedy,
                             kSuiteTopP, kSuiteSeed};
    return reference::generate(it->second, suitePrompt(), kSuiteSteps, mode, run.tokens());
  }

private:
  std::map<std::string, model::ModelWeights> weights_;
};

// The ranks of the tensor-parallel path.
constexpr int kTensorParallelRanks = 2;

// Why `path` cannot run `w` here, or nothing when it can.
std::optional<std::string> pathUnavailable(const std::string& path, const Workload& w,
                                           const RunnerOptions& options) {
  if (path == "cpu-tp2" && !llvm::sys::findProgramByName("mpirun"))
    return "needs mpirun (Open MPI: tools/setup.sh installs it) to start its two ranks";
  if ((path == "cpu" || path == "cpu-tp2") && w.gemm == Gemm::Cublas &&
      !llvm::sys::fs::exists(pathJoin(options.libDir, "libcublas.so.13")))
    return "needs Drawbridge's libcublas.so.13 and libcublasLt.so.13, which this build does not "
           "have yet; NVIDIA's cuBLAS cannot run without an NVIDIA driver";
  if (path == "native")
    return nativeUnavailable();
  return std::nullopt;
}

// The HIP builds of one suite run: each variant is built (or found in the cache) once.
class HipBuilds {
public:
  explicit HipBuilds(const RunnerOptions& options)
      : toolchain_(configuredHipToolchain(options.binDir, options.workDir, options.cudaPath)) {}

  const HipBuild& get(bool withBlas) {
    auto it = builds_.find(withBlas);
    if (it == builds_.end())
      it = builds_.emplace(withBlas, buildHipWorkload(toolchain_, withBlas)).first;
    return it->second;
  }

private:
  HipToolchain toolchain_;
  std::map<bool, HipBuild> builds_;
};

std::string targetList() {
  std::string list;
  for (const auto& t : kHipTargets)
    list += (list.empty() ? "" : " and ") + t;
  return list;
}

// The HIP binary to run `w` with, or nothing with `result` saying why not.
std::optional<std::string> hipBinary(const Workload& w, HipBuilds& builds, PathResult& result) {
  const HipBuild& build = builds.get(w.gemm == Gemm::Cublas);
  switch (build.state) {
  case HipBuildState::Failed:
    result.outcome = Outcome::Fail;
    result.reason = build.detail;
    return std::nullopt;
  case HipBuildState::NotCheckable:
    result.outcome = Outcome::NotCheckable;
    result.reason = build.detail;
    return std::nullopt;
  case HipBuildState::Compiled:
    break;
  }
  auto gpu = amdGpuTarget();
  for (size_t i = 0; gpu && i < kHipTargets.size(); ++i)
    if (kHipTargets[i] == *gpu)
      return build.binaries[i];
  result.outcome = Outcome::Compiled;
  result.reason = "compiled for " + targetList() + "; not run: " +
                  (gpu ? "the AMD GPU here is " + *gpu + ", not one of them" : gpu.error().message);
  return std::nullopt;
}

// Compares the dump at `dump` with the reference following its tokens, into `result`.
void compareDump(const std::string& dump, const Workload& w, const std::string& model,
                 ReferenceCache& references, PathResult& result) {
  auto candidate = trace::readTrace(dump);
  if (!candidate) {
    result.outcome = Outcome::Fail;
    result.reason = candidate.error().message;
    return;
  }
  auto expected = references.follow(model, w.sampling, *candidate);
  if (!expected) {
    result.outcome = Outcome::Fail;
    result.reason = expected.error().message;
    return;
  }
  compare::Comparison c = compare::compareTraces(*candidate, *expected, w.precision,
                                                 {w.sampling, kSuiteTopP, kSuiteSeed});
  result.outcome = c.pass ? Outcome::Pass : Outcome::Fail;
  result.failures = c.failures;
  result.boundaryErrors = c.boundaryMaxError;
  result.logitsError = c.logitsMaxError;
  for (const auto& step : c.steps) {
    for (const auto& b : step.boundaries)
      result.maxAbsError = std::max(result.maxAbsError, b.maxAbs);
    result.maxAbsError = std::max(result.maxAbsError, step.logits.maxAbs);
  }
  result.tokensMatched = c.tokensMatched;
  result.tokensForgiven = c.tokensForgiven;
  result.steps = c.stepsTotal;
  if (!c.pass && !c.failures.empty())
    result.reason = c.failures.front();
}

PathResult runOne(const Workload& w, const std::string& path, const RunnerOptions& options,
                  ReferenceCache& references, HipBuilds& hipBuilds) {
  PathResult result;
  result.workload = w.name;
  result.path = path;
  result.steps = kSuiteSteps;
  if (auto why = pathUnavailable(path, w, options)) {
    result.reason = *why;
    return result;
  }
  auto model = prepareModel(w, options);
  if (!model) {
    result.outcome = Outcome::Fail;
    result.reason = "cannot prepare the model: " + model.error().message;
    return result;
  }
  std::string stem = pathJoin(options.workDir, w.name + "." + path);
  std::string dump = stem + ".dump", log = stem + ".log";
  llvm::sys::fs::remove(dump);
  for (int rank = 0; rank < kTensorParallelRanks; ++rank)
    llvm::sys::fs::remove(dump + ".rank" + std::to_string(rank));
  std::string workload = pathJoin(options.binDir, "llama-workload");
  std::vector<std::string> argv;
  std::optional<llvm::SmallVector<llvm::StringRef, 0>> environment;
  std::vector<std::string> env;
  if (path == "cpu") {
    argv = {pathJoin(options.binDir, "drawbridge"), "run", workload};
  } else if (path == "cpu-tp2") {
    // Two ranks on this machine, whatever its cores and user (CI runs as root on two cores).
    argv = {*llvm::sys::findProgramByName("mpirun"),
            "--allow-run-as-root",
            "--oversubscribe",
            "--bind-to",
            "none",
            "-np",
            std::to_string(kTensorParallelRanks),
            pathJoin(options.binDir, "drawbridge"),
            "run",
            "--",
            pathJoin(options.binDir, "llama-tp-workload")};
  } else if (path == "hip") {
    std::optional<std::string> binary = hipBinary(w, hipBuilds, result);
    if (!binary)
      return result;
    argv = {*binary};
  } else {
    argv = {workload};
    for (char** e = environ; *e; ++e)
      if (!llvm::StringRef(*e).starts_with("LD_LIBRARY_PATH="))
        env.emplace_back(*e);
    env.push_back("LD_LIBRARY_PATH=" + pathJoin(options.cudaPath, "lib64"));
  }
  for (auto& a : workloadArguments(w, *model, dump))
    argv.push_back(a);
  std::string timingFile = stem + ".timing";
  llvm::sys::fs::remove(timingFile);
  argv.insert(argv.end(), {"--timing", timingFile});
  llvm::SmallVector<llvm::StringRef, 32> args(argv.begin(), argv.end());
  if (!env.empty())
    environment.emplace(env.begin(), env.end());
  std::optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string error;
  auto started = std::chrono::steady_clock::now();
  int status = llvm::sys::ExecuteAndWait(argv[0], args, environment, redirects,
                                         options.timeoutSeconds, 0, &error);
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (status != 0) {
    result.outcome = Outcome::Fail;
    // ExecuteAndWait says -2 for a crash and for a timeout alike; its message tells which.
    std::string what = status == -2 ? (error.empty() ? "crashed" : error)
                                    : "exited with status " + std::to_string(status);
    result.reason = what + ": " + lastLines(log, 4) + " [log: " + log + "]";
    return result;
  }
  auto timing = readTiming(timingFile);
  if (!timing) {
    result.outcome = Outcome::Fail;
    result.reason = timing.error().message;
    return result;
  }
  if (timing->prefillSeconds > 0)
    result.prefillTokensPerSecond = timing->prefillTokens / timing->prefillSeconds;
  if (timing->decodeSeconds > 0)
    result.decodeTokensPerSecond = timing->decodeTokens / timing->decodeSeconds;
  if (path != "cpu-tp2") {
    compareDump(dump, w, *model, references, result);
    return result;
  }
  // Every rank holds the whole activations and logits: each is checked, the first failing
  // rank's comparison is the result.
  for (int rank = 0; rank < kTensorParallelRanks; ++rank) {
    compareDump(dump + ".rank" + std::to_string(rank), w, *model, references, result);
    if (result.outcome != Outcome::Pass) {
      result.reason = "rank " + std::to_string(rank) + ": " + result.reason;
      break;
    }
  }
  return result;
}

} // namespace

Expected<std::string> prepareModel(const Workload& w, const RunnerOptions& options) {
  if (!options.userModel.empty())
    return options.userModel;
  std::string dir =
      pathJoin(pathJoin(options.workDir, "models"),
               std::string(generator::archName(w.arch)) + "-" + precisionName(w.precision));
  if (llvm::sys::fs::exists(pathJoin(dir, "config.json")))
    return dir;
  model::ModelWeights weights =
      generator::generateWeights(generator::presetConfig(w.arch), kSuiteSeed);
  if (auto error = model::writeModel(dir, weights, dtypeOf(w.precision), 1))
    return std::move(*error);
  return dir;
}

std::vector<std::string> workloadArguments(const Workload& w, const std::string& model,
                                           const std::string& dump) {
  std::string prompt;
  for (int32_t id : suitePrompt())
    prompt += (prompt.empty() ? "" : ",") + std::to_string(id);
  return {"--model",     model,
          "--prompt",    prompt,
          "--steps",     std::to_string(kSuiteSteps),
          "--gemm",      w.gemm == Gemm::Own ? "own" : "cublas",
          "--precision", precisionName(w.precision),
          "--sample",    w.sampling == compare::SamplingMode::Greedy ? "greedy" : "top-p",
          "--top-p",     std::to_string(kSuiteTopP),
          "--seed",      std::to_string(kSuiteSeed),
          "--dump",      dump};
}

Expected<WorkloadTiming> readTiming(const std::string& path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return Error{"cannot read the workload's timing file '" + path + "'"};
  std::map<std::string, double> figures;
  llvm::SmallVector<llvm::StringRef, 8> lines;
  (*buffer)->getBuffer().split(lines, '\n', -1, false);
  for (auto line : lines) {
    auto [name, value] = line.split(' ');
    double number = 0;
    if (!value.trim().getAsDouble(number))
      figures[name.str()] = number;
  }
  WorkloadTiming t;
  for (auto [name, field] : {std::pair{"prefill_tokens", &t.prefillTokens},
                             {"prefill_seconds", &t.prefillSeconds},
                             {"decode_tokens", &t.decodeTokens},
                             {"decode_seconds", &t.decodeSeconds}}) {
    auto it = figures.find(name);
    if (it == figures.end())
      return Error{"the timing file '" + path + "' has no " + name};
    *field = it->second;
  }
  return t;
}

std::optional<std::string> nativeUnavailable() {
  // The driver API is reached by name: Drawbridge never links NVIDIA's driver.
  void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!driver)
    return "no NVIDIA driver (libcuda.so.1) on this machine";
  using Init = int (*)(unsigned);
  using Count = int (*)(int*);
  auto init = reinterpret_cast<Init>(dlsym(driver, "cuInit"));
  auto count = reinterpret_cast<Count>(dlsym(driver, "cuDeviceGetCount"));
  int devices = 0;
  bool present = init && count && init(0) == 0 && count(&devices) == 0 && devices > 0;
  dlclose(driver);
  if (!present)
    return "the NVIDIA driver reports no GPU";
  return std::nullopt;
}

SuiteResults runSuite(const std::vector<Workload>& workloads, const RunnerOptions& options) {
  SuiteResults results;
  results.model = options.userModel.empty() ? "generated (drawbridge-make-model presets, seed " +
                                                  std::to_string(kSuiteSeed) + ")"
                                            : options.userModel;
  results.machine = llvm::sys::getHostCPUName().str();
  llvm::sys::fs::create_directories(options.workDir);
  ReferenceCache references;
  HipBuilds hipBuilds(options);
  size_t total = workloads.size() * options.paths.size(), done = 0;
  for (const auto& w : workloads)
    for (const auto& path : options.paths) {
      if (options.progress)
        options.progress(done, total, w.name + " on " + path);
      results.results.push_back(runOne(w, path, options, references, hipBuilds));
      ++done;
    }
  if (options.progress)
    options.progress(done, total, "done");
  return results;
}

} // namespace drawbridge::runner

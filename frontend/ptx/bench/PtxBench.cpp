// ptx_bench [--rounds N] [DIR|FILE.ptx ...]: prints parse, lowering and verification throughput
// in lines per second over the given PTX modules (by default the corpus the build produced), then,
// for the largest module, the frontend's stages beside LLVM's O3 pipeline plus NVPTX code
// generation on the IR it produced. Every figure is the best of N rounds.
#include "drawbridge/ptx/Lowering.h"
#include "drawbridge/ptx/Parser.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <sstream>
#include <string_view>

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

struct Source {
  std::string name;
  std::string text;
  size_t lines;
};

std::vector<Source> load(const std::vector<std::string>& paths) {
  std::vector<Source> sources;
  auto add = [&](const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    sources.push_back({p.filename().string(), s, size_t(std::count(s.begin(), s.end(), '\n'))});
  };
  for (const auto& path : paths) {
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path))
        if (entry.path().extension() == ".ptx")
          add(entry.path());
    } else {
      add(path);
    }
  }
  return sources;
}

// LLVM's O3 pipeline and NVPTX code generation to PTX text; returns the seconds taken.
double optimizeAndCodegen(llvm::Module& m) {
  auto start = Clock::now();
  drawbridge::ptx::optimize(m, llvm::OptimizationLevel::O3);

  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(m.getTargetTriple(), error);
  if (!target) {
    std::fprintf(stderr, "no NVPTX target: %s\n", error.c_str());
    return 0;
  }
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      m.getTargetTriple(), "sm_80", "", llvm::TargetOptions(), std::nullopt));
  llvm::SmallString<0> ptx;
  llvm::raw_svector_ostream os(ptx);
  llvm::legacy::PassManager codegen;
  tm->addPassesToEmitFile(codegen, os, nullptr, llvm::CodeGenFileType::AssemblyFile);
  codegen.run(m);
  return seconds(start);
}

// The best (least) time of each stage over the rounds: noise from other processes only ever adds
// time, so the minimum is the figure least disturbed by it.
struct StageTimes {
  double parse = 1e9, lower = 1e9, verify = 1e9;
  void keepBest(const StageTimes& round) {
    parse = std::min(parse, round.parse);
    lower = std::min(lower, round.lower);
    verify = std::min(verify, round.verify);
  }
};

// Parses, lowers and verifies one module, adding each stage's time to `times`; false on an error.
bool runFrontend(const Source& s, StageTimes& times, llvm::LLVMContext& ctx,
                 std::unique_ptr<llvm::Module>* keep = nullptr) {
  auto start = Clock::now();
  auto module = drawbridge::ptx::parse(s.text);
  times.parse += seconds(start);
  if (!module) {
    std::fprintf(stderr, "%s: %s\n", s.name.c_str(), module.error().message.c_str());
    return false;
  }
  start = Clock::now();
  auto ir = drawbridge::ptx::lower(*module, ctx);
  times.lower += seconds(start);
  if (!ir) {
    std::fprintf(stderr, "%s: %s\n", s.name.c_str(), ir.error().message.c_str());
    return false;
  }
  start = Clock::now();
  auto problem = drawbridge::ptx::verify(**ir);
  times.verify += seconds(start);
  if (problem) {
    std::fprintf(stderr, "%s: %s\n", s.name.c_str(), problem->message.c_str());
    return false;
  }
  if (keep)
    *keep = std::move(*ir);
  return true;
}

} // namespace

int main(int argc, char** argv) {
  LLVMInitializeNVPTXTargetInfo();
  LLVMInitializeNVPTXTarget();
  LLVMInitializeNVPTXTargetMC();
  LLVMInitializeNVPTXAsmPrinter();

  int rounds = 15;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) != "--rounds") {
      paths.push_back(argv[i]);
      continue;
    }
    rounds = i + 1 < argc ? std::atoi(argv[++i]) : 0;
    if (rounds <= 0) {
      std::fprintf(stderr, "--rounds takes a positive count\n");
      return 1;
    }
  }
  if (paths.empty())
    paths.push_back(DRAWBRIDGE_PTX_CORPUS);
  auto sources = load(paths);
  if (sources.empty()) {
    std::fprintf(stderr, "no PTX modules found\n");
    return 1;
  }
  size_t totalLines = 0;
  for (const auto& s : sources)
    totalLines += s.lines;

  // Throughput over every module: each round times the whole set, stage by stage.
  StageTimes corpus;
  size_t failures = 0;
  for (int round = 0; round < rounds; ++round) {
    StageTimes times{0, 0, 0};
    failures = 0;
    for (const auto& s : sources) {
      llvm::LLVMContext ctx;
      ctx.setDiscardValueNames(true); // as compileToNvvmBitcode does
      failures += !runFrontend(s, times, ctx);
    }
    corpus.keepBest(times);
  }
  double lines = double(totalLines);
  std::printf("%zu modules, %zu lines (%zu failed to parse, lower or verify); best of %d rounds\n",
              sources.size(), totalLines, failures, rounds);
  std::printf("lowering as the shim's compile path runs it: local value names discarded\n");
  std::printf("parse:            %10.0f lines/s\n", lines / corpus.parse);
  std::printf("lowering:         %10.0f lines/s (mem2reg included)\n", lines / corpus.lower);
  std::printf("LLVM verifier:    %10.0f lines/s (run once by the callers that hand IR on)\n",
              lines / corpus.verify);
  std::printf("parse + lowering: %10.0f lines/s\n", lines / (corpus.parse + corpus.lower));

  const Source& largest =
      *std::max_element(sources.begin(), sources.end(),
                        [](const auto& a, const auto& b) { return a.lines < b.lines; });
  // Best of the rounds for every column, so that no side pays for first-use costs or noise alone.
  StageTimes frontend;
  double backend = 1e9;
  for (int round = 0; round < rounds; ++round) {
    llvm::LLVMContext ctx;
    ctx.setDiscardValueNames(true); // as compileToNvvmBitcode does
    StageTimes times{0, 0, 0};
    std::unique_ptr<llvm::Module> ir;
    if (!runFrontend(largest, times, ctx, &ir))
      return 1;
    frontend.keepBest(times);
    backend = std::min(backend, optimizeAndCodegen(*ir));
  }
  double ours = frontend.parse + frontend.lower;
  std::printf("\nlargest module %s (%zu lines), best of %d rounds, in ms:\n", largest.name.c_str(),
              largest.lines, rounds);
  std::printf("%10s %10s %10s %10s %18s\n", "parse", "lowering", "verifier", "p+l",
              "LLVM O3+codegen");
  std::printf("%10.2f %10.2f %10.2f %10.2f %18.2f\n", frontend.parse * 1e3, frontend.lower * 1e3,
              frontend.verify * 1e3, ours * 1e3, backend * 1e3);
  std::printf("frontend (parse + lowering) is %.1f%% of LLVM O3 + NVPTX codegen; %.1f%% with the "
              "verifier\n",
              100.0 * ours / backend, 100.0 * (ours + frontend.verify) / backend);
  return 0;
}

// ptx_bench [DIR|FILE.ptx ...]: prints parse and lowering throughput in lines per second over the
// given PTX modules (by default the corpus the build produced), then, for the largest module, the
// frontend's time beside LLVM's O3 pipeline plus NVPTX code generation on the IR it produced.
#include "drawbridge/ptx/Lowering.h"
#include "drawbridge/ptx/Parser.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <sstream>

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

} // namespace

int main(int argc, char** argv) {
  LLVMInitializeNVPTXTargetInfo();
  LLVMInitializeNVPTXTarget();
  LLVMInitializeNVPTXTargetMC();
  LLVMInitializeNVPTXAsmPrinter();

  std::vector<std::string> paths(argv + 1, argv + argc);
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

  // Repeat so that the measurement covers at least a few hundred milliseconds.
  constexpr int kRounds = 5;
  double parseTime = 0, lowerTime = 0;
  size_t failures = 0;
  for (int round = 0; round < kRounds; ++round)
    for (const auto& s : sources) {
      auto start = Clock::now();
      auto module = drawbridge::ptx::parse(s.text);
      parseTime += seconds(start);
      if (!module) {
        ++failures;
        continue;
      }
      llvm::LLVMContext ctx;
      start = Clock::now();
      auto ir = drawbridge::ptx::lower(*module, ctx);
      lowerTime += seconds(start);
      failures += !ir;
    }
  double lines = double(totalLines) * kRounds;
  std::printf("%zu modules, %zu lines (%zu failed to parse or lower)\n", sources.size(), totalLines,
              failures / kRounds);
  std::printf("parse:    %10.0f lines/s\n", lines / parseTime);
  std::printf("lowering: %10.0f lines/s (parse + lowering: %.0f lines/s)\n", lines / lowerTime,
              lines / (parseTime + lowerTime));

  const Source& largest =
      *std::max_element(sources.begin(), sources.end(),
                        [](const auto& a, const auto& b) { return a.lines < b.lines; });
  // Best of several runs for both sides, so neither pays for first-use costs alone.
  double parseTimeLargest = 1e9, frontend = 1e9, backend = 1e9;
  for (int round = 0; round < kRounds; ++round) {
    llvm::LLVMContext ctx;
    auto start = Clock::now();
    auto module = drawbridge::ptx::parse(largest.text);
    parseTimeLargest = std::min(parseTimeLargest, seconds(start));
    auto ir = module ? drawbridge::ptx::lower(*module, ctx)
                     : drawbridge::Expected<std::unique_ptr<llvm::Module>>(module.error());
    frontend = std::min(frontend, seconds(start));
    if (!ir) {
      std::fprintf(stderr, "%s: %s\n", largest.name.c_str(), ir.error().message.c_str());
      return 1;
    }
    backend = std::min(backend, optimizeAndCodegen(**ir));
  }
  std::printf("largest module %s (%zu lines), best of %d: frontend %.2f ms (parse %.2f ms), "
              "LLVM O3 + NVPTX codegen %.2f ms (frontend is %.1f%% of that)\n",
              largest.name.c_str(), largest.lines, kRounds, frontend * 1e3, parseTimeLargest * 1e3,
              backend * 1e3, 100.0 * frontend / backend);
  return 0;
}

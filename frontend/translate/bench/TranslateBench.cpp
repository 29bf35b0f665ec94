// Translation throughput: lines per second for the rewrite alone (no clang parse) and for the
// whole translation (clang parse of each unit + rewrite) with 1 and N parallel jobs.
// Usage: translate_bench [-j N] [files...]; with no files, the repository's CUDA programs.
#include "drawbridge/translate/Translator.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Threading.h>
#include <llvm/Support/raw_ostream.h>
#include <string>
#include <vector>

using namespace drawbridge::translate;

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Every .cu file of the repository, as the compile check finds them: none under hidden or build
/// directories, nor the lit inputs, which are fragments.
std::vector<std::string> repositoryPrograms() {
  const std::string root = DRAWBRIDGE_SOURCE_DIR;
  std::vector<std::string> found;
  std::error_code ec;
  for (llvm::sys::fs::recursive_directory_iterator it(root, ec), end; it != end && !ec;
       it.increment(ec)) {
    const std::string& path = it->path();
    llvm::StringRef name = llvm::sys::path::filename(path);
    if (it->type() == llvm::sys::fs::file_type::directory_file) {
      if (name.starts_with(".") || llvm::sys::fs::exists(path + "/CMakeCache.txt") ||
          llvm::StringRef(path).ends_with("frontend/translate/tests/lit"))
        it.no_push();
    } else if (name.ends_with(".cu")) {
      found.push_back(path);
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

} // namespace

int main(int argc, char** argv) {
  unsigned jobs = llvm::hardware_concurrency().compute_thread_count();
  std::vector<std::string> sources;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-j" && i + 1 < argc)
      jobs = static_cast<unsigned>(std::atoi(argv[++i]));
    else
      sources.push_back(arg);
  }
  if (sources.empty())
    sources = repositoryPrograms();

  std::vector<std::string> texts;
  unsigned long long lines = 0;
  for (const auto& s : sources) {
    auto buffer = llvm::MemoryBuffer::getFile(s);
    if (!buffer) {
      llvm::errs() << s << ": " << buffer.getError().message() << "\n";
      return 1;
    }
    texts.push_back((*buffer)->getBuffer().str());
    for (char c : texts.back())
      lines += c == '\n';
  }

  Options options;
  // The rewrite alone, repeated until it has run for a while.
  unsigned rounds = 0;
  auto start = std::chrono::steady_clock::now();
  do {
    for (std::size_t i = 0; i < texts.size(); ++i) {
      std::vector<Diagnostic> diagnostics;
      Stats stats;
      translateText(options, sources[i], texts[i], diagnostics, stats);
    }
    ++rounds;
  } while (secondsSince(start) < 1.0);
  double rewrite = secondsSince(start);
  llvm::outs() << llvm::format("rewrite only:      %8.0f lines/s (%llu lines x %u rounds)\n",
                               lines * rounds / rewrite, lines, rounds);

  auto database = defaultDatabase();
  for (unsigned j : {1u, jobs}) {
    start = std::chrono::steady_clock::now();
    Translation t = translate(options, *database, sources, j);
    double whole = secondsSince(start);
    unsigned long long translatedLines = 0;
    for (const auto& f : t.files)
      for (char c : f.original)
        translatedLines += c == '\n';
    llvm::outs() << llvm::format(
        "parse + rewrite:   %8.0f lines/s (%zu units, %zu files, %llu lines, -j %u, %.2f s)\n",
        translatedLines / whole, sources.size(), t.files.size(), translatedLines, j, whole);
  }
  return 0;
}

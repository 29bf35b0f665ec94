// Translates CUDA translation units and the project headers they reach into HIP source text.
#pragma once

#include "drawbridge/translate/Diagnostic.h"
#include "drawbridge/translate/Options.h"
#include "drawbridge/translate/Stats.h"

#include <clang/Tooling/CompilationDatabase.h>
#include <string>
#include <vector>

namespace drawbridge::translate {

struct TranslatedFile {
  std::string path; // absolute, as found
  std::string original;
  std::string translated;
  bool isSource = false; // a translation unit given as input (not a header it reached)
  bool changed() const { return original != translated; }
};

struct Translation {
  std::vector<TranslatedFile> files; // sorted by path
  std::vector<Diagnostic> diagnostics;
  Stats stats;
};

/// Compilation database for sources given on the command line without one.
std::unique_ptr<clang::tooling::CompilationDatabase> defaultDatabase();

/// Parses each source with clang (CUDA 13 headers, host side), then rewrites every source and every
/// project header reached (never system headers), once each. `jobs` parses run at a time.
Translation translate(const Options& options, const clang::tooling::CompilationDatabase& database,
                      const std::vector<std::string>& sources, unsigned jobs);

/// Rewrites one buffer with no clang parse (no user declarations known): for tests and benchmarks.
TranslatedFile translateText(const Options& options, std::string path, std::string text,
                             std::vector<Diagnostic>& diagnostics, Stats& stats);

} // namespace drawbridge::translate

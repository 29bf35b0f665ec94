// The clang parse of one translation unit: which project files it reaches, which names the
// project declares, and the warp-size assumptions found in its device code.
#pragma once

#include "Project.h"
#include "drawbridge/translate/Diagnostic.h"
#include "drawbridge/translate/Options.h"

#include <clang/Tooling/Tooling.h>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace drawbridge::translate {

struct UnitFacts {
  std::set<std::string> projectFiles; // absolute paths: the unit's own file and project headers
  ProjectNames names;
  std::vector<Diagnostic> diagnostics;
  unsigned errors = 0;       // clang errors in project files
  unsigned systemErrors = 0; // clang errors in system headers only
  std::string firstError;
};

std::unique_ptr<clang::tooling::FrontendActionFactory> collectorFactory(const Options& options,
                                                                        UnitFacts& facts);

/// Reports device code that assumes 32-lane warps (a 64-lane target only).
void checkWarpAssumptions(clang::ASTContext& context, const Options& options,
                          std::vector<Diagnostic>& diagnostics);

/// Where a diagnostic about `loc` goes: the file position it is written at (a macro's use).
Diagnostic diagnosticAt(const clang::SourceManager& sources, clang::SourceLocation loc, DiagId id,
                        std::string message);

/// Whether `loc` is in a project file: not a system header (the compatibility headers are on the
/// system include path).
bool inProjectFile(const clang::SourceManager& sources, clang::SourceLocation loc);

} // namespace drawbridge::translate

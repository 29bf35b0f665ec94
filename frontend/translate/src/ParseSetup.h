// How clang is run to parse CUDA 13 sources: the arguments, and the compatibility headers that
// make clang 19 accept what nvcc accepts.
#pragma once

#include "drawbridge/translate/Options.h"

#include <clang/Tooling/ArgumentsAdjusters.h>
#include <clang/Tooling/Tooling.h>

namespace drawbridge::translate {

/// A temporary directory holding the compatibility headers, removed when destroyed. (Headers
/// mapped into ClangTool's in-memory file system are not found by #include from clang's own CUDA
/// wrapper, so they are real files.)
class CompatibilityHeaders {
public:
  CompatibilityHeaders();
  ~CompatibilityHeaders();
  CompatibilityHeaders(const CompatibilityHeaders&) = delete;
  CompatibilityHeaders& operator=(const CompatibilityHeaders&) = delete;
  const std::string& directory() const { return directory_; }

private:
  std::string directory_;
};

/// Rewrites a compile command (nvcc's or a C++ compiler's) into a clang host-side CUDA parse:
/// keeps include paths, macros, forced includes and the C++ standard, drops the rest.
clang::tooling::ArgumentsAdjuster parseArguments(const Options& options,
                                                 const CompatibilityHeaders& compat);

} // namespace drawbridge::translate

// Checks made before `drawbridge run` starts a program, so that a binary Drawbridge cannot run
// fails at once with the reason and the rebuild that fixes it, not midway with a CUDA error.
#pragma once

#include <optional>
#include <string>

namespace drawbridge::cli {

/// Why the program at `path` cannot run on Drawbridge's shims, or nothing when it can (files
/// that are not ELF, such as scripts, are not checked: what they start is checked by the shim).
std::optional<std::string> preflightProblem(const std::string& path);

} // namespace drawbridge::cli

// What the HIP path reads in `drawbridge translate`'s diagnostics.
#pragma once

#include <string>

namespace drawbridge::runner {

/// The names the translator maps only to a HIP newer than the target (its DBT003 errors), the
/// first of each version: "<cublasLt.h> from HIP 5.5, CUDA_R_16BF from HIP 6.0 (this system's
/// HIP is 5.2)"; "" when there are none.
std::string newerHipNames(const std::string& log);

/// Whether the log has errors and every one is a name that only a HIP newer than the target has
/// (DBT003): such a translation is not checkable on this system, not wrong. Any other error (what
/// no HIP can express, unreadable input) makes it false.
bool onlyNewerHipErrors(const std::string& log);

} // namespace drawbridge::runner

// DRAWBRIDGE_PROFILE=1 (`drawbridge run --profile`): each launch is run to completion and timed,
// and a table per kernel (calls, total, mean, min, max) is printed at exit, like nvprof's.
#pragma once

#include <string>

namespace drawbridge::cudart {

bool profiling();
void recordKernelTime(const std::string& kernel, double milliseconds);

} // namespace drawbridge::cudart

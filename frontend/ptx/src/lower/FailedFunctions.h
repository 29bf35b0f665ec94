// Functions whose bodies could not be lowered, when the caller asked for failures to be
// contained (LoweringOptions::failedKernels): they, and every function calling them, become
// declarations, so each kernel that can run still does and each that cannot says why.
#pragma once

#include "FunctionLowering.h"

#include <map>
#include <string>

namespace drawbridge::ptx::nvvm {

class FailedFunctions {
public:
  void add(llvm::Function* function, std::string reason) {
    reasons_.emplace(function, std::move(reason));
  }

  /// Spreads each failure to the functions that call the failed one, removes the bodies, and
  /// reports the kernels among them, in module order.
  void leaveOut(ModuleState& state, std::vector<FunctionFailure>& kernels);

private:
  std::map<llvm::Function*, std::string> reasons_;
};

} // namespace drawbridge::ptx::nvvm

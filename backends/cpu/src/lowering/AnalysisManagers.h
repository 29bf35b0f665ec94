// The four analysis managers a new-pass-manager pipeline needs, registered and cross-wired.
#pragma once

#include <llvm/Passes/PassBuilder.h>

namespace drawbridge::backend::cpu {

struct AnalysisManagers {
  llvm::LoopAnalysisManager loop;
  llvm::FunctionAnalysisManager function;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager module;

  explicit AnalysisManagers(llvm::PassBuilder& builder) {
    builder.registerModuleAnalyses(module);
    builder.registerCGSCCAnalyses(cgscc);
    builder.registerFunctionAnalyses(function);
    builder.registerLoopAnalyses(loop);
    builder.crossRegisterProxies(loop, function, cgscc, module);
  }
};

} // namespace drawbridge::backend::cpu

// Lowering a parsed PTX module to NVVM IR: LLVM IR in the dialect clang's CUDA device compiler
// emits (llvm.nvvm.* intrinsics, NVPTX address spaces, kernels listed in !nvvm.annotations).
#pragma once

#include "drawbridge/ptx/Module.h"
#include "drawbridge/support/Expected.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Passes/OptimizationLevel.h>
#include <memory>
#include <vector>

namespace drawbridge::ptx {

/// The string attribute that carries a parameter's `.param .align N` (the parameter itself is a
/// byte array, which has no alignment of its own); the CPU backend lays out CUDA's parameter
/// buffer by it.
inline constexpr const char* kParamAlignAttribute = "drawbridge-param-align";

struct LoweringOptions {
  /// The SM the IR is for (target-cpu of every function); 0 takes the module's .target.
  unsigned sm = 0;
  /// Promote PTX registers to SSA values (mem2reg). Off, every register stays an alloca.
  bool promoteRegisters = true;
  /// Unset, the first function that cannot be lowered fails the module. Set, such a function
  /// and every function that calls it are left declarations, so the module's other kernels
  /// still run, and each kernel among them is appended here with the reason.
  std::vector<FunctionFailure>* failedKernels = nullptr;
};

/// The module's NVVM IR. It is not verified here: callers that hand the IR on verify it once,
/// after any linking (compileToNvvmBitcode, `drawbridge ptx --verify`, the tests), rather than
/// every module paying for LLVM's verifier twice.
Expected<std::unique_ptr<llvm::Module>> lower(const Module& module, llvm::LLVMContext& context,
                                              const LoweringOptions& options = {});

/// LLVM's verifier on lowered IR; a failure is a frontend bug, reported with LLVM's findings.
std::optional<Error> verify(const llvm::Module& ir);

/// Runs LLVM's default module pipeline at `level` on lowered IR, as a backend would.
void optimize(llvm::Module& module, llvm::OptimizationLevel level);

} // namespace drawbridge::ptx

// Splitting an NVVM IR module so that each kernel compiles on its own, when first asked for
// (CUDA's lazy loading). The module's __device__/__constant__ variables live once, in a
// "globals" module loaded with the module; each kernel gets a module of its own holding the
// kernel, the device functions it reaches, its shared memory and copies of the private
// constants it reads, with every other variable declared, resolved against the globals when
// the JIT links it. One kernel that cannot be compiled or linked then fails only itself.
#pragma once

#include <llvm/IR/Module.h>
#include <memory>

namespace drawbridge::backend::cpu {

/// Gives the variables that kernels share (all but shared memory and private constants)
/// external linkage, so that one definition serves every kernel module. Run once on the parsed
/// module, before extracting from it.
void shareVariables(llvm::Module& module);

/// The module's variables and the functions their initializers point at (device-function
/// tables), without kernels.
std::unique_ptr<llvm::Module> extractGlobals(const llvm::Module& module);

/// `kernel` and what it needs, every shared variable declared.
std::unique_ptr<llvm::Module> extractKernel(const llvm::Module& module,
                                            const llvm::Function& kernel);

} // namespace drawbridge::backend::cpu

// Makes the NVPTX module a host module: host triple and data layout, no NVPTX target
// attributes, and every device function inlined into the kernels that call it.
#include "AnalysisManagers.h"
#include "Lowering.h"

#include <llvm/IR/CallingConv.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Transforms/IPO/AlwaysInliner.h>
#include <set>

namespace drawbridge::backend::cpu {

void retargetToHost(llvm::Module& module, const llvm::TargetMachine& target) {
  module.setTargetTriple(target.getTargetTriple().str());
  module.setDataLayout(target.createDataLayout());
  for (llvm::Function& function : module) {
    // sm_XX and +ptxNN mean nothing to the host code generator, which rejects them.
    function.removeFnAttr("target-cpu");
    function.removeFnAttr("target-features");
    function.removeFnAttr("uniform-work-group-size");
    if (function.getCallingConv() == llvm::CallingConv::PTX_Kernel ||
        function.getCallingConv() == llvm::CallingConv::PTX_Device)
      function.setCallingConv(llvm::CallingConv::C);
  }
}

std::vector<llvm::Function*> findKernels(llvm::Module& module) {
  std::set<llvm::Function*> kernels;
  for (llvm::Function& function : module)
    if (function.getCallingConv() == llvm::CallingConv::PTX_Kernel && !function.isDeclaration())
      kernels.insert(&function);
  if (llvm::NamedMDNode* annotations = module.getNamedMetadata("nvvm.annotations")) {
    for (llvm::MDNode* node : annotations->operands()) {
      if (node->getNumOperands() < 3)
        continue;
      auto* key = llvm::dyn_cast<llvm::MDString>(node->getOperand(1));
      auto* value = llvm::mdconst::dyn_extract_or_null<llvm::ConstantInt>(node->getOperand(2));
      auto* function = llvm::mdconst::dyn_extract_or_null<llvm::Function>(node->getOperand(0));
      if (key && key->getString() == "kernel" && value && value->isOne() && function &&
          !function->isDeclaration())
        kernels.insert(function);
    }
  }
  std::vector<llvm::Function*> ordered;
  for (llvm::Function& function : module) // module order, so descriptors are deterministic
    if (kernels.count(&function))
      ordered.push_back(&function);
  return ordered;
}

llvm::Error inlineDeviceFunctions(llvm::Module& module,
                                  const std::vector<llvm::Function*>& kernels) {
  std::set<llvm::Function*> isKernel(kernels.begin(), kernels.end());
  for (llvm::Function& function : module) {
    if (function.isDeclaration() || isKernel.count(&function))
      continue;
    function.removeFnAttr(llvm::Attribute::NoInline);
    function.removeFnAttr(llvm::Attribute::OptimizeNone);
    function.addFnAttr(llvm::Attribute::AlwaysInline);
  }
  llvm::PassBuilder builder;
  AnalysisManagers analyses(builder);
  llvm::ModulePassManager passes;
  passes.addPass(llvm::AlwaysInlinerPass(/*InsertLifetimeIntrinsics=*/false));
  passes.run(module, analyses.module);

  // A call left in a kernel is recursion (or a kernel calling a kernel): the block lowering
  // cannot see barriers or special registers behind it.
  for (llvm::Function* kernel : kernels)
    for (llvm::Instruction& instruction : llvm::instructions(*kernel))
      if (auto* call = llvm::dyn_cast<llvm::CallBase>(&instruction))
        if (llvm::Function* callee = call->getCalledFunction(); callee && !callee->isDeclaration())
          return llvm::createStringError("kernel '" + kernel->getName().str() + "' calls '" +
                                         callee->getName().str() +
                                         "', which cannot be inlined (recursion is not "
                                         "supported by the CPU backend)");
  return llvm::Error::success();
}

} // namespace drawbridge::backend::cpu

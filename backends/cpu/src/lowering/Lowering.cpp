// The lowering pipeline: NVVM IR module in, host module with one BlockFunction per kernel and
// a ModuleDescriptor out.
#include "Lowering.h"

#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Instructions.h>

namespace drawbridge::backend::cpu {

llvm::Error checkNothingNvptxLeft(llvm::Module& module) {
  for (llvm::Function& function : module) {
    if (!function.getName().starts_with("llvm.nvvm.") || function.use_empty())
      continue;
    auto* user = llvm::dyn_cast<llvm::Instruction>(*function.user_begin());
    std::string where = user ? " (in '" + user->getFunction()->getName().str() + "')" : "";
    return llvm::createStringError("the CPU backend does not support the NVVM intrinsic '" +
                                   function.getName().str() + "'" + where);
  }
  for (llvm::Function& function : module)
    for (llvm::BasicBlock& block : function)
      for (llvm::Instruction& instruction : block)
        if (auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction); call && call->isInlineAsm())
          return llvm::createStringError(
              "the CPU backend cannot run inline PTX assembly ('" +
              llvm::cast<llvm::InlineAsm>(call->getCalledOperand())->getAsmString() + "' in '" +
              function.getName().str() + "')");
  return llvm::Error::success();
}

static std::vector<uint32_t> parameterSizes(const llvm::Function& kernel) {
  const llvm::DataLayout& dataLayout = kernel.getParent()->getDataLayout();
  std::vector<uint32_t> sizes;
  for (const llvm::Argument& argument : kernel.args()) {
    llvm::Type* type = argument.hasByValAttr() ? argument.getParamByValType() : argument.getType();
    sizes.push_back(uint32_t(dataLayout.getTypeAllocSize(type)));
  }
  return sizes;
}

llvm::Error lowerModule(llvm::Module& module, const llvm::TargetMachine& target) {
  if (!llvm::StringRef(module.getTargetTriple()).starts_with("nvptx"))
    return llvm::createStringError("module '" + module.getModuleIdentifier() +
                                   "' is not NVVM IR (target triple '" + module.getTargetTriple() +
                                   "')");
  std::vector<llvm::Function*> kernels = findKernels(module);
  retargetToHost(module, target);
  lowerLibdeviceCalls(module);
  lowerNvvmMath(module);
  makeBFloat16Exact(module);
  makeArithmeticExact(module);
  if (llvm::Error error = inlineDeviceFunctions(module, kernels))
    return error;

  std::vector<StepFunction> steps;
  steps.reserve(kernels.size());
  std::vector<LoweredKernel> lowered;
  for (llvm::Function* kernel : kernels) {
    auto step = buildStepFunction(*kernel);
    if (!step)
      return step.takeError();
    steps.push_back(*step);
    lowered.push_back({kernel->getName().str(), buildBlockFunction(*kernel, steps.back()),
                       &steps.back(), parameterSizes(*kernel)});
  }
  emitModuleDescriptor(module, lowered);

  // The kernels' original bodies, the shared variables and everything only they used are gone;
  // what remains must be host code.
  for (llvm::Function* kernel : kernels)
    kernel->eraseFromParent();
  if (llvm::NamedMDNode* annotations = module.getNamedMetadata("nvvm.annotations"))
    annotations->eraseFromParent();
  for (llvm::GlobalVariable& global : llvm::make_early_inc_range(module.globals())) {
    if (global.getAddressSpace() != 3)
      continue;
    global.removeDeadConstantUsers();
    if (global.use_empty())
      global.eraseFromParent();
  }
  for (llvm::Function& function : llvm::make_early_inc_range(module))
    if (function.hasFnAttribute(llvm::Attribute::AlwaysInline) && function.use_empty() &&
        !function.isDeclaration())
      function.eraseFromParent();
  return checkNothingNvptxLeft(module);
}

} // namespace drawbridge::backend::cpu

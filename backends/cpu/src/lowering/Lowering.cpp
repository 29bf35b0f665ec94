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

// Each parameter's size, and its offset in CUDA's parameter buffer, where every parameter starts
// at its own alignment (a by-value aggregate's stated one, as PTX's `.param .align N`).
static void parameterLayout(const llvm::Function& kernel, LoweredKernel& lowered) {
  const llvm::DataLayout& dataLayout = kernel.getParent()->getDataLayout();
  uint64_t end = 0;
  for (const llvm::Argument& argument : kernel.args()) {
    llvm::Type* type = argument.hasByValAttr() ? argument.getParamByValType() : argument.getType();
    llvm::Align align = argument.getParamAlign().value_or(dataLayout.getABITypeAlign(type));
    // The PTX frontend's kParamAlignAttribute (drawbridge/ptx/Lowering.h): `.param .align N`.
    llvm::Attribute attribute =
        kernel.getAttributes().getParamAttr(argument.getArgNo(), "drawbridge-param-align");
    uint64_t stated = 0;
    if (attribute.isValid() && !attribute.getValueAsString().getAsInteger(10, stated) &&
        llvm::isPowerOf2_64(stated))
      align = llvm::Align(stated);
    uint64_t offset = llvm::alignTo(end, align);
    uint64_t size = dataLayout.getTypeAllocSize(type);
    lowered.paramSizes.push_back(uint32_t(size));
    lowered.paramOffsets.push_back(uint32_t(offset));
    end = offset + size;
  }
}

llvm::Error lowerModule(llvm::Module& module, const llvm::TargetMachine& target,
                        Arithmetic arithmetic) {
  if (!llvm::StringRef(module.getTargetTriple()).starts_with("nvptx"))
    return llvm::createStringError("module '" + module.getModuleIdentifier() +
                                   "' is not NVVM IR (target triple '" + module.getTargetTriple() +
                                   "')");
  std::vector<llvm::Function*> kernels = findKernels(module);
  retargetToHost(module, target);
  lowerLibdeviceCalls(module);
  lowerNvvmMath(module);
  if (arithmetic == Arithmetic::Nvidia) {
    makeBFloat16Exact(module);
    makeArithmeticExact(module);
  }
  if (llvm::Error error = inlineDeviceFunctions(module, kernels))
    return error;

  std::vector<StepFunction> steps;
  steps.reserve(kernels.size());
  std::vector<LoweredKernel> lowered;
  for (llvm::Function* kernel : kernels) {
    unrollCollectiveLoops(*kernel);
    keepWarpsInLockstep(*kernel);
    auto step = buildStepFunction(*kernel);
    if (!step)
      return step.takeError();
    steps.push_back(*step);
    lowered.push_back({kernel->getName().str(),
                       buildBlockFunction(*kernel, steps.back()),
                       &steps.back(),
                       {},
                       {}});
    parameterLayout(*kernel, lowered.back());
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

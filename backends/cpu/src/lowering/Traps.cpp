// A trap or failed assert must stop the thread and fail the launch without taking the process
// down: the runtime hook records what happened, then the thread leaves its step function.
#include "Lowering.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Instructions.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>
#include <llvm/Transforms/Utils/Local.h>

namespace drawbridge::backend::cpu {

/// __assertfail, llvm.trap, and __trap()/__brkpt(), which clang writes as inline PTX.
static bool isTrap(const llvm::CallInst& call) {
  if (call.isInlineAsm()) {
    llvm::StringRef text = llvm::cast<llvm::InlineAsm>(call.getCalledOperand())->getAsmString();
    return text == "trap;" || text == "brkpt;";
  }
  const llvm::Function* callee = call.getCalledFunction();
  return callee && (callee->getName() == "__assertfail" || callee->getName() == "llvm.trap" ||
                    callee->getName() == "llvm.debugtrap");
}

void lowerTraps(llvm::Function& step, llvm::Value* context, llvm::ArrayRef<llvm::Value*> tid) {
  std::vector<llvm::CallInst*> traps;
  for (llvm::BasicBlock& block : step)
    for (llvm::Instruction& instruction : block)
      if (auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction))
        if (isTrap(*call))
          traps.push_back(call);
  if (traps.empty())
    return;

  llvm::Module& module = *step.getParent();
  llvm::LLVMContext& llvmContext = module.getContext();
  auto* ptr = llvm::PointerType::get(llvmContext, 0);
  auto* i32 = llvm::Type::getInt32Ty(llvmContext);
  auto* voidType = llvm::Type::getVoidTy(llvmContext);
  llvm::FunctionCallee trapHook = module.getOrInsertFunction(
      kTrapHook, llvm::FunctionType::get(voidType, {ptr, i32, i32, i32}, false));
  llvm::FunctionCallee assertHook = module.getOrInsertFunction(
      kAssertHook,
      llvm::FunctionType::get(voidType, {ptr, i32, i32, i32, ptr, ptr, i32, ptr}, false));

  for (llvm::CallInst* call : traps) {
    llvm::IRBuilder<> builder(call);
    if (call->getCalledFunction() && call->getCalledFunction()->getName() == "__assertfail")
      builder.CreateCall(assertHook,
                         {context, tid[0], tid[1], tid[2], call->getArgOperand(0),
                          call->getArgOperand(1), call->getArgOperand(2), call->getArgOperand(3)});
    else
      builder.CreateCall(trapHook, {context, tid[0], tid[1], tid[2]});
    llvm::BasicBlock* block = call->getParent();
    llvm::SplitBlock(block, call->getNextNode(), static_cast<llvm::DominatorTree*>(nullptr));
    block->getTerminator()->eraseFromParent();
    llvm::ReturnInst::Create(llvmContext, builder.getInt32(kStepTrapped), block);
    call->eraseFromParent();
  }
  llvm::removeUnreachableBlocks(step);
}

} // namespace drawbridge::backend::cpu

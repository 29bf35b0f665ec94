// PTX special registers and the few NVVM memory intrinsics with a direct host equivalent.
#include "Lowering.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Intrinsics.h>

namespace drawbridge::backend::cpu {

llvm::Error lowerSpecialRegisters(llvm::Function& step, llvm::Instruction* where,
                                  llvm::Value* context, llvm::ArrayRef<llvm::Value*> tid) {
  AbiTypes abi = AbiTypes::get(step.getContext());
  llvm::IRBuilder<> at(where);
  auto fromContext = [&](BlockField field, unsigned index) -> llvm::Value* {
    bool scalar =
        field == kNthreadsField || field == kDynamicSharedField || field == kTotalSharedField;
    llvm::Value* address = scalar ? at.CreateStructGEP(abi.block, context, field)
                                  : at.CreateConstGEP2_32(abi.block, context, 0, field);
    if (!scalar)
      address = at.CreateConstGEP1_32(at.getInt32Ty(), address, index);
    return at.CreateLoad(at.getInt32Ty(), address);
  };
  // Computed once per entry into the step function, where they dominate every use.
  llvm::Value* ntid[3] = {fromContext(kNtidField, 0), fromContext(kNtidField, 1),
                          fromContext(kNtidField, 2)};
  llvm::Value* linear = linearThreadIndex(at, ntid, tid);
  llvm::Value* lane = at.CreateAnd(linear, 31);
  llvm::Value* laneBit = at.CreateShl(at.getInt32(1), lane);
  llvm::Value* lanemaskLt = at.CreateSub(laneBit, at.getInt32(1));
  llvm::Value* lanemaskLe = at.CreateSub(at.CreateShl(at.getInt32(2), lane), at.getInt32(1));

  for (llvm::CallInst* call : callsWithPrefix(step, "llvm.nvvm.")) {
    llvm::StringRef name = call->getCalledFunction()->getName();
    name.consume_front("llvm.nvvm.");
    llvm::IRBuilder<> here(call);
    llvm::Value* value = nullptr;
    if (name.consume_front("read.ptx.sreg.")) {
      auto axis = [&](llvm::StringRef prefix) -> int {
        if (!name.starts_with(prefix) || name.size() != prefix.size() + 1)
          return -1;
        char c = name.back();
        return c == 'x' ? 0 : c == 'y' ? 1 : c == 'z' ? 2 : -1;
      };
      if (int i = axis("tid."); i >= 0)
        value = tid[i];
      else if (int i = axis("ntid."); i >= 0)
        value = ntid[i];
      else if (int i = axis("ctaid."); i >= 0)
        value = fromContext(kCtaidField, i);
      else if (int i = axis("nctaid."); i >= 0)
        value = fromContext(kNctaidField, i);
      else if (name == "laneid")
        value = lane;
      else if (name == "warpid")
        value = at.CreateLShr(linear, 5);
      else if (name == "nwarpid")
        value = at.CreateLShr(at.CreateAdd(fromContext(kNthreadsField, 0), at.getInt32(31)), 5);
      else if (name == "warpsize")
        value = at.getInt32(32);
      else if (name == "envreg1" || name == "envreg2") {
        llvm::Value* workspace =
            at.CreatePtrToInt(at.CreateLoad(at.getPtrTy(), at.CreateStructGEP(abi.block, context,
                                                                              kGridWorkspaceField)),
                              at.getInt64Ty());
        value = name == "envreg1" ? at.CreateLShr(workspace, 32) : workspace;
      } else if (name.starts_with("envreg"))
        value = at.getInt32(0); // no other environment register is set here
      else if (name == "lanemask.eq")
        value = laneBit;
      else if (name == "lanemask.lt")
        value = lanemaskLt;
      else if (name == "lanemask.le")
        value = lanemaskLe;
      else if (name == "lanemask.gt")
        value = at.CreateNot(lanemaskLe);
      else if (name == "lanemask.ge")
        value = at.CreateNot(lanemaskLt);
      else if (name == "clock" || name == "clock64") {
        // Read at its own place rather than once per entry, as %globaltimer is.
        llvm::Value* cycles = here.CreateIntrinsic(llvm::Intrinsic::readcyclecounter, {}, {});
        call->replaceAllUsesWith(here.CreateZExtOrTrunc(cycles, call->getType()));
        call->eraseFromParent();
        continue;
      } else if (name == "globaltimer") {
        llvm::FunctionCallee timer = step.getParent()->getOrInsertFunction(
            kGlobalTimerHook, llvm::FunctionType::get(here.getInt64Ty(), false));
        call->replaceAllUsesWith(here.CreateZExtOrTrunc(here.CreateCall(timer), call->getType()));
        call->eraseFromParent();
        continue;
      } else
        return llvm::createStringError("kernel '" + step.getName().str() +
                                       "' reads the special register %" + name.str() +
                                       ", which the CPU backend does not provide");
      value = at.CreateZExtOrTrunc(value, call->getType());
    } else if (name.starts_with("membar.") || name.starts_with("fence.sc")) {
      here.CreateFence(llvm::AtomicOrdering::SequentiallyConsistent);
      value = call; // erased below; has no uses
    } else if (name.starts_with("ldg.global.") || name.starts_with("ldu.global.")) {
      auto* align = llvm::cast<llvm::ConstantInt>(call->getArgOperand(1));
      value = here.CreateAlignedLoad(call->getType(), call->getArgOperand(0),
                                     llvm::Align(align->getZExtValue()));
    } else {
      continue; // collectives are handled by the site lowering; anything else is reported
    }
    if (value != call)
      call->replaceAllUsesWith(value);
    call->eraseFromParent();
  }
  // The PTX frontend reads %dynamic_smem_size and %total_smem_size as inline PTX (LLVM 19 has
  // no intrinsic for them).
  for (llvm::BasicBlock& block : step)
    for (llvm::Instruction& instruction : llvm::make_early_inc_range(block)) {
      auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction);
      if (!call || !call->isInlineAsm())
        continue;
      llvm::StringRef text = llvm::cast<llvm::InlineAsm>(call->getCalledOperand())->getAsmString();
      if (text != "mov.u32 $0, %dynamic_smem_size;" && text != "mov.u32 $0, %total_smem_size;")
        continue;
      call->replaceAllUsesWith(
          fromContext(text.contains("dynamic") ? kDynamicSharedField : kTotalSharedField, 0));
      call->eraseFromParent();
    }
  return llvm::Error::success();
}

} // namespace drawbridge::backend::cpu

// NVVM atomic intrinsics that clang emits where LLVM IR has no direct instruction in its CUDA
// headers (atomicInc/atomicDec, scoped atomics): all become atomicrmw/cmpxchg. Scopes (cta,
// sys) need no distinction on the host: every atomic is coherent across all cores.
#include "Lowering.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>

namespace drawbridge::backend::cpu {

namespace {

std::optional<llvm::AtomicRMWInst::BinOp> binaryOperation(llvm::StringRef operation, bool isFloat,
                                                          bool isUnsigned) {
  using Op = llvm::AtomicRMWInst::BinOp;
  if (operation == "add")
    return isFloat ? Op::FAdd : Op::Add;
  if (operation == "exch")
    return Op::Xchg;
  if (operation == "max")
    return isUnsigned ? Op::UMax : Op::Max;
  if (operation == "min")
    return isUnsigned ? Op::UMin : Op::Min;
  if (operation == "inc")
    return Op::UIncWrap;
  if (operation == "dec")
    return Op::UDecWrap;
  if (operation == "and")
    return Op::And;
  if (operation == "or")
    return Op::Or;
  if (operation == "xor")
    return Op::Xor;
  return std::nullopt;
}

} // namespace

void lowerNvvmAtomics(llvm::Function& function) {
  for (llvm::CallInst* call : callsWithPrefix(function, "llvm.nvvm.atomic.")) {
    llvm::StringRef name = call->getCalledFunction()->getName();
    name.consume_front("llvm.nvvm.atomic.");
    // llvm.nvvm.atomic.load.inc.32 / .dec.32, or llvm.nvvm.atomic.<op>.gen.<i|f|ui>.<scope>
    llvm::SmallVector<llvm::StringRef, 5> parts;
    name.split(parts, '.');
    llvm::StringRef operation;
    bool isFloat = false, isUnsigned = false;
    if (parts.size() >= 2 && parts[0] == "load") {
      operation = parts[1];
      isUnsigned = true;
    } else if (parts.size() >= 3 && parts[1] == "gen") {
      operation = parts[0];
      isFloat = parts[2] == "f";
      isUnsigned = parts[2] == "ui";
    } else {
      continue; // reported as unsupported by the final check
    }
    llvm::IRBuilder<> builder(call);
    llvm::Value* pointer = call->getArgOperand(0);
    llvm::Value* result = nullptr;
    if (operation == "cas") {
      auto* exchange = builder.CreateAtomicCmpXchg(pointer, call->getArgOperand(1),
                                                   call->getArgOperand(2), llvm::MaybeAlign(),
                                                   llvm::AtomicOrdering::SequentiallyConsistent,
                                                   llvm::AtomicOrdering::SequentiallyConsistent);
      result = builder.CreateExtractValue(exchange, 0);
    } else if (auto op = binaryOperation(operation, isFloat, isUnsigned)) {
      result = builder.CreateAtomicRMW(*op, pointer, call->getArgOperand(1), llvm::MaybeAlign(),
                                       llvm::AtomicOrdering::SequentiallyConsistent);
    } else {
      continue;
    }
    call->replaceAllUsesWith(result);
    call->eraseFromParent();
  }
}

} // namespace drawbridge::backend::cpu

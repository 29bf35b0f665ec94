// Control flow: bra (guarded or not), call (direct and through a .callprototype), ret, exit,
// trap, brkpt and nanosleep. Parameters of a call live in .param allocas declared in the call
// sequence's scope; the call loads them as the callee's argument types and stores the result
// into the return parameter.
#include "Common.h"

#include <llvm/IR/IntrinsicsNVPTX.h>

namespace drawbridge::ptx::nvvm {
namespace {

void lowerBra(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 1, 1))
    return;
  const Operand& target = inst.operands[0];
  if (target.kind != Operand::Kind::Symbol || target.ref.kind != RefKind::Label)
    return L.unsupported(inst, "branch targets must be labels (brx.idx is not supported)");
  auto& b = L.b();
  llvm::BasicBlock* dest = L.labelBlock(target.ref.index);
  if (!inst.guard) {
    b.CreateBr(dest);
    return;
  }
  llvm::Value* guard = L.read(*inst.guard, ScalarType::Pred);
  if (!guard)
    return L.fail(inst, "guard '" + inst.guard->name + "' is not a predicate register");
  llvm::BasicBlock* next = L.newBlock("fallthrough");
  b.CreateCondBr(guard, dest, next);
  b.SetInsertPoint(next);
}

// The .param variables a call names, as pointers, and the types they pass.
bool paramPointers(FunctionLowering& L, const Instruction& inst, const Operand& list,
                   std::vector<llvm::Value*>& pointers) {
  for (const auto& param : list.elements) {
    llvm::Value* p = param.kind == Operand::Kind::Symbol ? L.symbolPointer(param.ref) : nullptr;
    if (!p || L.symbolSpace(param.ref) != StateSpace::Param) {
      L.fail(inst,
             "call arguments and results must be .param variables, found '" + param.name + "'");
      return false;
    }
    pointers.push_back(p);
  }
  return true;
}

// call{.uni} (ret...), callee, (args...){, prototype}
void lowerCall(FunctionLowering& L, const Instruction& inst) {
  const auto& ops = inst.operands;
  size_t i = 0;
  const Operand* results = nullptr;
  if (i < ops.size() && ops[i].kind == Operand::Kind::Vector)
    results = &ops[i++];
  if (i >= ops.size())
    return L.fail(inst, "call needs a function to call");
  const Operand& callee = ops[i++];
  const Operand* args = nullptr;
  if (i < ops.size() && ops[i].kind == Operand::Kind::Vector)
    args = &ops[i++];
  const Operand* prototype = i < ops.size() ? &ops[i++] : nullptr;
  if (i != ops.size())
    return L.fail(inst, "unexpected operand after the arguments of 'call'");

  auto& b = L.b();
  llvm::FunctionType* type = nullptr;
  llvm::Value* target = nullptr;
  if (callee.kind == Operand::Kind::Symbol && callee.ref.kind == RefKind::Function) {
    auto* fn = L.moduleState().functions[callee.ref.index];
    type = fn->getFunctionType();
    target = fn;
  } else if (callee.kind == Operand::Kind::Register && prototype &&
             prototype->ref.kind == RefKind::Prototype) {
    const CallPrototype& proto = L.ptxFunction().prototypes[prototype->ref.index];
    type = signatureType(L.ctx(), proto.returns, proto.params);
    llvm::Value* address = L.read(callee, ScalarType::U64);
    if (!address)
      return L.fail(inst, "cannot read the call target '" + callee.name + "'");
    target = b.CreateIntToPtr(address, b.getPtrTy());
  } else {
    return L.fail(inst, "call needs a function name, or a register and a .callprototype");
  }

  std::vector<llvm::Value*> argPointers, resultPointers;
  if (args && !paramPointers(L, inst, *args, argPointers))
    return;
  if (results && !paramPointers(L, inst, *results, resultPointers))
    return;
  if (argPointers.size() != type->getNumParams())
    return L.fail(inst, "call passes " + std::to_string(argPointers.size()) +
                            " arguments to a function that takes " +
                            std::to_string(type->getNumParams()));
  llvm::Type* resultType = type->getReturnType();
  size_t resultCount = resultType->isVoidTy()     ? 0
                       : resultType->isStructTy() ? resultType->getStructNumElements()
                                                  : 1;
  if (resultPointers.size() != resultCount)
    return L.fail(inst, "call receives " + std::to_string(resultPointers.size()) +
                            " results from a function that returns " + std::to_string(resultCount));
  std::vector<llvm::Value*> values;
  for (unsigned a = 0; a < argPointers.size(); ++a)
    values.push_back(b.CreateLoad(type->getParamType(a), argPointers[a]));
  llvm::Value* result = b.CreateCall(type, target, values);
  if (resultCount == 1)
    b.CreateStore(result, resultPointers[0]);
  for (unsigned r = 0; resultCount > 1 && r < resultCount; ++r)
    b.CreateStore(b.CreateExtractValue(result, r), resultPointers[r]);
}

void lowerRet(FunctionLowering& L, const Instruction& inst) {
  if (L.expectOperands(inst, 0, 0))
    L.emitReturn();
}

// exit ends the thread: a return from a kernel, llvm.nvvm.exit inside a called function.
void lowerExit(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 0, 0))
    return;
  if (L.ptxFunction().isKernel) {
    L.emitReturn();
    return;
  }
  L.b().CreateIntrinsic(llvm::Intrinsic::nvvm_exit, {}, {});
  L.b().CreateUnreachable();
}

void lowerTrap(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 0, 0))
    return;
  if (inst.opcode == "brkpt") {
    L.b().CreateIntrinsic(llvm::Intrinsic::debugtrap, {}, {});
    return;
  }
  L.b().CreateIntrinsic(llvm::Intrinsic::trap, {}, {});
  L.b().CreateUnreachable();
}

void lowerNanosleep(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 1, 1))
    return;
  if (auto t = readOperands(L, inst, 0, 1, ScalarType::U32))
    L.b().CreateIntrinsic(llvm::Intrinsic::nvvm_nanosleep, {}, *t);
}

} // namespace

void registerControl(Registry& r) {
  r["bra"] = lowerBra;
  r["call"] = lowerCall;
  r["ret"] = lowerRet;
  r["exit"] = lowerExit;
  r["trap"] = lowerTrap;
  r["brkpt"] = lowerTrap;
  r["nanosleep"] = lowerNanosleep;
}

} // namespace drawbridge::ptx::nvvm

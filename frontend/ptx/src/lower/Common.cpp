#include "Common.h"

#include <llvm/IR/IntrinsicsNVPTX.h>

namespace drawbridge::ptx::nvvm {

FloatMode floatMode(const Instruction& inst) {
  FloatMode mode;
  for (const auto& m : inst.modifiers) {
    if (m == "rn" || m == "rni")
      mode.rounding = Rounding::Rn;
    else if (m == "rz" || m == "rzi")
      mode.rounding = Rounding::Rz;
    else if (m == "rm" || m == "rmi")
      mode.rounding = Rounding::Rm;
    else if (m == "rp" || m == "rpi")
      mode.rounding = Rounding::Rp;
    else if (m == "rna")
      mode.rounding = Rounding::Rna;
    else if (m == "ftz")
      mode.ftz = true;
    else if (m == "sat")
      mode.sat = true;
    else if (m == "approx")
      mode.approx = true;
  }
  return mode;
}

std::optional<ScalarType> instructionType(FunctionLowering& L, const Instruction& inst) {
  if (inst.types.empty()) {
    L.fail(inst, "'" + inst.spelling() + "' needs a type such as .u32 or .f32");
    return std::nullopt;
  }
  return inst.types.front();
}

std::optional<std::vector<llvm::Value*>> readOperands(FunctionLowering& L, const Instruction& inst,
                                                      size_t first, size_t count, ScalarType type) {
  std::vector<llvm::Value*> values;
  for (size_t i = first; i < first + count; ++i) {
    llvm::Value* v = L.read(inst.operands[i], type);
    if (!v) {
      L.fail(inst, "operand " + std::to_string(i + 1) + " of '" + inst.spelling() +
                       "' cannot be read as ." + std::string(name(type)));
      return std::nullopt;
    }
    values.push_back(v);
  }
  return values;
}

std::optional<Sources> typedSources(FunctionLowering& L, const Instruction& inst, size_t operands,
                                    size_t sources) {
  if (!L.expectOperands(inst, operands, operands))
    return std::nullopt;
  auto type = instructionType(L, inst);
  if (!type)
    return std::nullopt;
  auto values = readOperands(L, inst, 1, sources, *type);
  if (!values)
    return std::nullopt;
  return Sources{*type, std::move(*values)};
}

llvm::Value* saturate(FunctionLowering& L, llvm::Value* v) {
  auto& b = L.b();
  llvm::Type* t = v->getType();
  llvm::Value* zero = llvm::ConstantFP::get(t, 0.0);
  llvm::Value* one = llvm::ConstantFP::get(t, 1.0);
  llvm::Value* upper = b.CreateSelect(b.CreateFCmpOLT(v, one), v, one);
  return b.CreateSelect(b.CreateFCmpOGT(v, zero), upper, zero);
}

llvm::Intrinsic::ID pickRounded(const RoundedIntrinsics& ids, Rounding r, bool ftz, bool isDouble) {
  switch (r) {
  case Rounding::None:
  case Rounding::Rn:
    return isDouble ? ids.rnD : ftz ? ids.rnFtz : ids.rn;
  case Rounding::Rz:
    return isDouble ? ids.rzD : ftz ? ids.rzFtz : ids.rz;
  case Rounding::Rm:
    return isDouble ? ids.rmD : ftz ? ids.rmFtz : ids.rm;
  case Rounding::Rp:
    return isDouble ? ids.rpD : ftz ? ids.rpFtz : ids.rp;
  case Rounding::Rna:
    return llvm::Intrinsic::not_intrinsic;
  }
  return llvm::Intrinsic::not_intrinsic;
}

llvm::Value* safeDivisor(FunctionLowering& L, llvm::Value* divisor) {
  auto& b = L.b();
  llvm::Value* zero = llvm::ConstantInt::get(divisor->getType(), 0);
  llvm::Value* one = llvm::ConstantInt::get(divisor->getType(), 1);
  return b.CreateSelect(b.CreateICmpEQ(divisor, zero), one, divisor);
}

void emitMembar(FunctionLowering& L, const Instruction& inst) {
  llvm::Intrinsic::ID id = inst.has("cta") ? llvm::Intrinsic::nvvm_membar_cta
                           : inst.has("gpu") || inst.has("cluster")
                               ? llvm::Intrinsic::nvvm_membar_gl
                               : llvm::Intrinsic::nvvm_membar_sys;
  L.b().CreateIntrinsic(id, {}, {});
}

llvm::SyncScope::ID scopeOf(FunctionLowering& L, const Instruction& inst) {
  if (inst.has("cta"))
    return L.ctx().getOrInsertSyncScopeID("block");
  if (inst.has("cluster"))
    return L.ctx().getOrInsertSyncScopeID("cluster");
  if (inst.has("gpu"))
    return L.ctx().getOrInsertSyncScopeID("device");
  return llvm::SyncScope::System;
}

llvm::Value* reluHalves(FunctionLowering& L, llvm::Value* v) {
  auto& b = L.b();
  llvm::Type* t = v->getType();
  llvm::Value* zero = llvm::Constant::getNullValue(t);
  llvm::Value* bits = llvm::ConstantInt::get(t->getWithNewType(b.getInt16Ty()), 0x7fff);
  llvm::Value* nan = b.CreateBitCast(bits, t); // splat for pairs
  llvm::Value* clamped = b.CreateSelect(b.CreateFCmpOLT(v, zero), zero, v);
  return b.CreateSelect(b.CreateFCmpUNO(v, v), nan, clamped);
}

llvm::Value* flushSubnormal(FunctionLowering& L, llvm::Value* v) {
  auto& b = L.b();
  const llvm::fltSemantics& format = v->getType()->getScalarType()->getFltSemantics();
  llvm::Value* magnitude = b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, v);
  llvm::Value* tiny = b.CreateFCmpOLT(
      magnitude, llvm::ConstantFP::get(v->getType(), llvm::APFloat::getSmallestNormalized(format)));
  llvm::Value* zero = b.CreateBinaryIntrinsic(llvm::Intrinsic::copysign,
                                              llvm::ConstantFP::get(v->getType(), 0.0), v);
  return b.CreateSelect(tiny, zero, v);
}

} // namespace drawbridge::ptx::nvvm

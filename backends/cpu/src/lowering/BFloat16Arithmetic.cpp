// bfloat16 arithmetic as NVIDIA computes it: subnormals kept (cvt.rn.bf16.f32(0x007fffff) is
// 0x0080 on an H200; fma.rn.bf16x2(-0, 0, 0x0001) is 0x0001). LLVM computes bfloat operations
// in f32 and narrows with the host's conversion, which on CPUs with AVX512-BF16
// (vcvtneps2bf16) flushes subnormals. Here the narrowing is integer rounding to nearest even
// instead, and each operation is done in a wider type in which it is exact or rounds once:
//  - add, sub, mul, div, sqrt, min, max in f32: f32 has 24 bits >= 2 * 8 + 2, so rounding to f32
//    and then to bf16 gives the correctly rounded result;
//  - fma in f64 (exact unless the addend is over 2^37 times smaller than the product), narrowed
//    to f32 rounding to odd (truncated, the last bit set when inexact), which the rounding to
//    nearest bf16 that follows turns into the correctly rounded result;
//  - neg and abs on the sign bit.
// NaN results are the canonical 0x7fff.
#include "Lowering.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>

namespace drawbridge::backend::cpu {
namespace {

using llvm::IRBuilder;
using llvm::Value;

llvm::Type* withElement(llvm::Type* type, llvm::Type* element) {
  return type->getWithNewType(element);
}

// f32 (scalar or vector) to bfloat, to nearest even on the bits; NaN to 0x7fff.
Value* roundToBFloat16(IRBuilder<>& b, Value* x, llvm::Type* target) {
  llvm::Type* i32 = withElement(x->getType(), b.getInt32Ty());
  Value* bits = b.CreateBitCast(x, i32);
  Value* lowestKept = b.CreateAnd(b.CreateLShr(bits, 16), llvm::ConstantInt::get(i32, 1));
  Value* rounded = b.CreateAdd(bits, b.CreateAdd(llvm::ConstantInt::get(i32, 0x7fff), lowestKept));
  Value* high = b.CreateTrunc(b.CreateLShr(rounded, 16), withElement(i32, b.getInt16Ty()));
  Value* nan = llvm::ConstantInt::get(high->getType(), 0x7fff);
  return b.CreateBitCast(b.CreateSelect(b.CreateFCmpUNO(x, x), nan, high), target);
}

// bfloat to f32 on the bits (the high half of the f32), subnormals kept. An fpext would let the
// optimiser narrow the f32 operation back to a bfloat one, which x86 then computes with its
// bfloat conversions, flushing subnormals.
Value* widenToF32(IRBuilder<>& b, Value* x) {
  llvm::Type* i16 = withElement(x->getType(), b.getInt16Ty());
  llvm::Type* i32 = withElement(x->getType(), b.getInt32Ty());
  Value* bits = b.CreateShl(b.CreateZExt(b.CreateBitCast(x, i16), i32), 16);
  return b.CreateBitCast(bits, withElement(x->getType(), b.getFloatTy()));
}

// f64 to f32 rounding to odd: the f32 toward zero, its lowest bit set when that was inexact.
Value* roundToOddF32(IRBuilder<>& b, Value* d) {
  llvm::Type* f32 = withElement(d->getType(), b.getFloatTy());
  llvm::Type* i32 = withElement(d->getType(), b.getInt32Ty());
  Value* nearest = b.CreateFPTrunc(d, f32);
  Value* back = b.CreateFPExt(nearest, d->getType());
  Value* magnitudeAbove = b.CreateFCmpOGT(b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, back),
                                          b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, d));
  Value* bits = b.CreateBitCast(nearest, i32);
  Value* truncated =
      b.CreateSelect(magnitudeAbove, b.CreateSub(bits, llvm::ConstantInt::get(i32, 1)), bits);
  Value* inexact = b.CreateFCmpONE(back, d);
  Value* odd =
      b.CreateSelect(inexact, b.CreateOr(truncated, llvm::ConstantInt::get(i32, 1)), truncated);
  return b.CreateBitCast(odd, f32);
}

// The sign bit of a bfloat changed with integer operations (neg, abs).
Value* signBitOp(IRBuilder<>& b, Value* x, bool negate) {
  llvm::Type* i16 = withElement(x->getType(), b.getInt16Ty());
  Value* bits = b.CreateBitCast(x, i16);
  Value* r = negate ? b.CreateXor(bits, llvm::ConstantInt::get(i16, 0x8000))
                    : b.CreateAnd(bits, llvm::ConstantInt::get(i16, 0x7fff));
  return b.CreateBitCast(r, x->getType());
}

bool isWidenedInF32(llvm::Intrinsic::ID id) {
  switch (id) {
  case llvm::Intrinsic::sqrt:
  case llvm::Intrinsic::minnum:
  case llvm::Intrinsic::maxnum:
  case llvm::Intrinsic::minimum:
  case llvm::Intrinsic::maximum:
    return true;
  default:
    return false;
  }
}

// The replacement for a bfloat operation, or nullptr where it needs none.
Value* exactBFloat16(IRBuilder<>& b, llvm::Instruction& instruction) {
  llvm::Type* type = instruction.getType();
  llvm::Type* f32 = withElement(type, b.getFloatTy());
  auto widen = [&](Value* v, llvm::Type* to) {
    return to->getScalarType()->isFloatTy() ? widenToF32(b, v) : b.CreateFPExt(v, to);
  };
  if (auto* cast = llvm::dyn_cast<llvm::FPTruncInst>(&instruction)) {
    Value* source = cast->getOperand(0);
    if (!source->getType()->getScalarType()->isFloatTy())
      return nullptr;
    return roundToBFloat16(b, source, type);
  }
  if (auto* unary = llvm::dyn_cast<llvm::UnaryOperator>(&instruction))
    return unary->getOpcode() == llvm::Instruction::FNeg ? signBitOp(b, unary->getOperand(0), true)
                                                         : nullptr;
  if (auto* binary = llvm::dyn_cast<llvm::BinaryOperator>(&instruction)) {
    if (binary->getOpcode() == llvm::Instruction::FRem)
      return nullptr;
    Value* r = b.CreateBinOp(binary->getOpcode(), widen(binary->getOperand(0), f32),
                             widen(binary->getOperand(1), f32));
    return roundToBFloat16(b, r, type);
  }
  auto* intrinsic = llvm::dyn_cast<llvm::IntrinsicInst>(&instruction);
  if (!intrinsic)
    return nullptr;
  llvm::Intrinsic::ID id = intrinsic->getIntrinsicID();
  llvm::SmallVector<Value*, 3> args(intrinsic->args());
  if (id == llvm::Intrinsic::fabs)
    return signBitOp(b, args[0], false);
  if (id == llvm::Intrinsic::fma || id == llvm::Intrinsic::fmuladd) {
    llvm::Type* f64 = withElement(type, b.getDoubleTy());
    for (Value*& arg : args)
      arg = widen(arg, f64);
    Value* exactProductRoundedSum = b.CreateIntrinsic(llvm::Intrinsic::fma, {f64}, args);
    return roundToBFloat16(b, roundToOddF32(b, exactProductRoundedSum), type);
  }
  if (!isWidenedInF32(id))
    return nullptr;
  for (Value*& arg : args)
    arg = widen(arg, f32);
  return roundToBFloat16(b, b.CreateIntrinsic(id, {f32}, args), type);
}

} // namespace

void makeBFloat16Exact(llvm::Module& module) {
  for (llvm::Function& function : module) {
    std::vector<llvm::Instruction*> targets;
    for (llvm::Instruction& instruction : llvm::instructions(function))
      if (instruction.getType()->getScalarType()->isBFloatTy())
        targets.push_back(&instruction);
    for (llvm::Instruction* instruction : targets) {
      IRBuilder<> b(instruction);
      if (Value* exact = exactBFloat16(b, *instruction)) {
        instruction->replaceAllUsesWith(exact);
        instruction->eraseFromParent();
      }
    }
  }
}

} // namespace drawbridge::backend::cpu

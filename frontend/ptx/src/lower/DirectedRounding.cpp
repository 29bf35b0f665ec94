// Conversions rounded toward zero, -inf or +inf (cvt.rz/rm/rp) that LLVM has no instruction for:
// integers to floats and narrowing between floating-point types, and bf16 rounded to nearest
// from f64 and integers (LLVM rounds those twice). All are portable IR whose
// result is exact on every backend: the value is rounded toward zero (or to nearest) exactly
// and then stepped by one unit in the last place when the mode asks for the other neighbour.
#include "Common.h"

namespace drawbridge::ptx::nvvm {
namespace {

// The float whose bits are one more (`up`) or one less than v's: for a finite v, its neighbour
// away from zero or toward zero.
llvm::Value* stepBits(Builder& b, llvm::Value* v, llvm::Value* up) {
  llvm::Type* bitsType = b.getIntNTy(v->getType()->getPrimitiveSizeInBits());
  llvm::Value* bits = b.CreateBitCast(v, bitsType);
  llvm::Value* delta = b.CreateSelect(up, llvm::ConstantInt::get(bitsType, 1),
                                      llvm::ConstantInt::getAllOnesValue(bitsType));
  return b.CreateBitCast(b.CreateAdd(bits, delta), v->getType());
}

// An integer to f32/f64 (`precision` significand bits): its magnitude with the bits below the
// destination's precision cleared converts exactly (that is the value rounded toward zero); .rm/.rp
// then step the magnitude up when bits were cleared and the sign says the other neighbour is
// wanted.
llvm::Value* integerToFloat(FunctionLowering& L, llvm::Value* x, bool isSignedSource,
                            llvm::Type* to, unsigned precision, Rounding r) {
  auto& b = L.b();
  llvm::Type* intType = x->getType();
  unsigned width = intType->getIntegerBitWidth();
  llvm::Value* zero = llvm::ConstantInt::get(intType, 0);
  llvm::Value* negative = isSignedSource ? b.CreateICmpSLT(x, zero) : b.getFalse();
  llvm::Value* magnitude = b.CreateSelect(negative, b.CreateSub(zero, x), x);
  llvm::Value* leadingZeros =
      b.CreateBinaryIntrinsic(llvm::Intrinsic::ctlz, magnitude, b.getFalse());
  llvm::Value* significant = b.CreateSub(llvm::ConstantInt::get(intType, width), leadingZeros);
  llvm::Value* excess = b.CreateBinaryIntrinsic(
      llvm::Intrinsic::smax, b.CreateSub(significant, llvm::ConstantInt::get(intType, precision)),
      zero);
  llvm::Value* kept =
      b.CreateAnd(magnitude, b.CreateShl(llvm::ConstantInt::getAllOnesValue(intType), excess));
  llvm::Value* result = b.CreateUIToFP(kept, to);
  llvm::Value* inexact = b.CreateICmpNE(kept, magnitude);
  llvm::Value* awayFromZero = r == Rounding::Rp   ? b.CreateNot(negative)
                              : r == Rounding::Rm ? negative
                                                  : b.getFalse();
  result =
      b.CreateSelect(b.CreateAnd(inexact, awayFromZero), stepBits(b, result, b.getTrue()), result);
  return b.CreateSelect(negative, b.CreateFNeg(result), result);
}

// A float to a narrower one: rounded to nearest, then moved to the neighbour on the mode's side
// when the nearest lies on the wrong side of x. Stepping the bits of an infinity toward zero
// gives the largest finite value, as .rz and the opposite directed mode require on overflow;
// NaN compares false and stays NaN.
llvm::Value* narrowFloat(FunctionLowering& L, llvm::Value* x, llvm::Type* to, Rounding r) {
  auto& b = L.b();
  llvm::Value* nearest = b.CreateFPTrunc(x, to);
  llvm::Value* back = b.CreateFPExt(nearest, x->getType());
  llvm::Value* above = b.CreateFCmpOGT(back, x);
  llvm::Value* below = b.CreateFCmpOLT(back, x);
  llvm::Value* negative =
      b.CreateICmpSLT(b.CreateBitCast(nearest, b.getIntNTy(to->getPrimitiveSizeInBits())),
                      llvm::ConstantInt::get(b.getIntNTy(to->getPrimitiveSizeInBits()), 0));
  llvm::Value* wantLower = r == Rounding::Rm   ? above
                           : r == Rounding::Rz ? b.CreateAnd(above, b.CreateNot(negative))
                                               : b.getFalse();
  llvm::Value* wantHigher = r == Rounding::Rp   ? below
                            : r == Rounding::Rz ? b.CreateAnd(below, negative)
                                                : b.getFalse();
  // A lower value is a step toward zero from a positive nearest and away from a negative one.
  llvm::Value* step = b.CreateOr(wantLower, wantHigher);
  llvm::Value* up = b.CreateSelect(wantLower, negative, b.CreateNot(negative));
  return b.CreateSelect(step, stepBits(b, nearest, up), nearest);
}

} // namespace

llvm::Value* toBFloat16Nearest(FunctionLowering& L, llvm::Value* x, ScalarType from) {
  auto& b = L.b();
  llvm::Value* towardZero = nullptr;
  llvm::Value* exact = nullptr;
  if (isFloat(from)) {
    towardZero = narrowFloat(L, x, b.getFloatTy(), Rounding::Rz);
    exact = b.CreateFCmpUEQ(b.CreateFPExt(towardZero, x->getType()), x); // NaN stays NaN
  } else {
    towardZero = integerToFloat(L, x, isSigned(from), b.getFloatTy(), 24, Rounding::Rz);
    llvm::Value* back = isSigned(from) ? b.CreateFPToSI(towardZero, x->getType())
                                       : b.CreateFPToUI(towardZero, x->getType());
    exact = b.CreateICmpEQ(back, x);
  }
  // Round to odd: an inexact value keeps a sticky 1 in f32's last place, so the one rounding
  // to bf16 (16 bits above it) sees which side of a tie the exact value lies on.
  llvm::Value* bits = b.CreateBitCast(towardZero, b.getInt32Ty());
  bits = b.CreateOr(bits, b.CreateZExt(b.CreateNot(exact), b.getInt32Ty()));
  return b.CreateFPTrunc(b.CreateBitCast(bits, b.getFloatTy()), b.getBFloatTy());
}

llvm::Value* convertDirected(FunctionLowering& L, const Instruction& inst, llvm::Value* x,
                             ScalarType from, ScalarType to, Rounding r) {
  if (!isFloat(from) && (to == ScalarType::F32 || to == ScalarType::F64))
    return integerToFloat(L, x, isSigned(from), L.type(to), to == ScalarType::F32 ? 24 : 53, r);
  bool narrowable =
      (from == ScalarType::F32 && (to == ScalarType::F16 || to == ScalarType::BF16)) ||
      (from == ScalarType::F64 && (to == ScalarType::F32 || to == ScalarType::F16));
  if (narrowable)
    return narrowFloat(L, x, L.type(to), r);
  if (to != ScalarType::F16 && to != ScalarType::BF16) {
    L.unsupported(inst, "directed rounding converts to f16, bf16, f32 and f64 only");
    return nullptr;
  }
  // Into f16 or bf16 through f32, rounded in the same direction both times: f16's and bf16's
  // values are f32 values, so the second rounding of the first's result is the one rounding of
  // x (f16 and bf16 into each other widen to f32 exactly first).
  auto& b = L.b();
  llvm::Value* single = nullptr;
  if (!isFloat(from))
    single = integerToFloat(L, x, isSigned(from), b.getFloatTy(), 24, r);
  else if (from == ScalarType::F64)
    single = narrowFloat(L, x, b.getFloatTy(), r);
  else
    single = b.CreateFPExt(x, b.getFloatTy());
  return narrowFloat(L, single, L.type(to), r);
}

} // namespace drawbridge::ptx::nvvm

// cvt to and from the narrow float formats tensor cores consume: tf32 (f32 with a 10-bit
// mantissa, kept in a 32-bit register) and the 8-bit e4m3/e5m2 pairs. Done with integer and
// exact float operations, so the rounding (.rn ties to even, .rna ties away, .rz), .satfinite
// and .relu are PTX's on every backend.
#include "Common.h"

#include <array>
#include <cmath>
#include <cstdlib>

namespace drawbridge::ptx::nvvm {
namespace {

using namespace llvm::Intrinsic;

struct Fp8Format {
  unsigned mantissa; // stored mantissa bits
  int bias;
  double maxFinite;
  bool isF16UpperByte; // e5m2: f16's sign, exponent and top two mantissa bits
};
constexpr Fp8Format kE4M3{3, 7, 448.0, false};
constexpr Fp8Format kE5M2{2, 15, 57344.0, true};
// Both formats' canonical NaN (S.1111.111 and S.11111.11), as NVIDIA's conversions produce.
constexpr uint64_t kFp8NaN = 0x7f;

const Fp8Format& formatOf(ScalarType t) {
  return t == ScalarType::E4M3x2 ? kE4M3 : kE5M2;
}

bool isFp8Pair(ScalarType t) {
  return t == ScalarType::E4M3x2 || t == ScalarType::E5M2x2;
}

// 2^exponent as an f32, for an i32 exponent in the normal range.
llvm::Value* powerOfTwo(Builder& b, llvm::Value* exponent) {
  return b.CreateBitCast(b.CreateShl(b.CreateAdd(exponent, b.getInt32(127)), 23), b.getFloatTy());
}

// .relu: negative results become +0; NaN stays NaN. Into e4m3/e5m2, -0 becomes +0 too
// (cvt.rn.satfinite.relu.e4m3x2.f32(-0) on an H200); tf32 keeps -0, as the H200 does.
llvm::Value* relu(Builder& b, llvm::Value* x, bool negativeZeroToo = false) {
  llvm::Value* zero = llvm::ConstantFP::get(x->getType(), 0.0);
  llvm::Value* below = negativeZeroToo ? b.CreateFCmpOLE(x, zero) : b.CreateFCmpOLT(x, zero);
  return b.CreateSelect(below, zero, x);
}

// An f32 to one e4m3/e5m2 byte: rounded to nearest even, magnitudes above the largest finite
// value (infinities included) clamped to it (.satfinite), NaN to the canonical NaN.
llvm::Value* toFp8(Builder& b, llvm::Value* x, const Fp8Format& f) {
  llvm::Type* i32 = b.getInt32Ty();
  int minExponent = 1 - f.bias;
  llvm::Value* bits = b.CreateBitCast(x, i32);
  llvm::Value* sign = b.CreateShl(b.CreateLShr(bits, 31), 7);
  llvm::Value* magnitude = b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x);
  // The format's spacing at |x|: 2^(max(exponent(x), minExponent) - mantissa). Scaling by it is
  // exact, so roundeven rounds |x| to the format's precision, subnormals included.
  llvm::Value* exponent =
      b.CreateSub(b.CreateLShr(b.CreateBitCast(magnitude, i32), 23), b.getInt32(127));
  exponent = b.CreateBinaryIntrinsic(smax, exponent, b.getInt32(minExponent));
  llvm::Value* spacing = b.CreateSub(exponent, b.getInt32(f.mantissa));
  llvm::Value* units = b.CreateUnaryIntrinsic(
      llvm::Intrinsic::roundeven, b.CreateFMul(magnitude, powerOfTwo(b, b.CreateNeg(spacing))));
  llvm::Value* rounded = b.CreateFMul(units, powerOfTwo(b, spacing));
  llvm::Value* maxFinite = llvm::ConstantFP::get(b.getFloatTy(), f.maxFinite);
  rounded = b.CreateSelect(b.CreateFCmpOGT(rounded, maxFinite), maxFinite, rounded);
  // Normal: the f32 exponent rebiased and the top mantissa bits. Subnormal: a count of the
  // smallest subnormal.
  llvm::Value* normal = b.CreateSub(b.CreateLShr(b.CreateBitCast(rounded, i32), 23 - f.mantissa),
                                    b.getInt32(uint64_t(127 - f.bias) << f.mantissa));
  llvm::Value* subnormal = b.CreateFPToUI(
      b.CreateFMul(rounded, llvm::ConstantFP::get(b.getFloatTy(),
                                                  std::ldexp(1.0, int(f.mantissa) - minExponent))),
      i32);
  llvm::Value* isNormal =
      b.CreateFCmpOGE(rounded, llvm::ConstantFP::get(b.getFloatTy(), std::ldexp(1.0, minExponent)));
  llvm::Value* code = b.CreateOr(sign, b.CreateSelect(isNormal, normal, subnormal));
  code = b.CreateSelect(b.CreateFCmpUNO(x, x), b.getInt32(kFp8NaN), code);
  return b.CreateTrunc(code, b.getInt8Ty());
}

// One e4m3/e5m2 byte (in the low bits of an i32) to f16, exactly.
llvm::Value* fromFp8(Builder& b, llvm::Value* byte, const Fp8Format& f) {
  llvm::Type* i32 = b.getInt32Ty();
  llvm::Value* magnitude = b.CreateAnd(byte, 0x7f);
  if (f.isF16UpperByte) {
    llvm::Value* isNaN = b.CreateICmpUGT(magnitude, b.getInt32(0x7c));
    llvm::Value* half = b.CreateSelect(isNaN, b.getInt32(0x7fff), b.CreateShl(byte, 8));
    return b.CreateBitCast(b.CreateTrunc(half, b.getInt16Ty()), b.getHalfTy());
  }
  // |value| = (E ? 8 + M : M) * 2^(max(E, 1) - bias - mantissa).
  llvm::Value* stored = b.CreateLShr(magnitude, f.mantissa);
  llvm::Value* fraction = b.CreateAnd(magnitude, (1u << f.mantissa) - 1);
  llvm::Value* isNormal = b.CreateICmpNE(stored, b.getInt32(0));
  llvm::Value* significand =
      b.CreateSelect(isNormal, b.CreateOr(fraction, 1u << f.mantissa), fraction);
  llvm::Value* exponent = b.CreateSub(b.CreateBinaryIntrinsic(umax, stored, b.getInt32(1)),
                                      b.getInt32(uint64_t(f.bias + int(f.mantissa))));
  llvm::Value* value =
      b.CreateFMul(b.CreateUIToFP(significand, b.getFloatTy()), powerOfTwo(b, exponent));
  llvm::Value* halfBits =
      b.CreateZExt(b.CreateBitCast(b.CreateFPTrunc(value, b.getHalfTy()), b.getInt16Ty()), i32);
  halfBits = b.CreateOr(halfBits, b.CreateShl(b.CreateAnd(b.CreateLShr(byte, 7), 1), 15));
  halfBits =
      b.CreateSelect(b.CreateICmpEQ(magnitude, b.getInt32(0x7f)), b.getInt32(0x7fff), halfBits);
  return b.CreateBitCast(b.CreateTrunc(halfBits, b.getInt16Ty()), b.getHalfTy());
}

// cvt.rn.satfinite{.relu}.{e4m3x2,e5m2x2}.f32 d, a, b (d.hi from a) and .f16x2 d, a.
void toFp8Pair(FunctionLowering& L, const Instruction& inst, ScalarType to, ScalarType from) {
  FloatMode mode = floatMode(inst);
  if (mode.rounding != Rounding::Rn || !inst.has("satfinite"))
    return L.fail(inst, "'" + inst.spelling() + "' needs .rn and .satfinite, as PTX requires");
  auto& b = L.b();
  std::array<llvm::Value*, 2> halves; // low, high
  if (from == ScalarType::F32) {
    if (!L.expectOperands(inst, 3, 3))
      return;
    auto v = readOperands(L, inst, 1, 2, from);
    if (!v)
      return;
    halves = {(*v)[1], (*v)[0]};
  } else if (from == ScalarType::F16x2) {
    if (!L.expectOperands(inst, 2, 2))
      return;
    auto v = readOperands(L, inst, 1, 1, from);
    if (!v)
      return;
    for (unsigned i = 0; i < 2; ++i)
      halves[i] = b.CreateFPExt(b.CreateExtractElement((*v)[0], uint64_t(i)), b.getFloatTy());
  } else {
    return L.unsupported(inst, "e4m3x2 and e5m2x2 are converted from f32 and f16x2");
  }
  llvm::Value* pair = b.getInt16(0);
  for (unsigned i = 0; i < 2; ++i) {
    llvm::Value* x = inst.has("relu") ? relu(b, halves[i], true) : halves[i];
    llvm::Value* byte = b.CreateZExt(toFp8(b, x, formatOf(to)), b.getInt16Ty());
    pair = b.CreateOr(pair, b.CreateShl(byte, 8 * i));
  }
  L.write(inst.operands[0], pair, ScalarType::B16);
}

// cvt.rn{.relu}.f16x2.{e4m3x2,e5m2x2} d, a: exact, byte 0 to the low half.
void fromFp8Pair(FunctionLowering& L, const Instruction& inst, ScalarType to, ScalarType from) {
  if (to != ScalarType::F16x2)
    return L.unsupported(inst, "e4m3x2 and e5m2x2 are converted to f16x2");
  if (floatMode(inst).rounding != Rounding::Rn)
    return L.fail(inst, "'" + inst.spelling() + "' needs .rn, as PTX requires");
  if (!L.expectOperands(inst, 2, 2))
    return;
  auto v = readOperands(L, inst, 1, 1, ScalarType::B16);
  if (!v)
    return;
  auto& b = L.b();
  llvm::Value* bits = b.CreateZExt((*v)[0], b.getInt32Ty());
  llvm::Value* pair = llvm::PoisonValue::get(L.type(ScalarType::F16x2));
  for (unsigned i = 0; i < 2; ++i) {
    llvm::Value* byte = b.CreateAnd(b.CreateLShr(bits, 8 * i), 0xff);
    llvm::Value* half = fromFp8(b, byte, formatOf(from));
    if (inst.has("relu"))
      half = relu(b, half);
    pair = b.CreateInsertElement(pair, half, uint64_t(i));
  }
  L.write(inst.operands[0], pair, ScalarType::F16x2);
}

// The number of a module's `.target sm_NN` (0 when it names none).
unsigned smVersion(FunctionLowering& L) {
  const std::string& target = L.moduleState().ptx.target;
  if (target.rfind("sm_", 0) != 0)
    return 0;
  return unsigned(std::strtoul(target.c_str() + 3, nullptr, 10));
}

// The NaN each tf32 conversion returns on NVIDIA (measured on an H200): .rna the quiet NaN
// 0x7fc00000, .rz and .relu the canonical NaN truncated to tf32, the others the canonical NaN.
uint32_t tf32NaN(const Instruction& inst, const FloatMode& mode) {
  if (mode.rounding == Rounding::Rna && !inst.has("satfinite"))
    return 0x7fc00000;
  if (mode.rounding == Rounding::Rz || inst.has("relu"))
    return 0x7fffe000;
  return 0x7fffffff;
}

// cvt.rna{.satfinite}.tf32.f32 and cvt.{rn,rz}{.relu}{.satfinite}.tf32.f32: the f32 rounded to
// 10 mantissa bits, the 13 low bits zero. NaN becomes the canonical NaN; .satfinite clamps
// infinite results to the largest finite tf32 of the same sign.
void toTf32(FunctionLowering& L, const Instruction& inst, ScalarType from) {
  if (from != ScalarType::F32)
    return L.unsupported(inst, "tf32 is converted from f32");
  FloatMode mode = floatMode(inst);
  if (mode.rounding != Rounding::Rna && mode.rounding != Rounding::Rn &&
      mode.rounding != Rounding::Rz)
    return L.fail(inst, "'" + inst.spelling() + "' needs .rna, .rn or .rz");
  if (mode.rounding == Rounding::Rna && inst.has("relu"))
    return L.fail(inst, "'" + inst.spelling() + "': .relu cannot be combined with .rna");
  if (mode.rounding != Rounding::Rna && inst.has("satfinite") && smVersion(L) < 100)
    return L.fail(inst, "'" + inst.spelling() +
                            "': .satfinite with .rn or .rz needs .target sm_100 "
                            "or higher (this module targets " +
                            L.moduleState().ptx.target + ")");
  if (!L.expectOperands(inst, 2, 2))
    return;
  auto v = readOperands(L, inst, 1, 1, from);
  if (!v)
    return;
  auto& b = L.b();
  llvm::Value* x = inst.has("relu") ? relu(b, (*v)[0]) : (*v)[0];
  llvm::Value* bits = b.CreateBitCast(x, b.getInt32Ty());
  // Adding below the kept bits carries into them (and on into the exponent, up to infinity);
  // sign-magnitude keeps that carry out of the sign bit.
  llvm::Value* increment = nullptr;
  if (mode.rounding == Rounding::Rna)
    increment = b.getInt32(0x1000);
  else if (mode.rounding == Rounding::Rn)
    increment = b.CreateAdd(b.getInt32(0xfff), b.CreateAnd(b.CreateLShr(bits, 13), 1));
  llvm::Value* rounded = increment ? b.CreateAdd(bits, increment) : bits;
  rounded = b.CreateAnd(rounded, ~uint32_t(0x1fff));
  if (inst.has("satfinite")) {
    llvm::Value* infinite =
        b.CreateICmpEQ(b.CreateAnd(rounded, 0x7fffffff), b.getInt32(0x7f800000));
    llvm::Value* maxFinite = b.CreateOr(b.CreateAnd(bits, 0x80000000), 0x7f7fe000);
    rounded = b.CreateSelect(infinite, maxFinite, rounded);
  }
  rounded = b.CreateSelect(b.CreateFCmpUNO(x, x), b.getInt32(tf32NaN(inst, mode)), rounded);
  L.write(inst.operands[0], rounded, ScalarType::B32);
}

} // namespace

bool isNarrowFloatCvt(const Instruction& inst) {
  if (inst.types.size() != 2)
    return false;
  ScalarType to = inst.types[0], from = inst.types[1];
  return to == ScalarType::TF32 || isFp8Pair(to) || isFp8Pair(from);
}

void lowerNarrowFloatCvt(FunctionLowering& L, const Instruction& inst) {
  ScalarType to = inst.types[0], from = inst.types[1];
  if (to == ScalarType::TF32)
    return toTf32(L, inst, from);
  if (isFp8Pair(to))
    return toFp8Pair(L, inst, to, from);
  fromFp8Pair(L, inst, to, from);
}

} // namespace drawbridge::ptx::nvvm

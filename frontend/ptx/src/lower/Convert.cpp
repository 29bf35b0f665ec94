// Moves and conversions: mov (including vector pack/unpack), cvt between every integer and
// floating-point type with PTX's rounding and saturation, and cvta between address spaces.
#include "Common.h"

#include <llvm/IR/IntrinsicsNVPTX.h>

namespace drawbridge::ptx::nvvm {
namespace {

using namespace llvm::Intrinsic;

void lowerMov(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 2, 2))
    return;
  auto t = instructionType(L, inst);
  if (!t)
    return;
  const Operand& src = inst.operands[1];
  if (src.kind == Operand::Kind::Register && src.ref.kind == RefKind::Special) {
    llvm::Value* v = L.read(src, *t);
    if (!v)
      return L.unsupported(inst, "special register '" + src.name + "' has no NVVM equivalent");
    L.write(inst.operands[0], v, *t);
    return;
  }
  auto v = readOperands(L, inst, 1, 1, *t);
  if (v)
    L.write(inst.operands[0], (*v)[0], *t);
}

// Integer to integer, with .sat clamping to the destination's range.
llvm::Value* convertInteger(FunctionLowering& L, llvm::Value* v, ScalarType from, ScalarType to,
                            bool sat) {
  auto& b = L.b();
  llvm::Type* dest = L.type(to);
  if (!sat)
    return b.CreateIntCast(v, dest, isSigned(from));
  // Clamp in a type wide enough for both ranges.
  llvm::Type* wide = b.getInt128Ty();
  llvm::Value* x = b.CreateIntCast(v, wide, isSigned(from));
  unsigned bits = bitWidth(to);
  llvm::APInt lo =
      isSigned(to) ? llvm::APInt::getSignedMinValue(bits).sext(128) : llvm::APInt::getZero(128);
  llvm::APInt hi = isSigned(to) ? llvm::APInt::getSignedMaxValue(bits).sext(128)
                                : llvm::APInt::getMaxValue(bits).zext(128);
  x = b.CreateBinaryIntrinsic(smax, x, llvm::ConstantInt::get(wide, lo));
  x = b.CreateBinaryIntrinsic(smin, x, llvm::ConstantInt::get(wide, hi));
  return b.CreateTrunc(x, dest);
}

// Rounds a float to an integral value in the mode an .rni/.rzi/.rmi/.rpi modifier names.
llvm::Value* roundIntegral(FunctionLowering& L, llvm::Value* v, Rounding r) {
  auto& b = L.b();
  switch (r) {
  case Rounding::Rn:
    return b.CreateUnaryIntrinsic(roundeven, v);
  case Rounding::Rm:
    return b.CreateUnaryIntrinsic(floor, v);
  case Rounding::Rp:
    return b.CreateUnaryIntrinsic(ceil, v);
  default:
    return b.CreateUnaryIntrinsic(trunc, v);
  }
}

bool isIntegralRounding(const Instruction& inst) {
  return inst.has("rni") || inst.has("rzi") || inst.has("rmi") || inst.has("rpi");
}

bool isDirected(Rounding r) {
  return r == Rounding::Rz || r == Rounding::Rm || r == Rounding::Rp;
}

bool isByte(ScalarType t) {
  return t == ScalarType::U8 || t == ScalarType::S8;
}

// Whether every value of `from` is a value of `to` (both integer types).
bool integerRangeContains(ScalarType to, ScalarType from) {
  unsigned toBits = bitWidth(to), fromBits = bitWidth(from);
  if (isSigned(to) == isSigned(from))
    return toBits >= fromBits;
  return isSigned(to) && toBits > fromBits; // unsigned into a wider signed type
}

// The spellings ptxas (CUDA 13, sm_90) rejects though the general cvt syntax allows them: the
// error names the rule, as ptxas does, instead of converting something NVIDIA never runs.
std::optional<std::string> invalidCvt(ScalarType to, ScalarType from, const FloatMode& mode) {
  bool bf16 = to == ScalarType::BF16 || from == ScalarType::BF16;
  if (bf16 && (isByte(to) || isByte(from)))
    return "bf16 converts to and from 16-, 32- and 64-bit integers only, not 8-bit ones";
  if (mode.sat && bf16)
    return ".sat does not apply to bf16 conversions (.satfinite does, where PTX has it)";
  if (mode.sat && !isFloat(to) && !isFloat(from) && integerRangeContains(to, from))
    return ".sat is illegal where the destination's range holds every source value";
  return std::nullopt;
}

void lowerCvt(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 2, 3))
    return;
  if (inst.types.size() != 2)
    return L.fail(inst, "cvt needs a destination and a source type");
  ScalarType to = inst.types[0], from = inst.types[1];
  FloatMode mode = floatMode(inst);
  auto& b = L.b();
  if (isNarrowFloatCvt(inst))
    return lowerNarrowFloatCvt(L, inst);
  if (mode.rounding == Rounding::Rna)
    return L.unsupported(inst);
  if (auto why = invalidCvt(to, from, mode))
    return L.fail(inst, "'" + inst.spelling() + "' is not valid PTX: " + *why);
  bool relu = inst.has("relu");
  bool toHalves = to == ScalarType::F16 || to == ScalarType::BF16 || isPacked(to);
  if (relu && (from != ScalarType::F32 || !toHalves || mode.rounding != Rounding::Rn))
    return L.unsupported(inst, ".relu converts f32 to f16, bf16, f16x2 or bf16x2, rounded .rn");
  if (isPacked(to)) {
    // cvt.rn.f16x2.f32 d, a, b: d.hi = a, d.lo = b.
    if (!L.expectOperands(inst, 3, 3))
      return;
    if (from != ScalarType::F32 ||
        (mode.rounding != Rounding::Rn && mode.rounding != Rounding::None))
      return L.unsupported(inst);
    auto v = readOperands(L, inst, 1, 2, from);
    if (!v)
      return;
    llvm::Type* element = to == ScalarType::F16x2 ? b.getHalfTy() : b.getBFloatTy();
    llvm::Value* pair = llvm::PoisonValue::get(L.type(to));
    for (unsigned i = 0; i < 2; ++i) {
      llvm::Value* x = b.CreateFPTrunc((*v)[1 - i], element);
      if (relu)
        x = reluHalves(L, x);
      if (mode.sat)
        x = saturate(L, x);
      pair = b.CreateInsertElement(pair, x, i);
    }
    L.write(inst.operands[0], pair, to);
    return;
  }
  if (!L.expectOperands(inst, 2, 2))
    return;
  auto v = readOperands(L, inst, 1, 1, from);
  if (!v)
    return;
  llvm::Value* x = (*v)[0];
  llvm::Value* r = nullptr;
  if (!isFloat(from) && !isFloat(to)) {
    r = convertInteger(L, x, from, to, mode.sat);
  } else if (!isFloat(from)) {
    if (mode.rounding != Rounding::None && mode.rounding != Rounding::Rn)
      r = convertDirected(L, inst, x, from, to, mode.rounding);
    else if (to == ScalarType::BF16)
      r = toBFloat16Nearest(L, x, from);
    else
      r = isSigned(from) ? b.CreateSIToFP(x, L.type(to)) : b.CreateUIToFP(x, L.type(to));
    if (!r)
      return;
    if (mode.sat)
      r = saturate(L, r);
  } else if (!isFloat(to)) {
    // PTX saturates float-to-integer conversions and maps NaN to 0, as fpto[su]i.sat do;
    // except to .s64, where NVIDIA returns 0x8000000000000000 (cvt.rzi.s64.f32(NaN), H200).
    if (mode.ftz && from == ScalarType::F32)
      x = flushSubnormal(L, x);
    llvm::Value* whole = roundIntegral(L, x, mode.rounding);
    r = b.CreateIntrinsic(isSigned(to) ? fptosi_sat : fptoui_sat, {L.type(to), x->getType()},
                          {whole});
    if (to == ScalarType::S64)
      r = b.CreateSelect(b.CreateFCmpUNO(x, x), b.getInt64(uint64_t(1) << 63), r);
  } else {
    if (mode.ftz && from == ScalarType::F32)
      x = flushSubnormal(L, x);
    unsigned fromBits = bitWidth(from), toBits = bitWidth(to);
    if (isIntegralRounding(inst)) {
      if (from != to)
        return L.fail(inst, "integral rounding needs the same source and destination type");
      r = roundIntegral(L, x, mode.rounding);
    } else if (fromBits == 16 && toBits == 16 && from != to && !isDirected(mode.rounding)) {
      // f16 and bf16 into each other, rounded to nearest: f32 holds either exactly.
      r = b.CreateFPTrunc(b.CreateFPExt(x, b.getFloatTy()), L.type(to));
    } else if (fromBits < toBits || (from == to)) {
      r = b.CreateFPExt(x, L.type(to));
    } else if (to == ScalarType::BF16 && from == ScalarType::F64 &&
               (mode.rounding == Rounding::Rn || mode.rounding == Rounding::None)) {
      r = toBFloat16Nearest(L, x, from);
    } else if (mode.rounding == Rounding::Rn || mode.rounding == Rounding::None) {
      r = b.CreateFPTrunc(x, L.type(to));
      if (relu)
        r = reluHalves(L, r);
    } else if (to == ScalarType::BF16 && from == ScalarType::F32 && mode.rounding == Rounding::Rz) {
      r = b.CreateBitCast(b.CreateIntrinsic(nvvm_f2bf16_rz, {}, {x}), L.type(to));
    } else {
      r = convertDirected(L, inst, x, from, to, mode.rounding);
      if (!r)
        return;
    }
    if (mode.ftz && to == ScalarType::F32)
      r = flushSubnormal(L, r);
    if (mode.sat)
      r = saturate(L, r);
  }
  L.write(inst.operands[0], r, to);
}

// cvta.space.size d, a (to generic) and cvta.to.space.size d, a (from generic).
void lowerCvta(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 2, 2))
    return;
  auto t = instructionType(L, inst);
  if (!t)
    return;
  unsigned space = addressSpaceOf(inst.space);
  if (space == Generic)
    return L.fail(inst, "cvta needs a state space (.global, .shared, .const or .local)");
  bool toSpace = inst.has("to");
  auto v = readOperands(L, inst, 1, 1, ScalarType::U64);
  if (!v)
    return;
  auto& b = L.b();
  llvm::Value* ptr = b.CreateIntToPtr((*v)[0], b.getPtrTy(toSpace ? Generic : space));
  llvm::Value* cast = b.CreateAddrSpaceCast(ptr, b.getPtrTy(toSpace ? space : Generic));
  L.write(inst.operands[0], b.CreatePtrToInt(cast, b.getInt64Ty()), ScalarType::U64);
}

} // namespace

void registerConvert(Registry& r) {
  r["mov"] = lowerMov;
  r["cvt"] = lowerCvt;
  r["cvta"] = lowerCvta;
}

} // namespace drawbridge::ptx::nvvm

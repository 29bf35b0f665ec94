// Bit operations: and or xor not cnot shl shr bfe bfi bmsk brev popc clz bfind prmt lop3 shf.
// Shift amounts and bit-field positions follow PTX's clamping rules exactly (an LLVM shift by the
// width or more would be poison), and prmt/lop3 are expanded into portable IR.
#include "Common.h"

namespace drawbridge::ptx::nvvm {
namespace {

using namespace llvm::Intrinsic;

// The operands of a bit operation, which PTX defines on .b, .u, .s and .pred types only: a
// floating-point type (`shl.f32`, found by the fuzzer) is malformed PTX, named as such.
std::optional<Sources> bitSources(FunctionLowering& L, const Instruction& inst, size_t operands,
                                  size_t sources) {
  if (!L.expectOperands(inst, operands, operands))
    return std::nullopt;
  std::optional<ScalarType> type = instructionType(L, inst);
  if (!type)
    return std::nullopt;
  if (isFloat(*type)) {
    L.fail(inst, "'" + inst.spelling() +
                     "' works on bits or integers (.b, .u or .s types), not floating-point values");
    return std::nullopt;
  }
  return typedSources(L, inst, operands, sources);
}

void lowerLogic(FunctionLowering& L, const Instruction& inst) {
  auto s = bitSources(L, inst, 3, 2);
  if (!s)
    return;
  auto& b = L.b();
  llvm::Value* r = inst.opcode == "and"  ? b.CreateAnd(s->values[0], s->values[1])
                   : inst.opcode == "or" ? b.CreateOr(s->values[0], s->values[1])
                                         : b.CreateXor(s->values[0], s->values[1]);
  L.write(inst.operands[0], r, s->type);
}

void lowerNot(FunctionLowering& L, const Instruction& inst) {
  auto s = bitSources(L, inst, 2, 1);
  if (!s)
    return;
  auto& b = L.b();
  llvm::Value* a = s->values[0];
  llvm::Value* r =
      inst.opcode == "not"
          ? b.CreateNot(a)
          : b.CreateZExt(b.CreateICmpEQ(a, llvm::ConstantInt::get(a->getType(), 0)), a->getType());
  L.write(inst.operands[0], r, s->type);
}

// A shift amount as a `bits`-wide value, and whether it reaches past the width.
std::pair<llvm::Value*, llvm::Value*> shiftAmount(FunctionLowering& L, llvm::Value* amount32,
                                                  unsigned bits) {
  auto& b = L.b();
  llvm::Value* tooFar = b.CreateICmpUGE(amount32, b.getInt32(bits));
  llvm::Value* inRange = b.CreateSelect(tooFar, b.getInt32(0), amount32);
  return {b.CreateZExtOrTrunc(inRange, L.intType(bits)), tooFar};
}

void lowerShift(FunctionLowering& L, const Instruction& inst) {
  auto s = bitSources(L, inst, 3, 1);
  llvm::Value* amount = s ? L.read(inst.operands[2], ScalarType::U32) : nullptr;
  if (!amount)
    return L.fail(inst, "cannot read the operands of '" + inst.spelling() + "'");
  auto& b = L.b();
  llvm::Value* a = s->values[0];
  unsigned bits = bitWidth(s->type);
  auto [n, tooFar] = shiftAmount(L, amount, bits);
  llvm::Value* r;
  if (inst.opcode == "shl") {
    r = b.CreateSelect(tooFar, llvm::ConstantInt::get(a->getType(), 0), b.CreateShl(a, n));
  } else if (isSigned(s->type)) {
    // Shifting a signed value right by the width or more leaves only sign bits.
    r = b.CreateAShr(a, b.CreateSelect(tooFar, llvm::ConstantInt::get(a->getType(), bits - 1), n));
  } else {
    r = b.CreateSelect(tooFar, llvm::ConstantInt::get(a->getType(), 0), b.CreateLShr(a, n));
  }
  L.write(inst.operands[0], r, s->type);
}

// bfe d, a, pos, len: len bits of a from pos, zero- or sign-extended (PTX ISA, "bfe").
void lowerBfe(FunctionLowering& L, const Instruction& inst) {
  auto s = bitSources(L, inst, 4, 1);
  auto fields = s ? readOperands(L, inst, 2, 2, ScalarType::U32) : std::nullopt;
  if (!fields)
    return;
  auto& b = L.b();
  unsigned bits = bitWidth(s->type);
  bool sign = isSigned(s->type);
  llvm::Value* a = s->values[0];
  llvm::Type* ty = a->getType();
  llvm::Value* pos = b.CreateAnd((*fields)[0], 0xff);
  llvm::Value* len = b.CreateAnd((*fields)[1], 0xff);
  auto [posN, posTooFar] = shiftAmount(L, pos, bits);
  llvm::Value* shifted = sign ? b.CreateAShr(a, posN) : b.CreateLShr(a, posN);
  llvm::Value* beyond =
      sign ? b.CreateAShr(a, llvm::ConstantInt::get(ty, bits - 1)) : llvm::ConstantInt::get(ty, 0);
  shifted = b.CreateSelect(posTooFar, beyond, shifted);
  // Keep len bits: shift them to the top, then back (arithmetic for signed types).
  llvm::Value* lenTooFar = b.CreateICmpUGE(len, b.getInt32(bits));
  llvm::Value* spare = b.CreateZExtOrTrunc(
      b.CreateSelect(lenTooFar, b.getInt32(0), b.CreateSub(b.getInt32(bits), len)), ty);
  llvm::Value* spareInRange =
      b.CreateSelect(b.CreateICmpEQ(len, b.getInt32(0)), llvm::ConstantInt::get(ty, 0), spare);
  llvm::Value* top = b.CreateShl(shifted, spareInRange);
  llvm::Value* field = sign ? b.CreateAShr(top, spareInRange) : b.CreateLShr(top, spareInRange);
  llvm::Value* r =
      b.CreateSelect(b.CreateICmpEQ(len, b.getInt32(0)), llvm::ConstantInt::get(ty, 0), field);
  L.write(inst.operands[0], r, s->type);
}

// bmsk.{clamp,wrap}.b32 d, a, b: b one-bits from bit a (PTX ISA, "bmsk"). Both modes take a and
// b modulo 32; .clamp instead gives no bits for a >= 32 and every bit from a for b >= 32.
void lowerBmsk(FunctionLowering& L, const Instruction& inst) {
  bool clamp = inst.has("clamp");
  if (!clamp && !inst.has("wrap"))
    return L.fail(inst, "bmsk needs a mode: .clamp or .wrap");
  if (!L.expectOperands(inst, 3, 3))
    return;
  auto v = readOperands(L, inst, 1, 2, ScalarType::B32);
  if (!v)
    return;
  auto& b = L.b();
  llvm::Value* ones = b.getInt32(~0u);
  llvm::Value* a1 = b.CreateAnd((*v)[0], 31);
  llvm::Value* b1 = b.CreateAnd((*v)[1], 31);
  llvm::Value* sum = b.CreateAdd(a1, b1);
  llvm::Value* positionOverflow = clamp ? b.CreateICmpUGE((*v)[0], b.getInt32(32)) : b.getFalse();
  llvm::Value* widthOverflow = clamp ? b.CreateICmpUGE((*v)[1], b.getInt32(32)) : b.getFalse();
  llvm::Value* low = b.CreateSelect(positionOverflow, b.getInt32(0), b.CreateShl(ones, a1));
  // The bits at and above a + b, which the mask leaves out: none when a + b passes bit 31 or an
  // operand overflowed, all when the width is 0.
  llvm::Value* noHigh =
      b.CreateOr(b.CreateICmpUGE(sum, b.getInt32(32)), b.CreateOr(positionOverflow, widthOverflow));
  llvm::Value* high = b.CreateShl(ones, b.CreateAnd(sum, 31));
  high = b.CreateSelect(b.CreateICmpEQ(b1, b.getInt32(0)), ones, high);
  high = b.CreateSelect(noHigh, b.getInt32(0), high);
  L.write(inst.operands[0], b.CreateAnd(low, b.CreateNot(high)), ScalarType::B32);
}

// bfi d, f, b, pos, len: b with len bits at pos replaced by the low bits of f.
void lowerBfi(FunctionLowering& L, const Instruction& inst) {
  auto s = bitSources(L, inst, 5, 2);
  auto fields = s ? readOperands(L, inst, 3, 2, ScalarType::U32) : std::nullopt;
  if (!fields)
    return;
  auto& b = L.b();
  unsigned bits = bitWidth(s->type);
  llvm::Type* ty = s->values[0]->getType();
  llvm::Value* pos = b.CreateAnd((*fields)[0], 0xff);
  llvm::Value* len = b.CreateAnd((*fields)[1], 0xff);
  auto [posN, posTooFar] = shiftAmount(L, pos, bits);
  auto [lenN, lenTooFar] = shiftAmount(L, len, bits);
  llvm::Value* ones = llvm::ConstantInt::getAllOnesValue(ty);
  llvm::Value* lowMask = b.CreateSelect(
      lenTooFar, ones,
      b.CreateSub(b.CreateShl(llvm::ConstantInt::get(ty, 1), lenN), llvm::ConstantInt::get(ty, 1)));
  llvm::Value* mask =
      b.CreateSelect(posTooFar, llvm::ConstantInt::get(ty, 0), b.CreateShl(lowMask, posN));
  llvm::Value* r = b.CreateOr(b.CreateAnd(s->values[1], b.CreateNot(mask)),
                              b.CreateAnd(b.CreateShl(s->values[0], posN), mask));
  L.write(inst.operands[0], r, s->type);
}

void lowerCount(FunctionLowering& L, const Instruction& inst) {
  auto s = bitSources(L, inst, 2, 1);
  if (!s)
    return;
  auto& b = L.b();
  llvm::Value* a = s->values[0];
  if (inst.opcode == "brev") {
    L.write(inst.operands[0], b.CreateUnaryIntrinsic(bitreverse, a), s->type);
    return;
  }
  llvm::Value* r = inst.opcode == "popc" ? b.CreateUnaryIntrinsic(ctpop, a)
                                         : b.CreateBinaryIntrinsic(ctlz, a, b.getFalse());
  L.write(inst.operands[0], b.CreateZExtOrTrunc(r, b.getInt32Ty()), ScalarType::U32);
}

// bfind: the position of the most significant non-sign bit, or 0xffffffff if there is none.
void lowerBfind(FunctionLowering& L, const Instruction& inst) {
  auto s = bitSources(L, inst, 2, 1);
  if (!s)
    return;
  auto& b = L.b();
  llvm::Value* a = s->values[0];
  llvm::Type* ty = a->getType();
  if (isSigned(s->type))
    a = b.CreateSelect(b.CreateICmpSLT(a, llvm::ConstantInt::get(ty, 0)), b.CreateNot(a), a);
  llvm::Value* leading =
      b.CreateZExtOrTrunc(b.CreateBinaryIntrinsic(ctlz, a, b.getFalse()), b.getInt32Ty());
  llvm::Value* found =
      inst.has("shiftamt") ? leading : b.CreateSub(b.getInt32(bitWidth(s->type) - 1), leading);
  llvm::Value* r = b.CreateSelect(b.CreateICmpEQ(a, llvm::ConstantInt::get(ty, 0)),
                                  b.getInt32(0xffffffffu), found);
  L.write(inst.operands[0], r, ScalarType::U32);
}

// The byte of the 64-bit pool {b, a} at `index` (0..7).
llvm::Value* poolByte(Builder& b, llvm::Value* pool, llvm::Value* index) {
  llvm::Value* shift = b.CreateMul(b.CreateZExt(index, b.getInt64Ty()), b.getInt64(8));
  return b.CreateTrunc(b.CreateLShr(pool, shift), b.getInt8Ty());
}

// The pool index that byte i of d takes in prmt's named modes, from s = c[1:0] (PTX ISA,
// "prmt"): f4e and b4e extract four bytes forwards and backwards, rc8 and rc16 replicate a byte
// or a half-word, ecl and ecr clamp to the left or right edge.
llvm::Value* namedModeIndex(Builder& b, std::string_view mode, llvm::Value* s, unsigned i) {
  llvm::Value* byte = b.getInt32(i);
  if (mode == "f4e")
    return b.CreateAdd(s, byte);
  if (mode == "b4e")
    return b.CreateAnd(b.CreateSub(s, byte), 7);
  if (mode == "rc8")
    return s;
  if (mode == "ecl")
    return b.CreateBinaryIntrinsic(llvm::Intrinsic::umax, s, byte);
  if (mode == "ecr")
    return b.CreateBinaryIntrinsic(llvm::Intrinsic::umin, s, byte);
  // rc16
  return b.CreateOr(b.CreateShl(b.CreateAnd(s, 1), 1), b.getInt32(i & 1));
}

// prmt.b32{.mode} d, a, b, c. In the default mode each byte of d is the byte of {b, a} that a
// selector nibble of c picks, or that byte's sign replicated when the nibble's top bit is set;
// the named modes take their pattern from c[1:0].
void lowerPrmt(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 4, 4))
    return;
  std::string_view mode;
  for (const auto& m : inst.modifiers) {
    if (m == "f4e" || m == "b4e" || m == "rc8" || m == "ecl" || m == "ecr" || m == "rc16")
      mode = m;
    else if (m != "b32")
      return L.unsupported(inst, "prmt modes are f4e, b4e, rc8, ecl, ecr and rc16");
  }
  auto v = readOperands(L, inst, 1, 3, ScalarType::B32);
  if (!v)
    return;
  auto& b = L.b();
  llvm::Value* pool = b.CreateOr(b.CreateShl(b.CreateZExt((*v)[1], b.getInt64Ty()), 32),
                                 b.CreateZExt((*v)[0], b.getInt64Ty()));
  llvm::Value* shift = b.CreateAnd((*v)[2], 3);
  llvm::Value* result = b.getInt32(0);
  for (unsigned i = 0; i < 4; ++i) {
    llvm::Value* byte;
    if (mode.empty()) {
      llvm::Value* selector = b.CreateAnd(b.CreateLShr((*v)[2], 4 * i), 0xf);
      byte = poolByte(b, pool, b.CreateAnd(selector, 7));
      llvm::Value* signFill = b.CreateAShr(byte, 7);
      llvm::Value* replicate = b.CreateICmpNE(b.CreateAnd(selector, 8), b.getInt32(0));
      byte = b.CreateSelect(replicate, signFill, byte);
    } else {
      byte = poolByte(b, pool, namedModeIndex(b, mode, shift, i));
    }
    result = b.CreateOr(result, b.CreateShl(b.CreateZExt(byte, b.getInt32Ty()), 8 * i));
  }
  L.write(inst.operands[0], result, ScalarType::B32);
}

// lop3.b32 d, a, b, c, lut: the truth table lut over (a, b, c) = (0xF0, 0xCC, 0xAA).
void lowerLop3(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 5, 5))
    return;
  const Operand& lut = inst.operands[4];
  if (lut.kind != Operand::Kind::Immediate || inst.modifiers.size() != 1)
    return L.unsupported(inst, "lop3 needs an immediate table and no predicate output");
  auto v = readOperands(L, inst, 1, 3, ScalarType::B32);
  if (!v)
    return;
  auto& b = L.b();
  llvm::Value* result = b.getInt32(0);
  for (unsigned minterm = 0; minterm < 8; ++minterm) {
    if (!((lut.value >> minterm) & 1))
      continue;
    llvm::Value* term = b.getInt32(0xffffffffu);
    for (unsigned input = 0; input < 3; ++input) {
      bool set = (minterm >> (2 - input)) & 1;
      term = b.CreateAnd(term, set ? (*v)[input] : b.CreateNot((*v)[input]));
    }
    result = b.CreateOr(result, term);
  }
  L.write(inst.operands[0], result, ScalarType::B32);
}

// shf.{l,r}.{wrap,clamp}.b32 d, a, b, c: a funnel shift of the 64-bit value b:a.
void lowerShf(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 4, 4))
    return;
  bool left = inst.has("l");
  if (!left && !inst.has("r"))
    return L.fail(inst, "shf needs .l or .r");
  auto v = readOperands(L, inst, 1, 3, ScalarType::B32);
  if (!v)
    return;
  auto& b = L.b();
  llvm::Value* lo = (*v)[0];
  llvm::Value* hi = (*v)[1];
  llvm::Value* n = (*v)[2];
  llvm::Value* r = b.CreateIntrinsic(left ? fshl : fshr, {b.getInt32Ty()}, {hi, lo, n});
  if (inst.has("clamp"))
    r = b.CreateSelect(b.CreateICmpUGE(n, b.getInt32(32)), left ? lo : hi, r);
  L.write(inst.operands[0], r, ScalarType::B32);
}

} // namespace

void registerBitwise(Registry& r) {
  r["and"] = lowerLogic;
  r["or"] = lowerLogic;
  r["xor"] = lowerLogic;
  r["not"] = lowerNot;
  r["cnot"] = lowerNot;
  r["shl"] = lowerShift;
  r["shr"] = lowerShift;
  r["bfe"] = lowerBfe;
  r["bfi"] = lowerBfi;
  r["bmsk"] = lowerBmsk;
  r["brev"] = lowerCount;
  r["popc"] = lowerCount;
  r["clz"] = lowerCount;
  r["bfind"] = lowerBfind;
  r["prmt"] = lowerPrmt;
  r["lop3"] = lowerLop3;
  r["shf"] = lowerShf;
}

} // namespace drawbridge::ptx::nvvm

// Integer and floating-point arithmetic: add sub mul mad mul24 mad24 fma div rem abs neg min max
// copysign sad. Default rounding (.rn) and no .ftz map to plain IR operations; other rounding
// modes and .ftz on f32 use NVVM's rounded intrinsics, so no precision is silently changed.
#include "Common.h"

#include <functional>
#include <llvm/IR/IntrinsicsNVPTX.h>

namespace drawbridge::ptx::nvvm {
namespace {

using namespace llvm::Intrinsic;

const RoundedIntrinsics kAdd{nvvm_add_rn_f,     nvvm_add_rz_f,     nvvm_add_rm_f,
                             nvvm_add_rp_f,     nvvm_add_rn_ftz_f, nvvm_add_rz_ftz_f,
                             nvvm_add_rm_ftz_f, nvvm_add_rp_ftz_f, nvvm_add_rn_d,
                             nvvm_add_rz_d,     nvvm_add_rm_d,     nvvm_add_rp_d};
const RoundedIntrinsics kMul{nvvm_mul_rn_f,     nvvm_mul_rz_f,     nvvm_mul_rm_f,
                             nvvm_mul_rp_f,     nvvm_mul_rn_ftz_f, nvvm_mul_rz_ftz_f,
                             nvvm_mul_rm_ftz_f, nvvm_mul_rp_ftz_f, nvvm_mul_rn_d,
                             nvvm_mul_rz_d,     nvvm_mul_rm_d,     nvvm_mul_rp_d};
const RoundedIntrinsics kFma{nvvm_fma_rn_f,     nvvm_fma_rz_f,     nvvm_fma_rm_f,
                             nvvm_fma_rp_f,     nvvm_fma_rn_ftz_f, nvvm_fma_rz_ftz_f,
                             nvvm_fma_rm_ftz_f, nvvm_fma_rp_ftz_f, nvvm_fma_rn_d,
                             nvvm_fma_rz_d,     nvvm_fma_rm_d,     nvvm_fma_rp_d};
const RoundedIntrinsics kDiv{nvvm_div_rn_f,     nvvm_div_rz_f,     nvvm_div_rm_f,
                             nvvm_div_rp_f,     nvvm_div_rn_ftz_f, nvvm_div_rz_ftz_f,
                             nvvm_div_rm_ftz_f, nvvm_div_rp_ftz_f, nvvm_div_rn_d,
                             nvvm_div_rz_d,     nvvm_div_rm_d,     nvvm_div_rp_d};

bool isScalar32or64(ScalarType t) {
  return t == ScalarType::F32 || t == ScalarType::F64;
}

// Whether an operation needs an NVVM rounded intrinsic rather than the plain IR operation.
bool needsRoundedIntrinsic(const FloatMode& mode, ScalarType t) {
  bool directed = mode.rounding == Rounding::Rz || mode.rounding == Rounding::Rm ||
                  mode.rounding == Rounding::Rp;
  return directed || (mode.ftz && t == ScalarType::F32);
}

// The result of a floating-point operation, after .sat; nullptr (with an error) if the
// rounding/type combination does not exist.
llvm::Value* floatOp(FunctionLowering& L, const Instruction& inst, ScalarType t,
                     const RoundedIntrinsics& ids, llvm::ArrayRef<llvm::Value*> args,
                     const std::function<llvm::Value*()>& plain) {
  FloatMode mode = floatMode(inst);
  llvm::Value* result = nullptr;
  if (needsRoundedIntrinsic(mode, t)) {
    ID id = isScalar32or64(t) ? pickRounded(ids, mode.rounding, mode.ftz, t == ScalarType::F64)
                              : not_intrinsic;
    if (id == not_intrinsic) {
      L.unsupported(inst, "this rounding mode is not available for ." + std::string(name(t)));
      return nullptr;
    }
    result = L.b().CreateIntrinsic(id, {}, args);
  } else {
    result = plain();
  }
  return mode.sat ? saturate(L, result) : result;
}

bool isHalves(ScalarType t) {
  return t == ScalarType::F16 || t == ScalarType::F16x2;
}

using HalfOp = std::function<llvm::Value*(llvm::ArrayRef<llvm::Value*>)>;

// .ftz on f16 and f16x2: subnormal operands and results become zeros of the same sign. A result
// is tiny when its exact value is, before rounding (as NVIDIA's f32 .ftz): the operation again
// in f64, where f16 sums and products are exact, tells. .sat then clamps the flushed result.
llvm::Value* flushedHalfOp(FunctionLowering& L, const Instruction& inst,
                           std::vector<llvm::Value*> args, const HalfOp& op) {
  auto& b = L.b();
  std::vector<llvm::Value*> wide;
  for (llvm::Value*& arg : args) {
    arg = flushSubnormal(L, arg);
    wide.push_back(b.CreateFPExt(arg, arg->getType()->getWithNewType(b.getDoubleTy())));
  }
  llvm::Value* r = op(args);
  llvm::Value* exact = op(wide);
  llvm::Value* tiny = b.CreateFCmpOLT(b.CreateUnaryIntrinsic(fabs, exact),
                                      llvm::ConstantFP::get(exact->getType(), 0x1p-14));
  llvm::Value* zero =
      b.CreateBinaryIntrinsic(copysign, llvm::ConstantFP::get(r->getType(), 0.0), r);
  r = b.CreateSelect(tiny, zero, r);
  return inst.has("sat") ? saturate(L, r) : r;
}

void lowerAddSub(FunctionLowering& L, const Instruction& inst) {
  if (inst.has("cc"))
    return lowerCarry(L, inst);
  auto s = typedSources(L, inst, 3, 2);
  if (!s)
    return;
  auto& b = L.b();
  bool isSub = inst.opcode == "sub";
  llvm::Value* a = s->values[0];
  llvm::Value* c = s->values[1];
  llvm::Value* result = nullptr;
  if (isHalves(s->type) && inst.has("ftz")) {
    result = flushedHalfOp(L, inst, {a, c}, [&](llvm::ArrayRef<llvm::Value*> x) {
      return isSub ? b.CreateFSub(x[0], x[1]) : b.CreateFAdd(x[0], x[1]);
    });
  } else if (isFloat(s->type)) {
    // a - b is a + (-b) in every rounding mode.
    result = floatOp(L, inst, s->type, kAdd, {a, isSub ? b.CreateFNeg(c) : c},
                     [&] { return isSub ? b.CreateFSub(a, c) : b.CreateFAdd(a, c); });
    if (!result)
      return;
  } else if (inst.has("sat")) {
    result = b.CreateIntrinsic(isSub ? ssub_sat : sadd_sat, {a->getType()}, {a, c});
  } else {
    result = isSub ? b.CreateSub(a, c) : b.CreateAdd(a, c);
  }
  L.write(inst.operands[0], result, s->type);
}

ScalarType widened(ScalarType t) {
  switch (t) {
  case ScalarType::U16:
    return ScalarType::U32;
  case ScalarType::U32:
    return ScalarType::U64;
  case ScalarType::S16:
    return ScalarType::S32;
  case ScalarType::S32:
    return ScalarType::S64;
  default:
    return t;
  }
}

// The integer product in the form .lo, .hi or .wide asks for (with the type's signedness).
llvm::Value* integerProduct(FunctionLowering& L, const Instruction& inst, ScalarType t,
                            llvm::Value* a, llvm::Value* c) {
  auto& b = L.b();
  unsigned bits = bitWidth(t);
  if (!inst.has("hi") && !inst.has("wide"))
    return b.CreateMul(a, c);
  llvm::Type* wide = L.intType(2 * bits);
  bool sign = isSigned(t);
  llvm::Value* product =
      b.CreateMul(b.CreateIntCast(a, wide, sign), b.CreateIntCast(c, wide, sign));
  if (inst.has("wide"))
    return product;
  return b.CreateTrunc(b.CreateLShr(product, bits), a->getType());
}

void lowerMul(FunctionLowering& L, const Instruction& inst) {
  auto s = typedSources(L, inst, 3, 2);
  if (!s)
    return;
  auto& b = L.b();
  if (isHalves(s->type) && inst.has("ftz")) {
    L.write(inst.operands[0],
            flushedHalfOp(L, inst, s->values,
                          [&](llvm::ArrayRef<llvm::Value*> x) { return b.CreateFMul(x[0], x[1]); }),
            s->type);
    return;
  }
  if (isFloat(s->type)) {
    llvm::Value* r = floatOp(L, inst, s->type, kMul, s->values,
                             [&] { return b.CreateFMul(s->values[0], s->values[1]); });
    if (r)
      L.write(inst.operands[0], r, s->type);
    return;
  }
  llvm::Value* r = integerProduct(L, inst, s->type, s->values[0], s->values[1]);
  L.write(inst.operands[0], r, inst.has("wide") ? widened(s->type) : s->type);
}

void lowerFma(FunctionLowering& L, const Instruction& inst) {
  auto s = typedSources(L, inst, 4, 3);
  if (!s)
    return;
  auto& b = L.b();
  if (isFloat(s->type)) {
    // A float mad names its rounding on every target from sm_20 on (ptxas rejects mad.f32),
    // and is then fma.
    if (inst.opcode == "mad" && floatMode(inst).rounding == Rounding::None)
      return L.fail(inst, "'" + inst.spelling() +
                              "' needs a rounding modifier (.rn, .rz, .rm or "
                              ".rp): mad.f32 is PTX for sm_1x only");
    auto fused = [&](llvm::ArrayRef<llvm::Value*> x) {
      return b.CreateIntrinsic(fma, {x[0]->getType()}, x);
    };
    if (isHalves(s->type) && inst.has("ftz")) {
      llvm::Value* r = flushedHalfOp(L, inst, s->values, fused);
      L.write(inst.operands[0], inst.has("relu") ? reluHalves(L, r) : r, s->type);
      return;
    }
    if (inst.has("relu")) {
      L.write(inst.operands[0], reluHalves(L, fused(s->values)), s->type);
      return;
    }
    llvm::Value* r = floatOp(L, inst, s->type, kFma, s->values, [&] { return fused(s->values); });
    if (r)
      L.write(inst.operands[0], r, s->type);
    return;
  }
  if (inst.has("cc"))
    return lowerCarry(L, inst);
  llvm::Value* product = integerProduct(L, inst, s->type, s->values[0], s->values[1]);
  if (inst.has("sat")) {
    // mad.hi.sat.s32, the only integer mad PTX saturates: the high word plus c, clamped to the
    // s32 range.
    if (!inst.has("hi") || s->type != ScalarType::S32)
      return L.unsupported(inst, "integer mad saturates only as mad.hi.sat.s32");
    L.write(inst.operands[0], b.CreateBinaryIntrinsic(sadd_sat, product, s->values[2]), s->type);
    return;
  }
  llvm::Value* addend = s->values[2];
  if (inst.has("wide")) {
    addend = L.read(inst.operands[3], widened(s->type));
    if (!addend)
      return L.fail(inst, "the addend of '" + inst.spelling() + "' cannot be read");
  }
  L.write(inst.operands[0], b.CreateAdd(product, addend),
          inst.has("wide") ? widened(s->type) : s->type);
}

// mul24/mad24: the product of the low 24 bits of each operand (sign- or zero-extended).
void lowerMul24(FunctionLowering& L, const Instruction& inst) {
  auto t = instructionType(L, inst);
  bool isMad = inst.opcode == "mad24";
  if (!t || !L.expectOperands(inst, isMad ? 4 : 3, isMad ? 4 : 3))
    return;
  auto v = readOperands(L, inst, 1, isMad ? 3 : 2, *t);
  if (!v)
    return;
  auto& b = L.b();
  bool sign = isSigned(*t);
  auto low24 = [&](llvm::Value* x) {
    llvm::Value* shifted = b.CreateShl(x, 8);
    return sign ? b.CreateAShr(shifted, 8) : b.CreateLShr(shifted, 8);
  };
  llvm::Type* i64 = b.getInt64Ty();
  llvm::Value* product = b.CreateMul(b.CreateIntCast(low24((*v)[0]), i64, sign),
                                     b.CreateIntCast(low24((*v)[1]), i64, sign));
  // .hi returns bits 16..47 of the 48-bit product.
  llvm::Value* r =
      b.CreateTrunc(inst.has("hi") ? b.CreateLShr(product, 16) : product, b.getInt32Ty());
  if (isMad)
    r = b.CreateAdd(r, (*v)[2]);
  L.write(inst.operands[0], r, *t);
}

void lowerDivRem(FunctionLowering& L, const Instruction& inst) {
  auto s = typedSources(L, inst, 3, 2);
  if (!s)
    return;
  auto& b = L.b();
  llvm::Value* a = s->values[0];
  llvm::Value* c = s->values[1];
  if (isFloat(s->type)) {
    if (inst.opcode == "rem")
      return L.unsupported(inst);
    FloatMode mode = floatMode(inst);
    llvm::Value* r = nullptr;
    if (mode.approx) {
      r = b.CreateIntrinsic(mode.ftz ? nvvm_div_approx_ftz_f : nvvm_div_approx_f, {}, {a, c});
    } else if (inst.has("full")) {
      // div.full is within 2 ulp; the correctly rounded quotient satisfies that bound.
      r = mode.ftz ? b.CreateIntrinsic(nvvm_div_rn_ftz_f, {}, {a, c}) : b.CreateFDiv(a, c);
    } else {
      r = floatOp(L, inst, s->type, kDiv, {a, c}, [&] { return b.CreateFDiv(a, c); });
    }
    if (r)
      L.write(inst.operands[0], r, s->type);
    return;
  }
  c = safeDivisor(L, c);
  bool sign = isSigned(s->type);
  if (sign) {
    // INT_MIN / -1 overflows (undefined in LLVM); PTX leaves it unspecified, so divide by 1.
    llvm::Value* minusOne = llvm::ConstantInt::getSigned(c->getType(), -1);
    llvm::Value* minimum = llvm::ConstantInt::get(
        c->getType(), llvm::APInt::getSignedMinValue(c->getType()->getIntegerBitWidth()));
    llvm::Value* overflow = b.CreateAnd(b.CreateICmpEQ(a, minimum), b.CreateICmpEQ(c, minusOne));
    c = b.CreateSelect(overflow, llvm::ConstantInt::get(c->getType(), 1), c);
  }
  llvm::Value* r = inst.opcode == "div" ? (sign ? b.CreateSDiv(a, c) : b.CreateUDiv(a, c))
                                        : (sign ? b.CreateSRem(a, c) : b.CreateURem(a, c));
  L.write(inst.operands[0], r, s->type);
}

void lowerAbsNeg(FunctionLowering& L, const Instruction& inst) {
  auto s = typedSources(L, inst, 2, 1);
  if (!s)
    return;
  auto& b = L.b();
  llvm::Value* a = s->values[0];
  llvm::Value* r = nullptr;
  if (isFloat(s->type)) {
    if (inst.has("ftz")) // a subnormal operand is a zero of its sign
      a = flushSubnormal(L, a);
    r = inst.opcode == "abs" ? b.CreateUnaryIntrinsic(fabs, a) : b.CreateFNeg(a);
  } else
    r = inst.opcode == "abs" ? b.CreateBinaryIntrinsic(llvm::Intrinsic::abs, a, b.getFalse())
                             : b.CreateNeg(a);
  L.write(inst.operands[0], r, s->type);
}

// min/max.xorsign.abs: the min or max of the magnitudes, with the XOR of the inputs' signs (a
// NaN result stays the canonical NaN).
llvm::Value* minMaxXorSign(FunctionLowering& L, ID id, llvm::Value* x, llvm::Value* y) {
  auto& b = L.b();
  llvm::Type* bits = x->getType()->getWithNewType(b.getIntNTy(x->getType()->getScalarSizeInBits()));
  llvm::Value* signMask =
      llvm::ConstantInt::get(bits, llvm::APInt::getSignMask(unsigned(bits->getScalarSizeInBits())));
  llvm::Value* sign =
      b.CreateAnd(b.CreateXor(b.CreateBitCast(x, bits), b.CreateBitCast(y, bits)), signMask);
  llvm::Value* r =
      b.CreateBinaryIntrinsic(id, b.CreateUnaryIntrinsic(fabs, x), b.CreateUnaryIntrinsic(fabs, y));
  llvm::Value* withSign = b.CreateBitCast(b.CreateOr(b.CreateBitCast(r, bits), sign), x->getType());
  return b.CreateSelect(b.CreateFCmpUNO(r, r), r, withSign);
}

void lowerMinMax(FunctionLowering& L, const Instruction& inst) {
  auto s = typedSources(L, inst, 3, 2);
  if (!s)
    return;
  auto& b = L.b();
  bool isMin = inst.opcode == "min";
  ID id;
  if (isFloat(s->type)) {
    FloatMode mode = floatMode(inst);
    bool nan = inst.has("NaN");
    if (mode.ftz && s->type == ScalarType::F32 && !inst.has("xorsign")) {
      id = isMin ? (nan ? nvvm_fmin_ftz_nan_f : nvvm_fmin_ftz_f)
                 : (nan ? nvvm_fmax_ftz_nan_f : nvvm_fmax_ftz_f);
      L.write(inst.operands[0], b.CreateIntrinsic(id, {}, s->values), s->type);
      return;
    }
    // .NaN: NaN in, NaN out; otherwise a NaN operand yields the other one, as PTX defines.
    id = nan ? (isMin ? minimum : maximum) : (isMin ? minnum : maxnum);
    llvm::Value* x = s->values[0];
    llvm::Value* y = s->values[1];
    if (mode.ftz) {
      x = flushSubnormal(L, x);
      y = flushSubnormal(L, y);
    }
    llvm::Value* r =
        inst.has("xorsign") ? minMaxXorSign(L, id, x, y) : b.CreateBinaryIntrinsic(id, x, y);
    L.write(inst.operands[0], r, s->type);
    return;
  }
  bool sign = isSigned(s->type);
  id = isMin ? (sign ? smin : umin) : (sign ? smax : umax);
  L.write(inst.operands[0], b.CreateBinaryIntrinsic(id, s->values[0], s->values[1]), s->type);
}

void lowerCopysign(FunctionLowering& L, const Instruction& inst) {
  auto s = typedSources(L, inst, 3, 2);
  if (!s)
    return;
  // copysign d, a, b: the sign of a, the magnitude of b.
  L.write(inst.operands[0], L.b().CreateBinaryIntrinsic(copysign, s->values[1], s->values[0]),
          s->type);
}

void lowerSad(FunctionLowering& L, const Instruction& inst) {
  auto s = typedSources(L, inst, 4, 3);
  if (!s)
    return;
  auto& b = L.b();
  llvm::Value* a = s->values[0];
  llvm::Value* c = s->values[1];
  bool sign = isSigned(s->type);
  llvm::Value* greater = sign ? b.CreateICmpSGT(a, c) : b.CreateICmpUGT(a, c);
  llvm::Value* diff = b.CreateSelect(greater, b.CreateSub(a, c), b.CreateSub(c, a));
  L.write(inst.operands[0], b.CreateAdd(diff, s->values[2]), s->type);
}

} // namespace

void registerArithmetic(Registry& r) {
  r["add"] = lowerAddSub;
  r["sub"] = lowerAddSub;
  r["mul"] = lowerMul;
  r["mad"] = lowerFma;
  r["fma"] = lowerFma;
  r["mul24"] = lowerMul24;
  r["mad24"] = lowerMul24;
  r["div"] = lowerDivRem;
  r["rem"] = lowerDivRem;
  r["abs"] = lowerAbsNeg;
  r["neg"] = lowerAbsNeg;
  r["min"] = lowerMinMax;
  r["max"] = lowerMinMax;
  r["copysign"] = lowerCopysign;
  r["sad"] = lowerSad;
}

} // namespace drawbridge::ptx::nvvm

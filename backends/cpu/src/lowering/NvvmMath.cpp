// NVVM's arithmetic intrinsics (what PTX's rounded, flush-to-zero and approximate instructions
// lower to) as host IR.
//
// f32 directed rounding (rm, rp, rz) is exact without touching the host's rounding mode: the
// result is computed in f64 to nearest, s, with the sign of the exact error (v - s): from
// TwoSum for add, fma(a, b, -s) for mul and fma, the remainder fma(-q, b, a) for division and
// square root. In f64 every f32 product is exact and no f32 result underflows, so these error
// terms are exact. Rounded to f32, the result is within half an ulp of v, so the directed
// result is it or the float one ulp towards v's side. f64 directed rounding calls the host FPU
// in that mode (HostRounding.cpp): f64 has no wider type in which the error terms stay exact.
#include "Lowering.h"

#include <functional>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Intrinsics.h>
#include <vector>

namespace drawbridge::backend::cpu {
namespace {

using llvm::IRBuilder;
using llvm::Value;

enum class Rounding { Nearest, Down, Up, TowardZero };

struct Rounded {
  llvm::StringRef op; // add, mul, div, fma, sqrt, rcp
  Rounding rounding;
  bool ftz;
  bool isDouble;
};

// "add.rm.ftz.f" and the like.
std::optional<Rounded> parseRounded(llvm::StringRef name) {
  llvm::SmallVector<llvm::StringRef, 4> parts;
  name.split(parts, '.');
  if (parts.size() < 3)
    return std::nullopt;
  llvm::StringRef op = parts[0];
  if (op != "add" && op != "mul" && op != "div" && op != "fma" && op != "sqrt" && op != "rcp")
    return std::nullopt;
  Rounding rounding;
  if (parts[1] == "rn")
    rounding = Rounding::Nearest;
  else if (parts[1] == "rm")
    rounding = Rounding::Down;
  else if (parts[1] == "rp")
    rounding = Rounding::Up;
  else if (parts[1] == "rz")
    rounding = Rounding::TowardZero;
  else
    return std::nullopt;
  bool ftz = parts.size() == 4 && parts[2] == "ftz";
  llvm::StringRef type = parts.back();
  if ((type != "f" && type != "d") || (parts.size() == 4 && !ftz) || parts.size() > 4)
    return std::nullopt;
  return Rounded{op, rounding, ftz, type == "d"};
}

// Subnormals become zeros of the same sign, as .ftz asks.
Value* flush(IRBuilder<>& b, Value* x) {
  llvm::Type* type = x->getType();
  const llvm::fltSemantics& semantics = type->getFltSemantics();
  Value* magnitude = b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x);
  Value* tiny = b.CreateFCmpOLT(
      magnitude, llvm::ConstantFP::get(type, llvm::APFloat::getSmallestNormalized(semantics)));
  Value* zero =
      b.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, llvm::ConstantFP::get(type, 0.0), x);
  return b.CreateSelect(tiny, zero, x);
}

// The next representable value above x (x must not be NaN or +inf).
Value* nextUp(IRBuilder<>& b, Value* x) {
  llvm::Type* type = x->getType();
  llvm::Type* bitsType = b.getIntNTy(type->getPrimitiveSizeInBits());
  Value* bits = b.CreateBitCast(x, bitsType);
  Value* isZero = b.CreateFCmpOEQ(x, llvm::ConstantFP::get(type, 0.0));
  Value* positive = b.CreateICmpSGE(bits, llvm::ConstantInt::get(bitsType, 0));
  Value* stepped = b.CreateSelect(positive, b.CreateAdd(bits, llvm::ConstantInt::get(bitsType, 1)),
                                  b.CreateSub(bits, llvm::ConstantInt::get(bitsType, 1)));
  stepped = b.CreateSelect(isZero, llvm::ConstantInt::get(bitsType, 1), stepped);
  return b.CreateBitCast(stepped, type);
}

Value* nextDown(IRBuilder<>& b, Value* x) {
  return b.CreateFNeg(nextUp(b, b.CreateFNeg(x)));
}

// The result to nearest in the working type and the sign of the exact error (as -1, 0, 1
// in the working type), for the operation on already widened operands.
std::pair<Value*, Value*> nearestWithErrorSign(IRBuilder<>& b, llvm::StringRef op,
                                               llvm::ArrayRef<Value*> x) {
  llvm::Type* type = x[0]->getType();
  auto fma = [&](Value* p, Value* q, Value* r) {
    return b.CreateIntrinsic(llvm::Intrinsic::fma, {type}, {p, q, r});
  };
  auto twoSumError = [&](Value* p, Value* q, Value* s) { // exact p + q - s
    Value* qVirtual = b.CreateFSub(s, p);
    Value* pVirtual = b.CreateFSub(s, qVirtual);
    return b.CreateFAdd(b.CreateFSub(p, pVirtual), b.CreateFSub(q, qVirtual));
  };
  Value* one = llvm::ConstantFP::get(type, 1.0);
  Value* s = nullptr;
  Value* error = nullptr; // same sign as v - s
  if (op == "add") {
    s = b.CreateFAdd(x[0], x[1]);
    error = twoSumError(x[0], x[1], s);
  } else if (op == "mul") {
    s = b.CreateFMul(x[0], x[1]);
    error = fma(x[0], x[1], b.CreateFNeg(s));
  } else if (op == "fma") {
    Value* product = b.CreateFMul(x[0], x[1]);
    Value* productError = fma(x[0], x[1], b.CreateFNeg(product));
    Value* sum = b.CreateFAdd(product, x[2]);
    Value* sumError = twoSumError(product, x[2], sum);
    s = fma(x[0], x[1], x[2]);
    error = b.CreateFAdd(b.CreateFAdd(b.CreateFSub(sum, s), sumError), productError);
  } else if (op == "div" || op == "rcp") {
    Value* numerator = op == "rcp" ? one : x[0];
    Value* divisor = op == "rcp" ? x[0] : x[1];
    s = b.CreateFDiv(numerator, divisor);
    // numerator - s * divisor is exact; v - s has its sign times the divisor's.
    Value* remainder = fma(b.CreateFNeg(s), divisor, numerator);
    error = b.CreateFMul(remainder, divisor);
  } else { // sqrt
    s = b.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, x[0]);
    error = fma(b.CreateFNeg(s), s, x[0]);
  }
  return {s, error};
}

// Rounds v = s + error (error's sign is what counts) to `target` in the given direction.
Value* roundDirected(IRBuilder<>& b, Value* s, Value* error, llvm::Type* target,
                     Rounding rounding) {
  Value* r = s->getType() == target ? s : b.CreateFPTrunc(s, target);
  if (rounding == Rounding::Nearest)
    return r;
  Value* rWide = r->getType() == s->getType() ? r : b.CreateFPExt(r, s->getType());
  Value* zero = llvm::ConstantFP::get(s->getType(), 0.0);
  // r above v: r > s, or r == s and v < s. Below: the mirror.
  Value* above = b.CreateOr(b.CreateFCmpOGT(rWide, s),
                            b.CreateAnd(b.CreateFCmpOEQ(rWide, s), b.CreateFCmpOLT(error, zero)));
  Value* below = b.CreateOr(b.CreateFCmpOLT(rWide, s),
                            b.CreateAnd(b.CreateFCmpOEQ(rWide, s), b.CreateFCmpOGT(error, zero)));
  Value* finite = b.CreateFCmpOLT(b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, s),
                                  llvm::ConstantFP::getInfinity(s->getType()));
  Value* down = b.CreateSelect(b.CreateAnd(finite, above), nextDown(b, r), r);
  Value* up = b.CreateSelect(b.CreateAnd(finite, below), nextUp(b, r), r);
  switch (rounding) {
  case Rounding::Down:
    return down;
  case Rounding::Up:
    return up;
  default: // toward zero: down for positive results, up for negative ones
    return b.CreateSelect(b.CreateFCmpOGE(s, zero), down, up);
  }
}

// NVIDIA's .ftz detects tininess before rounding: an f32 result whose exact value is below the
// smallest normal is zero even where rounding would reach the smallest normal
// (mul.rn.ftz(0x3f7fffff, 0x00800000) = 0). The value to nearest in f64 and the sign of its
// error tell which side of 2^-126 the exact value lies: below it when the f64 value is, or
// when that is 2^-126 itself and the error points toward zero (fma's -2^-126 + 2^-252).
Value* flushTinyBeforeRounding(IRBuilder<>& b, const Rounded& r, llvm::ArrayRef<Value*> x,
                               Value* result) {
  llvm::SmallVector<Value*, 3> wide;
  for (Value* operand : x)
    wide.push_back(b.CreateFPExt(operand, b.getDoubleTy()));
  auto [nearest, error] = nearestWithErrorSign(b, r.op, wide);
  Value* magnitude = b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, nearest);
  Value* smallest = llvm::ConstantFP::get(b.getDoubleTy(), 0x1p-126);
  Value* zero64 = llvm::ConstantFP::get(b.getDoubleTy(), 0.0);
  Value* towardZero =
      b.CreateAnd(b.CreateFCmpONE(error, zero64),
                  b.CreateXor(b.CreateFCmpOGT(nearest, zero64), b.CreateFCmpOGT(error, zero64)));
  Value* tiny = b.CreateOr(b.CreateFCmpOLT(magnitude, smallest),
                           b.CreateAnd(b.CreateFCmpOEQ(magnitude, smallest), towardZero));
  Value* zero = b.CreateBinaryIntrinsic(llvm::Intrinsic::copysign,
                                        llvm::ConstantFP::get(result->getType(), 0.0), result);
  return b.CreateSelect(tiny, zero, result);
}

Value* lowerRounded(IRBuilder<>& b, const Rounded& r, llvm::CallInst& call) {
  llvm::Type* type = call.getType();
  llvm::SmallVector<Value*, 3> x(call.args());
  if (r.ftz)
    for (Value*& operand : x)
      operand = flush(b, operand);
  Value* result;
  if (r.rounding == Rounding::Nearest) {
    if (r.op == "add")
      result = b.CreateFAdd(x[0], x[1]);
    else if (r.op == "mul")
      result = b.CreateFMul(x[0], x[1]);
    else if (r.op == "div")
      result = b.CreateFDiv(x[0], x[1]);
    else if (r.op == "rcp")
      result = b.CreateFDiv(llvm::ConstantFP::get(type, 1.0), x[0]);
    else if (r.op == "fma")
      result = b.CreateIntrinsic(llvm::Intrinsic::fma, {type}, x);
    else
      result = b.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, x[0]);
  } else if (r.isDouble) {
    static const char* kSuffix[] = {"", "rm", "rp", "rz"};
    std::string helper =
        "__drawbridge_f64_" + r.op.str() + "_" + kSuffix[static_cast<int>(r.rounding)];
    llvm::SmallVector<llvm::Type*, 3> params(x.size(), b.getDoubleTy());
    llvm::FunctionCallee callee = call.getModule()->getOrInsertFunction(
        helper, llvm::FunctionType::get(b.getDoubleTy(), params, false));
    result = b.CreateCall(callee, x);
  } else {
    for (Value*& operand : x)
      operand = b.CreateFPExt(operand, b.getDoubleTy());
    auto [s, error] = nearestWithErrorSign(b, r.op, x);
    result = roundDirected(b, s, error, type, r.rounding);
    // An exact zero sum is -0 when rounding down, unless both addends are +0 (IEEE 754).
    if (r.rounding == Rounding::Down && (r.op == "add" || r.op == "fma")) {
      Value* first = r.op == "add" ? x[0] : b.CreateFMul(x[0], x[1]);
      Value* second = r.op == "add" ? x[1] : x[2];
      auto positiveZero = [&](Value* v) {
        return b.CreateICmpEQ(b.CreateBitCast(v, b.getInt64Ty()), b.getInt64(0));
      };
      Value* bothPositiveZero = b.CreateAnd(positiveZero(first), positiveZero(second));
      Value* exactZero = b.CreateFCmpOEQ(s, llvm::ConstantFP::get(s->getType(), 0.0));
      result = b.CreateSelect(b.CreateAnd(exactZero, b.CreateNot(bothPositiveZero)),
                              llvm::ConstantFP::get(type, -0.0), result);
    }
  }
  if (!r.ftz)
    return result;
  if (r.isDouble || r.op == "add" || r.op == "sqrt")
    return flush(b, result); // sums and roots of normals are never tiny and inexact
  return flushTinyBeforeRounding(b, r, x, result);
}

using Lowerer = std::function<Value*(IRBuilder<>&, llvm::CallInst&)>;

Lowerer unary(llvm::Intrinsic::ID id, bool ftz) {
  return [id, ftz](IRBuilder<>& b, llvm::CallInst& call) {
    Value* x = call.getArgOperand(0);
    Value* y = b.CreateUnaryIntrinsic(id, ftz ? flush(b, x) : x);
    return ftz ? flush(b, y) : y;
  };
}

// 2^x as ex2.approx computes it, in f64 arithmetic that vectorizes (the host's exp2f is a call
// per lane, which kept softmax and SiLU loops scalar and their warps out of vector code):
// x = n + f with n an integer and |f| <= 1/2, 2^f by its Taylor series through f^9 (error
// below 2^-31), times 2^n made in the exponent's bits, then one rounding to f32, which gives
// overflow to inf and subnormal results as correctly rounded. Within PTX's bound of 2^-22.
Value* approxExp2(IRBuilder<>& b, Value* x, bool ftz) {
  llvm::Type* type = x->getType();
  llvm::Type* wide = type->getWithNewType(b.getDoubleTy());
  Value* in = b.CreateFPExt(ftz ? flush(b, x) : x, wide);
  // Beyond +-200 the result is inf or 0 in f32 all the same; a NaN becomes 200 here and is put
  // back at the end.
  in = b.CreateBinaryIntrinsic(
      llvm::Intrinsic::maxnum,
      b.CreateBinaryIntrinsic(llvm::Intrinsic::minnum, in, llvm::ConstantFP::get(wide, 200.0)),
      llvm::ConstantFP::get(wide, -200.0));
  Value* n = b.CreateUnaryIntrinsic(llvm::Intrinsic::roundeven, in);
  Value* f = b.CreateFSub(in, n);
  constexpr double kLn2 = 0.6931471805599453094;
  double coefficient = 1.0;
  std::vector<double> coefficients;
  for (int k = 0; k <= 9; ++k) {
    coefficients.push_back(coefficient);
    coefficient *= kLn2 / (k + 1);
  }
  Value* p = llvm::ConstantFP::get(wide, coefficients.back());
  for (size_t k = coefficients.size() - 1; k-- > 0;)
    p = b.CreateFAdd(b.CreateFMul(p, f), llvm::ConstantFP::get(wide, coefficients[k]));
  llvm::Type* bits = type->getWithNewType(b.getInt64Ty());
  Value* exponent = b.CreateSExt(b.CreateFPToSI(n, type->getWithNewType(b.getInt32Ty())), bits);
  Value* scale = b.CreateBitCast(
      b.CreateShl(b.CreateAdd(exponent, llvm::ConstantInt::get(bits, 1023)), 52), wide);
  Value* y = b.CreateFPTrunc(b.CreateFMul(p, scale), type);
  y = ftz ? flush(b, y) : y;
  return b.CreateSelect(b.CreateFCmpUNO(x, x), b.CreateFAdd(x, x), y);
}

Lowerer exp2Approx(bool ftz) {
  return [ftz](IRBuilder<>& b, llvm::CallInst& call) {
    return approxExp2(b, call.getArgOperand(0), ftz);
  };
}

Lowerer reciprocalOf(Lowerer inner) {
  return [inner](IRBuilder<>& b, llvm::CallInst& call) -> Value* {
    return b.CreateFDiv(llvm::ConstantFP::get(call.getType(), 1.0), inner(b, call));
  };
}

Lowerer minMax(llvm::Intrinsic::ID id) {
  return [id](IRBuilder<>& b, llvm::CallInst& call) -> Value* {
    return flush(b, b.CreateBinaryIntrinsic(id, flush(b, call.getArgOperand(0)),
                                            flush(b, call.getArgOperand(1))));
  };
}

const llvm::StringMap<Lowerer>& others() {
  using llvm::Intrinsic::ID;
  static const llvm::StringMap<Lowerer> table = [] {
    llvm::StringMap<Lowerer> t;
    // Approximations: the host's correctly rounded functions are within PTX's error bounds.
    t["ex2.approx.f"] = exp2Approx(false);
    t["ex2.approx.ftz.f"] = exp2Approx(true);
    t["lg2.approx.f"] = unary(llvm::Intrinsic::log2, false);
    t["lg2.approx.ftz.f"] = unary(llvm::Intrinsic::log2, true);
    t["sin.approx.f"] = unary(llvm::Intrinsic::sin, false);
    t["sin.approx.ftz.f"] = unary(llvm::Intrinsic::sin, true);
    t["cos.approx.f"] = unary(llvm::Intrinsic::cos, false);
    t["cos.approx.ftz.f"] = unary(llvm::Intrinsic::cos, true);
    t["sqrt.approx.f"] = unary(llvm::Intrinsic::sqrt, false);
    t["sqrt.approx.ftz.f"] = unary(llvm::Intrinsic::sqrt, true);
    t["rsqrt.approx.f"] = reciprocalOf(unary(llvm::Intrinsic::sqrt, false));
    t["rsqrt.approx.ftz.f"] = reciprocalOf(unary(llvm::Intrinsic::sqrt, true));
    t["rsqrt.approx.d"] = reciprocalOf(unary(llvm::Intrinsic::sqrt, false));
    t["rsqrt.approx.ftz.d"] = reciprocalOf(unary(llvm::Intrinsic::sqrt, true));
    t["rcp.approx.ftz.f"] = [](IRBuilder<>& b, llvm::CallInst& call) -> Value* {
      return flush(b, b.CreateFDiv(llvm::ConstantFP::get(call.getType(), 1.0),
                                   flush(b, call.getArgOperand(0))));
    };
    t["rcp.approx.ftz.d"] = t["rcp.approx.ftz.f"];
    // div.approx is x * (1/y) (PTX ISA): for 2^126 < |y| < 2^128 the reciprocal underflows
    // to zero, so the quotient is a signed zero (NaN for infinite x); elsewhere the correctly
    // rounded quotient is within its 2 ulp.
    for (const char* name : {"div.approx.f", "div.approx.ftz.f"}) {
      bool ftz = llvm::StringRef(name).contains("ftz");
      t[name] = [ftz](IRBuilder<>& b, llvm::CallInst& call) -> Value* {
        Value* x = call.getArgOperand(0);
        Value* y = call.getArgOperand(1);
        Value* q = ftz ? b.CreateFDiv(flush(b, x), flush(b, y)) : b.CreateFDiv(x, y);
        q = ftz ? flush(b, q) : q;
        llvm::Type* type = call.getType();
        Value* magnitude = b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, y);
        Value* huge = b.CreateAnd(b.CreateFCmpOGT(magnitude, llvm::ConstantFP::get(type, 0x1p126)),
                                  b.CreateFCmpOLT(magnitude, llvm::ConstantFP::getInfinity(type)));
        Value* reciprocal =
            b.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, llvm::ConstantFP::get(type, 0.0), y);
        return b.CreateSelect(huge, b.CreateFMul(x, reciprocal), q);
      };
    }
    // Half-precision exp2: in float, rounded back.
    for (const char* name : {"ex2.approx.f16", "ex2.approx.f16x2"})
      t[name] = [](IRBuilder<>& b, llvm::CallInst& call) -> Value* {
        Value* x = call.getArgOperand(0);
        llvm::Type* wide = x->getType()->getWithNewType(b.getFloatTy());
        return b.CreateFPTrunc(approxExp2(b, b.CreateFPExt(x, wide), false), x->getType());
      };
    t["fmax.ftz.f"] = minMax(llvm::Intrinsic::maxnum);
    t["fmin.ftz.f"] = minMax(llvm::Intrinsic::minnum);
    t["fmax.ftz.nan.f"] = minMax(llvm::Intrinsic::maximum);
    t["fmin.ftz.nan.f"] = minMax(llvm::Intrinsic::minimum);
    // Truncation to bfloat16 keeps the high half; a NaN is the canonical 0x7fff.
    t["f2bf16.rz"] = [](IRBuilder<>& b, llvm::CallInst& call) -> Value* {
      Value* x = call.getArgOperand(0);
      Value* high =
          b.CreateTrunc(b.CreateLShr(b.CreateBitCast(x, b.getInt32Ty()), 16), b.getInt16Ty());
      Value* quiet = b.CreateSelect(b.CreateFCmpUNO(x, x), b.getInt16(0x7fff), high);
      return b.CreateBitCast(quiet, call.getType());
    };
    // To nearest: makeBFloat16Exact rounds it on the bits, subnormals kept.
    t["f2bf16.rn"] = [](IRBuilder<>& b, llvm::CallInst& call) -> Value* {
      Value* x = b.CreateFPTrunc(call.getArgOperand(0), b.getBFloatTy());
      return b.CreateBitCast(x, call.getType());
    };
    for (const char* name : {"membar.cta", "membar.gl", "membar.sys"})
      t[name] = [](IRBuilder<>& b, llvm::CallInst&) -> Value* {
        b.CreateFence(llvm::AtomicOrdering::SequentiallyConsistent);
        return nullptr;
      };
    return t;
  }();
  return table;
}

} // namespace

void lowerNvvmMath(llvm::Module& module) {
  for (llvm::Function& function : llvm::make_early_inc_range(module)) {
    llvm::StringRef name = function.getName();
    if (!function.isDeclaration() || !name.consume_front("llvm.nvvm."))
      continue;
    std::optional<Rounded> rounded = parseRounded(name);
    auto other = others().find(name);
    if (!rounded && other == others().end())
      continue;
    for (llvm::User* user : llvm::make_early_inc_range(function.users())) {
      auto* call = llvm::dyn_cast<llvm::CallInst>(user);
      if (!call || call->getCalledFunction() != &function)
        continue;
      IRBuilder<> builder(call);
      Value* result =
          rounded ? lowerRounded(builder, *rounded, *call) : other->second(builder, *call);
      if (result)
        call->replaceAllUsesWith(result);
      call->eraseFromParent();
    }
  }
}

} // namespace drawbridge::backend::cpu

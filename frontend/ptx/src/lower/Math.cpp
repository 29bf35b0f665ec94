// Approximate and correctly rounded math: ex2 lg2 rsqrt sqrt rcp sin cos tanh. .approx forms
// use NVVM's approximate intrinsics (the precision PTX promises); .rn forms of sqrt and rcp are
// IEEE operations; directed rounding and .ftz use the rounded NVVM intrinsics.
#include "Common.h"

#include <llvm/IR/IntrinsicsNVPTX.h>
#include <numbers>

namespace drawbridge::ptx::nvvm {
namespace {

using namespace llvm::Intrinsic;

const RoundedIntrinsics kSqrt{nvvm_sqrt_rn_f,     nvvm_sqrt_rz_f,     nvvm_sqrt_rm_f,
                              nvvm_sqrt_rp_f,     nvvm_sqrt_rn_ftz_f, nvvm_sqrt_rz_ftz_f,
                              nvvm_sqrt_rm_ftz_f, nvvm_sqrt_rp_ftz_f, nvvm_sqrt_rn_d,
                              nvvm_sqrt_rz_d,     nvvm_sqrt_rm_d,     nvvm_sqrt_rp_d};
const RoundedIntrinsics kRcp{nvvm_rcp_rn_f,     nvvm_rcp_rz_f,     nvvm_rcp_rm_f,
                             nvvm_rcp_rp_f,     nvvm_rcp_rn_ftz_f, nvvm_rcp_rz_ftz_f,
                             nvvm_rcp_rm_ftz_f, nvvm_rcp_rp_ftz_f, nvvm_rcp_rn_d,
                             nvvm_rcp_rz_d,     nvvm_rcp_rm_d,     nvvm_rcp_rp_d};

// tanh.approx.f32 (max relative error about 2^-11): no NVVM intrinsic in LLVM 19, so it is
// 1 - 2 / (2^(2x log2 e) + 1) with ex2.approx (2^-22), and the odd Taylor polynomial near zero
// where that cancels.
llvm::Value* tanhApprox(FunctionLowering& L, llvm::Value* x) {
  auto& b = L.b();
  llvm::Type* t = x->getType();
  auto c = [&](double v) { return llvm::ConstantFP::get(t, v); };
  llvm::Value* e =
      b.CreateIntrinsic(nvvm_ex2_approx_f, {}, {b.CreateFMul(x, c(2 * std::numbers::log2e))});
  llvm::Value* far = b.CreateFSub(c(1.0), b.CreateFDiv(c(2.0), b.CreateFAdd(e, c(1.0))));
  llvm::Value* x2 = b.CreateFMul(x, x);
  // x - x^3/3 + 2x^5/15
  llvm::Value* poly = b.CreateFMul(
      x, b.CreateFAdd(c(1.0), b.CreateFMul(x2, b.CreateFAdd(c(-1.0 / 3.0),
                                                            b.CreateFMul(x2, c(2.0 / 15.0))))));
  llvm::Value* small = b.CreateFCmpOLT(b.CreateUnaryIntrinsic(fabs, x), c(0.125));
  return b.CreateSelect(small, poly, far);
}

bool isHalfType(ScalarType t) {
  return t == ScalarType::F16 || t == ScalarType::BF16 || t == ScalarType::F16x2 ||
         t == ScalarType::BF16x2;
}

// An approximate function of f16/bf16 values (one or a packed pair) computed in f32 and rounded
// back: the f32 approximations are more precise than PTX promises for the half types.
template <typename Fn> llvm::Value* viaF32(FunctionLowering& L, llvm::Value* x, Fn fn) {
  auto& b = L.b();
  auto* pair = llvm::dyn_cast<llvm::FixedVectorType>(x->getType());
  if (!pair)
    return b.CreateFPTrunc(fn(b.CreateFPExt(x, b.getFloatTy())), x->getType());
  llvm::Value* r = llvm::PoisonValue::get(pair);
  for (unsigned i = 0; i < pair->getNumElements(); ++i)
    r = b.CreateInsertElement(r, viaF32(L, b.CreateExtractElement(x, i), fn), i);
  return r;
}

void lowerMath(FunctionLowering& L, const Instruction& inst) {
  auto s = typedSources(L, inst, 2, 1);
  if (!s)
    return;
  auto& b = L.b();
  FloatMode mode = floatMode(inst);
  llvm::Value* x = s->values[0];
  bool f32 = s->type == ScalarType::F32, f64 = s->type == ScalarType::F64;
  const std::string& op = inst.opcode;
  ID id = not_intrinsic;
  llvm::Value* r = nullptr;
  bool bf16 = s->type == ScalarType::BF16 || s->type == ScalarType::BF16x2;
  if (mode.approx) {
    if (op == "ex2" && bf16) // ex2.approx.ftz.bf16{x2}: NVVM's ex2 intrinsics take f16 and f32
      r = viaF32(L, x,
                 [&](llvm::Value* v) { return b.CreateIntrinsic(nvvm_ex2_approx_ftz_f, {}, {v}); });
    else if (op == "ex2")
      id = f32                            ? (mode.ftz ? nvvm_ex2_approx_ftz_f : nvvm_ex2_approx_f)
           : s->type == ScalarType::F16   ? nvvm_ex2_approx_f16
           : s->type == ScalarType::F16x2 ? nvvm_ex2_approx_f16x2
                                          : ID(not_intrinsic);
    else if (op == "lg2" && f32)
      id = mode.ftz ? nvvm_lg2_approx_ftz_f : nvvm_lg2_approx_f;
    else if (op == "rsqrt")
      id = f32   ? (mode.ftz ? nvvm_rsqrt_approx_ftz_f : nvvm_rsqrt_approx_f)
           : f64 ? (mode.ftz ? nvvm_rsqrt_approx_ftz_d : nvvm_rsqrt_approx_d)
                 : ID(not_intrinsic);
    else if (op == "sqrt" && f32)
      id = mode.ftz ? nvvm_sqrt_approx_ftz_f : nvvm_sqrt_approx_f;
    else if (op == "sin" && f32)
      id = mode.ftz ? nvvm_sin_approx_ftz_f : nvvm_sin_approx_f;
    else if (op == "cos" && f32)
      id = mode.ftz ? nvvm_cos_approx_ftz_f : nvvm_cos_approx_f;
    else if (op == "rcp" && f32 && mode.ftz)
      id = nvvm_rcp_approx_ftz_f;
    else if (op == "rcp" && f64 && mode.ftz)
      id = nvvm_rcp_approx_ftz_d;
    else if (op == "rcp" && f32) // no non-ftz rcp.approx intrinsic; 1 ulp over the full range
      r = b.CreateFDiv(llvm::ConstantFP::get(x->getType(), 1.0), x);
    else if (op == "tanh" && f32)
      r = tanhApprox(L, x);
    else if (op == "tanh" && isHalfType(s->type))
      r = viaF32(L, x, [&](llvm::Value* v) { return tanhApprox(L, v); });
    if (id != not_intrinsic)
      r = b.CreateIntrinsic(id, {}, {x});
  } else if (op == "sqrt" || op == "rcp") {
    bool plain =
        (mode.rounding == Rounding::Rn || mode.rounding == Rounding::None) && !(mode.ftz && f32);
    if (plain)
      r = op == "sqrt" ? b.CreateUnaryIntrinsic(sqrt, x)
                       : b.CreateFDiv(llvm::ConstantFP::get(x->getType(), 1.0), x);
    else if (f32 || f64)
      id = pickRounded(op == "sqrt" ? kSqrt : kRcp, mode.rounding, mode.ftz, f64);
    if (id != not_intrinsic)
      r = b.CreateIntrinsic(id, {}, {x});
  }
  if (!r)
    return L.unsupported(inst);
  L.write(inst.operands[0], r, s->type);
}

} // namespace

void registerMath(Registry& r) {
  for (std::string_view op : {"ex2", "lg2", "rsqrt", "sqrt", "rcp", "sin", "cos", "tanh"})
    r[op] = lowerMath;
}

} // namespace drawbridge::ptx::nvvm

// CUDA's device math and bit functions arrive as calls to libdevice's __nv_* (clang ran with
// -nocudalib). The ones with a direct LLVM equivalent become that, so they inline and
// vectorize; the rest are resolved by the JIT to the host C library (Jit.cpp).
#include "Lowering.h"

#include <functional>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/IntrinsicsNVPTX.h>
#include <string_view>

namespace drawbridge::backend::cpu {

namespace {

using Args = llvm::ArrayRef<llvm::Value*>;
using Emit = std::function<llvm::Value*(llvm::IRBuilder<>&, Args, llvm::Type*)>;

Emit intrinsic(llvm::Intrinsic::ID id) {
  return [id](llvm::IRBuilder<>& b, Args args, llvm::Type* type) -> llvm::Value* {
    return b.CreateIntrinsic(id, {type}, args);
  };
}
Emit nvvmIntrinsic(llvm::Intrinsic::ID id) { // not overloaded: no type to name
  return [id](llvm::IRBuilder<>& b, Args args, llvm::Type*) -> llvm::Value* {
    return b.CreateIntrinsic(id, {}, args);
  };
}
Emit bitIntrinsic(llvm::Intrinsic::ID id) { // ctlz/cttz take an "is zero poison" flag
  return [id](llvm::IRBuilder<>& b, Args args, llvm::Type* type) -> llvm::Value* {
    llvm::Value* r = b.CreateIntrinsic(id, {args[0]->getType()}, {args[0], b.getFalse()});
    return b.CreateZExtOrTrunc(r, type);
  };
}
Emit countIntrinsic(llvm::Intrinsic::ID id) {
  return [id](llvm::IRBuilder<>& b, Args args, llvm::Type* type) -> llvm::Value* {
    return b.CreateZExtOrTrunc(b.CreateIntrinsic(id, {args[0]->getType()}, {args[0]}), type);
  };
}
Emit bitcast() {
  return [](llvm::IRBuilder<>& b, Args args, llvm::Type* type) -> llvm::Value* {
    return b.CreateBitCast(args[0], type);
  };
}
Emit mulHigh(bool isSigned) {
  return [isSigned](llvm::IRBuilder<>& b, Args args, llvm::Type* type) -> llvm::Value* {
    unsigned bits = type->getIntegerBitWidth();
    auto* wide = b.getIntNTy(2 * bits);
    llvm::Value* x = isSigned ? b.CreateSExt(args[0], wide) : b.CreateZExt(args[0], wide);
    llvm::Value* y = isSigned ? b.CreateSExt(args[1], wide) : b.CreateZExt(args[1], wide);
    return b.CreateTrunc(b.CreateLShr(b.CreateMul(x, y), bits), type);
  };
}

const std::map<std::string, Emit, std::less<>>& table() {
  using namespace llvm;
  static const std::map<std::string, Emit, std::less<>> emitters = [] {
    std::map<std::string, Emit, std::less<>> t;
    for (const char* name : {"int_as_float", "float_as_int", "uint_as_float", "float_as_uint",
                             "longlong_as_double", "double_as_longlong"})
      t[name] = bitcast();
    for (auto [f, d, id] : {std::tuple{"sqrtf", "sqrt", Intrinsic::sqrt},
                            {"fabsf", "fabs", Intrinsic::fabs},
                            {"floorf", "floor", Intrinsic::floor},
                            {"ceilf", "ceil", Intrinsic::ceil},
                            {"truncf", "trunc", Intrinsic::trunc},
                            {"rintf", "rint", Intrinsic::rint},
                            {"roundf", "round", Intrinsic::round},
                            {"fminf", "fmin", Intrinsic::minnum},
                            {"fmaxf", "fmax", Intrinsic::maxnum},
                            {"fmaf", "fma", Intrinsic::fma},
                            {"copysignf", "copysign", Intrinsic::copysign}}) {
      t[f] = intrinsic(id);
      t[d] = intrinsic(id);
    }
    // CUDA's fast-math functions (__expf, __sinf...; clang calls __nv_fast_*): the host's
    // correctly rounded ones are within the bounds the CUDA programming guide gives them.
    // __expf is ex2.approx of x * log2(e), as on NVIDIA (its error bound, 2 + 1.173|x| ulp, is
    // that product's rounding), which lowerNvvmMath computes in code that vectorizes.
    t["fast_expf"] = [](IRBuilder<>& b, Args args, Type*) -> Value* {
      Value* scaled =
          b.CreateFMul(args[0], ConstantFP::get(args[0]->getType(), 1.4426950408889634));
      return b.CreateIntrinsic(Intrinsic::nvvm_ex2_approx_f, {}, {scaled});
    };
    for (auto [name, id] : {std::pair{"fast_exp10f", Intrinsic::exp10},
                            {"fast_logf", Intrinsic::log},
                            {"fast_log2f", Intrinsic::log2},
                            {"fast_log10f", Intrinsic::log10},
                            {"fast_sinf", Intrinsic::sin},
                            {"fast_cosf", Intrinsic::cos},
                            {"fast_tanf", Intrinsic::tan},
                            {"fast_powf", Intrinsic::pow}})
      t[name] = intrinsic(id);
    for (auto [name, id] : {std::pair{"min", Intrinsic::smin},
                            {"llmin", Intrinsic::smin},
                            {"max", Intrinsic::smax},
                            {"llmax", Intrinsic::smax},
                            {"umin", Intrinsic::umin},
                            {"ullmin", Intrinsic::umin},
                            {"umax", Intrinsic::umax},
                            {"ullmax", Intrinsic::umax}})
      t[name] = intrinsic(id);
    for (const char* name : {"popc", "popcll"})
      t[name] = countIntrinsic(Intrinsic::ctpop);
    for (const char* name : {"brev", "brevll"})
      t[name] = countIntrinsic(Intrinsic::bitreverse);
    for (const char* name : {"clz", "clzll"})
      t[name] = bitIntrinsic(Intrinsic::ctlz);
    for (const char* name : {"ffs", "ffsll"})
      t[name] = [](IRBuilder<>& b, Args args, Type* type) -> Value* {
        Value* x = args[0];
        Value* trailing = b.CreateIntrinsic(Intrinsic::cttz, {x->getType()}, {x, b.getFalse()});
        Value* one = ConstantInt::get(x->getType(), 1);
        Value* r = b.CreateSelect(b.CreateIsNull(x), ConstantInt::get(x->getType(), 0),
                                  b.CreateAdd(trailing, one));
        return b.CreateZExtOrTrunc(r, type);
      };
    for (const char* name : {"abs", "llabs"})
      t[name] = [](IRBuilder<>& b, Args args, Type* type) -> Value* {
        return b.CreateIntrinsic(Intrinsic::abs, {type}, {args[0], b.getFalse()});
      };
    t["umulhi"] = t["umul64hi"] = mulHigh(false);
    t["mulhi"] = t["mul64hi"] = mulHigh(true);
    for (const char* name : {"rsqrtf", "rsqrt"})
      t[name] = [](IRBuilder<>& b, Args args, Type* type) -> Value* {
        return b.CreateFDiv(ConstantFP::get(type, 1.0),
                            b.CreateIntrinsic(Intrinsic::sqrt, {type}, {args[0]}));
      };
    // CUDA's rounded arithmetic (__fadd_rd, __fmaf_rz, __frcp_rn, __dsqrt_ru, ...) as the NVVM
    // intrinsics PTX's rounded instructions become, and __fdividef as div.approx.f32 (its range
    // rule included): lowerNvvmMath, which runs next, computes them exactly.
    for (auto [cuda, nvvm] : {std::pair{"fadd", "add"},
                              {"fmul", "mul"},
                              {"fdiv", "div"},
                              {"fmaf", "fma"},
                              {"fsqrt", "sqrt"},
                              {"frcp", "rcp"},
                              {"dadd", "add"},
                              {"dmul", "mul"},
                              {"ddiv", "div"},
                              {"fma", "fma"},
                              {"dsqrt", "sqrt"},
                              {"drcp", "rcp"}})
      for (auto [suffix, rounding] :
           {std::pair{"rn", "rn"}, {"rz", "rz"}, {"rd", "rm"}, {"ru", "rp"}}) {
        bool isDouble = cuda[0] == 'd' || std::string_view(cuda) == "fma";
        std::string intrinsic =
            std::string("llvm.nvvm.") + nvvm + "." + rounding + (isDouble ? ".d" : ".f");
        t[std::string(cuda) + "_" + suffix] = nvvmIntrinsic(Function::lookupIntrinsicID(intrinsic));
      }
    t["fdividef"] = t["fast_fdividef"] = nvvmIntrinsic(Intrinsic::nvvm_div_approx_f);
    t["saturatef"] = [](IRBuilder<>& b, Args args, Type* type) -> Value* {
      Value* low =
          b.CreateIntrinsic(Intrinsic::maxnum, {type}, {args[0], ConstantFP::get(type, 0.0)});
      return b.CreateIntrinsic(Intrinsic::minnum, {type}, {low, ConstantFP::get(type, 1.0)});
    };
    for (const char* name : {"isnanf", "isnand"})
      t[name] = [](IRBuilder<>& b, Args args, Type* type) -> Value* {
        return b.CreateZExt(b.CreateFCmpUNO(args[0], args[0]), type);
      };
    for (const char* name : {"isinff", "isinfd"})
      t[name] = [](IRBuilder<>& b, Args args, Type* type) -> Value* {
        Value* magnitude = b.CreateIntrinsic(Intrinsic::fabs, {args[0]->getType()}, {args[0]});
        return b.CreateZExt(b.CreateFCmpOEQ(magnitude, ConstantFP::getInfinity(args[0]->getType())),
                            type);
      };
    for (const char* name : {"finitef", "isfinited"})
      t[name] = [](IRBuilder<>& b, Args args, Type* type) -> Value* {
        Value* magnitude = b.CreateIntrinsic(Intrinsic::fabs, {args[0]->getType()}, {args[0]});
        return b.CreateZExt(b.CreateFCmpOLT(magnitude, ConstantFP::getInfinity(args[0]->getType())),
                            type);
      };
    t["float2int_rz"] = [](IRBuilder<>& b, Args args, Type* type) -> Value* {
      return b.CreateFPToSI(args[0], type);
    };
    t["float2int_rn"] = [](IRBuilder<>& b, Args args, Type* type) -> Value* {
      Value* even = b.CreateIntrinsic(Intrinsic::rint, {args[0]->getType()}, {args[0]});
      return b.CreateFPToSI(even, type);
    };
    t["int2float_rn"] = [](IRBuilder<>& b, Args args, Type* type) -> Value* {
      return b.CreateSIToFP(args[0], type);
    };
    return t;
  }();
  return emitters;
}

} // namespace

void lowerLibdeviceCalls(llvm::Module& module) {
  for (llvm::Function& function : module) {
    llvm::StringRef name = function.getName();
    if (!function.isDeclaration() || !name.consume_front("__nv_"))
      continue;
    auto emitter = table().find(name);
    if (emitter == table().end())
      continue;
    for (llvm::User* user : llvm::make_early_inc_range(function.users())) {
      auto* call = llvm::dyn_cast<llvm::CallInst>(user);
      if (!call || call->getCalledFunction() != &function)
        continue;
      llvm::IRBuilder<> builder(call);
      llvm::SmallVector<llvm::Value*, 3> args(call->args());
      call->replaceAllUsesWith(emitter->second(builder, args, call->getType()));
      call->eraseFromParent();
    }
  }
}

} // namespace drawbridge::backend::cpu

// Makes the host's floating-point results NVIDIA's where x86 and LLVM differ from them
// (measured on an H200, issue 13):
//  - every f32, f16 and bf16 operation that produces a NaN returns the canonical NaN (0x7fffffff,
//    0x7fff), whatever the inputs' payloads; x86 returns 0xffc00000 or keeps a payload. The fix
//    is a select on an unordered compare after each NaN-producing operation: LLVM vectorises it,
//    and operations that cannot produce a NaN (fneg, fabs, copysign, loads) get none. f64 keeps
//    the host's NaN: only the 32- and 16-bit formats were measured canonical.
//  - min and max order -0 below +0 (min(+0, -0) = -0); LLVM's minnum/maxnum may return either.
// Runs on both input paths (PTX frontend and clang's NVVM IR), before the optimiser.
#include "Lowering.h"

#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>

namespace drawbridge::backend::cpu {
namespace {

// The canonical NaN's bits for a scalar floating-point type, or nullopt where the host's NaN
// stands (f64).
std::optional<uint64_t> canonicalNaNBits(llvm::Type* scalar) {
  if (scalar->isFloatTy())
    return 0x7fffffff;
  if (scalar->isHalfTy() || scalar->isBFloatTy())
    return 0x7fff;
  return std::nullopt;
}

// Intrinsics whose result may be a NaN made (or passed on) by arithmetic; fabs, copysign and
// the like only move bits and keep the operand's NaN as NVIDIA's neg/abs/copysign do.
bool makesNaN(llvm::Intrinsic::ID id) {
  switch (id) {
  case llvm::Intrinsic::fma:
  case llvm::Intrinsic::fmuladd:
  case llvm::Intrinsic::sqrt:
  case llvm::Intrinsic::minnum:
  case llvm::Intrinsic::maxnum:
  case llvm::Intrinsic::minimum:
  case llvm::Intrinsic::maximum:
  case llvm::Intrinsic::exp:
  case llvm::Intrinsic::exp2:
  case llvm::Intrinsic::exp10:
  case llvm::Intrinsic::log:
  case llvm::Intrinsic::log2:
  case llvm::Intrinsic::log10:
  case llvm::Intrinsic::sin:
  case llvm::Intrinsic::cos:
  case llvm::Intrinsic::tan:
  case llvm::Intrinsic::asin:
  case llvm::Intrinsic::acos:
  case llvm::Intrinsic::atan:
  case llvm::Intrinsic::sinh:
  case llvm::Intrinsic::cosh:
  case llvm::Intrinsic::tanh:
  case llvm::Intrinsic::pow:
  case llvm::Intrinsic::powi:
  case llvm::Intrinsic::ldexp:
  case llvm::Intrinsic::floor:
  case llvm::Intrinsic::ceil:
  case llvm::Intrinsic::trunc:
  case llvm::Intrinsic::rint:
  case llvm::Intrinsic::nearbyint:
  case llvm::Intrinsic::round:
  case llvm::Intrinsic::roundeven:
    return true;
  default:
    return false;
  }
}

bool makesNaN(const llvm::Instruction& instruction) {
  switch (instruction.getOpcode()) {
  case llvm::Instruction::FAdd:
  case llvm::Instruction::FSub:
  case llvm::Instruction::FMul:
  case llvm::Instruction::FDiv:
  case llvm::Instruction::FRem:
  case llvm::Instruction::FPTrunc:
  case llvm::Instruction::FPExt:
    return true;
  default:
    break;
  }
  if (auto* intrinsic = llvm::dyn_cast<llvm::IntrinsicInst>(&instruction))
    return makesNaN(intrinsic->getIntrinsicID());
  // CUDA math functions the host's C library computes (expf, tanhf, erff...).
  if (auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction))
    if (llvm::Function* callee = call->getCalledFunction())
      return callee->getName().starts_with("__nv_");
  return false;
}

// min/max of two zeros of different signs: the bits of -0 for min (the sign bits or-ed), +0
// for max (and-ed). Equal non-zero operands have equal bits, so this holds for every equal pair.
// minimum/maximum (min.NaN, max.NaN) order -0 below +0 themselves but must return a NaN for any
// NaN operand, which x86's lowering of their f16 forms misses when the other operand is a zero.
llvm::Value* orderSignedZeros(llvm::IRBuilder<>& b, llvm::IntrinsicInst& call, llvm::Value* r) {
  llvm::Intrinsic::ID id = call.getIntrinsicID();
  if (id == llvm::Intrinsic::minimum || id == llvm::Intrinsic::maximum) {
    llvm::Value* x = call.getArgOperand(0);
    llvm::Value* y = call.getArgOperand(1);
    return b.CreateSelect(b.CreateFCmpUNO(x, y), b.CreateFAdd(x, y), r); // made canonical next
  }
  if (id != llvm::Intrinsic::minnum && id != llvm::Intrinsic::maxnum)
    return r;
  llvm::Type* type = call.getType();
  llvm::Type* bitsType = type->getWithNewType(b.getIntNTy(type->getScalarSizeInBits()));
  llvm::Value* x = b.CreateBitCast(call.getArgOperand(0), bitsType);
  llvm::Value* y = b.CreateBitCast(call.getArgOperand(1), bitsType);
  llvm::Value* merged = id == llvm::Intrinsic::minnum ? b.CreateOr(x, y) : b.CreateAnd(x, y);
  llvm::Value* equal = b.CreateFCmpOEQ(call.getArgOperand(0), call.getArgOperand(1));
  return b.CreateSelect(equal, b.CreateBitCast(merged, type), r);
}

bool hasCanonicalNaN(llvm::Type* type) {
  return canonicalNaNBits(type->getScalarType()).has_value();
}

// Phis that merge only results of NaN-making operations, NaN-free constants and other such phis
// (a loop's accumulator): nothing they carry needs its payload kept, so they are made canonical
// where their values are used rather than in every iteration of the loop that makes them, which
// would keep LLVM from vectorising the loop.
using PhiSet = llvm::SmallPtrSet<llvm::PHINode*, 8>;

PhiSet arithmeticPhis(llvm::Function& function) {
  PhiSet phis;
  for (llvm::Instruction& instruction : llvm::instructions(function))
    if (auto* phi = llvm::dyn_cast<llvm::PHINode>(&instruction);
        phi && hasCanonicalNaN(phi->getType()))
      phis.insert(phi);
  auto arithmetic = [&](llvm::Value* v) {
    if (auto* constant = llvm::dyn_cast<llvm::Constant>(v))
      return !constant->containsUndefOrPoisonElement() && !constant->isNaN();
    if (auto* phi = llvm::dyn_cast<llvm::PHINode>(v))
      return phis.contains(phi);
    auto* instruction = llvm::dyn_cast<llvm::Instruction>(v);
    return instruction && makesNaN(*instruction);
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (llvm::PHINode* phi : PhiSet(phis))
      if (!llvm::all_of(phi->incoming_values(), arithmetic)) {
        phis.erase(phi);
        changed = true;
      }
  }
  return phis;
}

// Whether a use can see a NaN's payload. A compare cannot, an operation that is itself made
// canonical passes on no payload, so a chain of arithmetic is fixed once, where it ends, and an
// arithmetic phi is fixed where it is used.
bool seesPayload(const llvm::Use& use, const PhiSet& phis) {
  auto* user = llvm::dyn_cast<llvm::Instruction>(use.getUser());
  if (!user)
    return true;
  if (llvm::isa<llvm::FCmpInst>(user))
    return false;
  if (auto* phi = llvm::dyn_cast<llvm::PHINode>(user))
    return !phis.contains(phi);
  return !(hasCanonicalNaN(user->getType()) && makesNaN(*user));
}

llvm::Value* canonicalized(llvm::IRBuilder<>& b, llvm::Value* v, uint64_t nanBits) {
  llvm::Type* type = v->getType();
  llvm::Type* bitsType = type->getWithNewType(b.getIntNTy(type->getScalarSizeInBits()));
  llvm::Value* canonical =
      b.CreateBitCast(llvm::ConstantInt::get(bitsType, nanBits), type); // splat for vectors
  return b.CreateSelect(b.CreateFCmpUNO(v, v), canonical, v);
}

// An arithmetic phi made canonical at each use that sees its payload, just before that use.
void makeExactWhereUsed(llvm::PHINode& phi, const PhiSet& phis) {
  uint64_t nan = *canonicalNaNBits(phi.getType()->getScalarType());
  llvm::SmallVector<llvm::Use*, 4> uses;
  for (llvm::Use& use : phi.uses())
    if (seesPayload(use, phis))
      uses.push_back(&use);
  for (llvm::Use* use : uses) {
    auto* user = llvm::cast<llvm::Instruction>(use->getUser());
    auto* userPhi = llvm::dyn_cast<llvm::PHINode>(user);
    llvm::IRBuilder<> b(userPhi ? userPhi->getIncomingBlock(*use)->getTerminator() : user);
    use->set(canonicalized(b, &phi, nan));
  }
}

void makeExact(llvm::Instruction& instruction, const PhiSet& phis) {
  llvm::Type* type = instruction.getType();
  std::optional<uint64_t> nan = canonicalNaNBits(type->getScalarType());
  if (nan && llvm::none_of(instruction.uses(),
                           [&](const llvm::Use& use) { return seesPayload(use, phis); }))
    nan.reset();
  auto* intrinsic = llvm::dyn_cast<llvm::IntrinsicInst>(&instruction);
  if (!nan && !intrinsic)
    return;
  // The uses to redirect, taken before the fix-up adds its own.
  llvm::SmallVector<llvm::Use*, 4> uses;
  for (llvm::Use& use : instruction.uses())
    uses.push_back(&use);
  llvm::IRBuilder<> b(instruction.getNextNode());
  llvm::Value* r = &instruction;
  if (intrinsic)
    r = orderSignedZeros(b, *intrinsic, r);
  if (nan)
    r = canonicalized(b, r, *nan);
  for (llvm::Use* use : uses)
    use->set(r);
}

} // namespace

void makeArithmeticExact(llvm::Module& module) {
  for (llvm::Function& function : module) {
    std::vector<llvm::Instruction*> targets;
    for (llvm::Instruction& instruction : llvm::instructions(function))
      if (instruction.getType()->isFPOrFPVectorTy() && makesNaN(instruction))
        targets.push_back(&instruction);
    PhiSet phis = arithmeticPhis(function);
    for (llvm::Instruction* instruction : targets)
      makeExact(*instruction, phis);
    for (llvm::PHINode* phi : phis)
      makeExactWhereUsed(*phi, phis);
  }
}

} // namespace drawbridge::backend::cpu

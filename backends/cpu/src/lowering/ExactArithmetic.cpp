// Makes the host's floating-point results NVIDIA's where x86 and LLVM differ from them
// (measured on an H200, issue 13):
//  - every f32, f16 and bf16 operation that produces a NaN returns the canonical NaN (0x7fffffff,
//    0x7fff), whatever the inputs' payloads; x86 returns 0xffc00000 or keeps a payload. f64
//    keeps the host's NaN: only the 32- and 16-bit formats were measured canonical.
//  - min and max order -0 below +0 (min(+0, -0) = -0); LLVM's minnum/maxnum may return either.
// A NaN's bits matter only where they can be observed, so the canonical NaN is selected there
// and not after every operation that can make one (issue 13 item 4: the selects before each
// warp shuffle cost the row kernels up to 4% of their instructions): a value that arithmetic
// made, or that phis, selects, vector moves, shuffles and f32-to-bits casts carried from
// arithmetic unchanged (nvcc shuffles a float as its bits: `mov.b32`, `shfl.sync.b32`, `mov.b32`
// back), is made canonical where it is stored (atomics included), bit-cast other than to its
// own 32 bits (or those bits used as an integer), passed to a call or inline asm, returned,
// widened to f64, or given to fneg/fabs/copysign (which move its bits; the result is then
// NVIDIA's). Arithmetic consuming it makes a NaN of its own that is fixed where observed;
// compares and conversions to integers do not see payloads. Loads and arguments keep their
// bits, as NVIDIA's ld, mov and st do.
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

bool hasCanonicalNaN(llvm::Type* type) {
  return canonicalNaNBits(type->getScalarType()).has_value();
}

// Intrinsics whose result may be a NaN made (or passed on) by arithmetic; fabs, copysign and
// the like only move bits and keep the operand's NaN as NVIDIA's neg/abs/copysign do.
bool makesNaN(llvm::Intrinsic::ID id) {
  if (isLibraryMath(id))
    return true;
  switch (id) {
  case llvm::Intrinsic::fma:
  case llvm::Intrinsic::fmuladd:
  case llvm::Intrinsic::sqrt:
  case llvm::Intrinsic::minnum:
  case llvm::Intrinsic::maxnum:
  case llvm::Intrinsic::minimum:
  case llvm::Intrinsic::maximum:
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

// A non-NaN constant (scalar or splat), or null.
const llvm::ConstantFP* numberConstant(llvm::Value* v) {
  auto* constant = llvm::dyn_cast<llvm::Constant>(v);
  if (constant && constant->getType()->isVectorTy())
    constant = constant->getSplatValue();
  auto* number = llvm::dyn_cast_or_null<llvm::ConstantFP>(constant);
  return number && !number->isNaN() ? number : nullptr;
}

// minnum/maxnum with a non-NaN constant operand (relu's fmaxf(x, 0), a max-reduction's -inf):
// never a NaN, and an ordered compare and a select give NVIDIA's result, -0 below +0 included,
// more cheaply than the general case's bit merge.
bool isMinMaxWithNumber(const llvm::Instruction& instruction) {
  auto* intrinsic = llvm::dyn_cast<llvm::IntrinsicInst>(&instruction);
  if (!intrinsic || (intrinsic->getIntrinsicID() != llvm::Intrinsic::minnum &&
                     intrinsic->getIntrinsicID() != llvm::Intrinsic::maxnum))
    return false;
  return numberConstant(intrinsic->getArgOperand(0)) || numberConstant(intrinsic->getArgOperand(1));
}

llvm::Value* selectMinMaxWithNumber(llvm::IRBuilder<>& b, llvm::IntrinsicInst& call) {
  llvm::Value* x = call.getArgOperand(0);
  llvm::Value* c = call.getArgOperand(1);
  if (!numberConstant(c))
    std::swap(x, c);
  bool zero = numberConstant(c)->isZero();
  bool negative = numberConstant(c)->isNegative();
  // A tie keeps x where x is the zero that must win: +0 for max against -0, -0 for min against
  // +0; every other tie is between equal bits. A NaN x compares false and gives c.
  llvm::Value* takeX = call.getIntrinsicID() == llvm::Intrinsic::maxnum
                           ? (zero && negative ? b.CreateFCmpOGE(x, c) : b.CreateFCmpOGT(x, c))
                           : (zero && !negative ? b.CreateFCmpOLE(x, c) : b.CreateFCmpOLT(x, c));
  return b.CreateSelect(takeX, x, c);
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
    return b.CreateSelect(b.CreateFCmpUNO(x, y), b.CreateFAdd(x, y), r); // canonical where seen
  }
  if (id != llvm::Intrinsic::minnum && id != llvm::Intrinsic::maxnum)
    return r;
  if (isMinMaxWithNumber(call))
    return selectMinMaxWithNumber(b, call);
  llvm::Type* type = call.getType();
  llvm::Type* bitsType = type->getWithNewType(b.getIntNTy(type->getScalarSizeInBits()));
  llvm::Value* x = b.CreateBitCast(call.getArgOperand(0), bitsType);
  llvm::Value* y = b.CreateBitCast(call.getArgOperand(1), bitsType);
  llvm::Value* merged = id == llvm::Intrinsic::minnum ? b.CreateOr(x, y) : b.CreateAnd(x, y);
  llvm::Value* equal = b.CreateFCmpOEQ(call.getArgOperand(0), call.getArgOperand(1));
  return b.CreateSelect(equal, b.CreateBitCast(merged, type), r);
}

// Shuffles move a lane's bits to another lane unchanged. The `p` forms (nvcc's
// `shfl.sync.down.b32 r|p`) return {value, in range}; they carry the value where the struct is
// only taken apart.
bool shufflesBits(const llvm::Instruction& instruction) {
  auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction);
  std::optional<SiteKind> kind = call ? classifyCollective(*call) : std::nullopt;
  if (!kind || !isShuffle(*kind))
    return false;
  return !call->getType()->isStructTy() || llvm::all_of(call->users(), [](const llvm::User* user) {
    return llvm::isa<llvm::ExtractValueInst>(user);
  });
}

// The value of a `p` shuffle's {value, in range}.
bool isShuffledValue(const llvm::Use& use) {
  auto* extract = llvm::dyn_cast<llvm::ExtractValueInst>(use.getUser());
  return extract && extract->getIndices()[0] == 0;
}

// An f32 taken as its 32 bits, or 32 bits taken as an f32: nvcc moves a float through an integer
// register (`mov.b32`) to shuffle it, and back.
bool isFloatBitsMove(const llvm::Instruction& instruction) {
  auto* cast = llvm::dyn_cast<llvm::BitCastInst>(&instruction);
  if (!cast)
    return false;
  llvm::Type* from = cast->getSrcTy();
  llvm::Type* to = cast->getDestTy();
  return (from->isFloatTy() && to->isIntegerTy(32)) || (from->isIntegerTy(32) && to->isFloatTy());
}

// Whether `use` carries its value's bits unchanged into the user's result.
bool passesOn(const llvm::Use& use) {
  auto* user = llvm::cast<llvm::Instruction>(use.getUser());
  if (llvm::isa<llvm::SelectInst>(user))
    return use.getOperandNo() != 0; // not the condition
  if (shufflesBits(*user))
    return use.getOperandNo() == 1; // the value, not the mask or lanes
  return llvm::isa<llvm::PHINode, llvm::FreezeInst, llvm::ExtractElementInst,
                   llvm::InsertElementInst, llvm::ShuffleVectorInst>(user) ||
         isFloatBitsMove(*user) || isShuffledValue(use);
}

// Whether `use` cannot tell one NaN from another: compares, conversions to integers (NaN has no
// integer value), arithmetic (its own NaN result is fixed where observed) and min/max against a
// number (never a NaN).
bool blindToPayload(const llvm::Use& use) {
  auto* user = llvm::cast<llvm::Instruction>(use.getUser());
  if (llvm::isa<llvm::FCmpInst, llvm::FPToSIInst, llvm::FPToUIInst>(user))
    return true;
  if (llvm::isa<llvm::ExtractValueInst>(user)) // a shuffle's in-range flag
    return !isShuffledValue(use);
  if (isMinMaxWithNumber(*user))
    return true;
  if (llvm::isa<llvm::CallInst>(user) && !llvm::isa<llvm::IntrinsicInst>(user))
    return false; // the callee may look at the bits (__nv_signbitf, modff's stored part)
  return hasCanonicalNaN(user->getType()) && makesNaN(*user);
}

// The values that may hold a NaN with the host's bits: results of NaN-making arithmetic, and
// what carries them on unchanged.
using ValueSet = llvm::SmallPtrSet<llvm::Instruction*, 32>;

ValueSet hostNaNValues(llvm::Function& function) {
  ValueSet values;
  std::vector<llvm::Instruction*> work;
  for (llvm::Instruction& instruction : llvm::instructions(function))
    if (hasCanonicalNaN(instruction.getType()) && makesNaN(instruction) &&
        !isMinMaxWithNumber(instruction) && values.insert(&instruction).second)
      work.push_back(&instruction);
  while (!work.empty()) {
    llvm::Instruction* value = work.back();
    work.pop_back();
    for (llvm::Use& use : value->uses())
      if (passesOn(use))
        if (auto* user = llvm::cast<llvm::Instruction>(use.getUser()); values.insert(user).second)
          work.push_back(user);
  }
  return values;
}

llvm::Value* canonicalized(llvm::IRBuilder<>& b, llvm::Value* v) {
  llvm::Type* type = v->getType();
  if (type->isIntegerTy(32)) { // an f32's bits (isFloatBitsMove)
    llvm::Value* number = b.CreateBitCast(v, b.getFloatTy());
    return b.CreateSelect(b.CreateFCmpUNO(number, number), b.getInt32(0x7fffffff), v);
  }
  uint64_t nanBits = *canonicalNaNBits(type->getScalarType());
  llvm::Type* bitsType = type->getWithNewType(b.getIntNTy(type->getScalarSizeInBits()));
  llvm::Value* canonical =
      b.CreateBitCast(llvm::ConstantInt::get(bitsType, nanBits), type); // splat for vectors
  return b.CreateSelect(b.CreateFCmpUNO(v, v), canonical, v);
}

} // namespace

// min and max made NVIDIA's; the uses they had now take the exact result.
void orderSignedZeros(llvm::IntrinsicInst& call) {
  llvm::SmallVector<llvm::Use*, 4> uses;
  for (llvm::Use& use : call.uses())
    uses.push_back(&use);
  llvm::IRBuilder<> b(call.getNextNode());
  llvm::Value* r = orderSignedZeros(b, call, &call);
  if (r == &call)
    return;
  for (llvm::Use* use : uses)
    use->set(r);
  if (call.use_empty())
    call.eraseFromParent();
}

void makeArithmeticExact(llvm::Module& module) {
  for (llvm::Function& function : module) {
    ValueSet hostNaNs = hostNaNValues(function);
    // The uses that see a host NaN's bits, in program order, found before the fix-ups below add
    // uses of their own.
    std::vector<llvm::Use*> observers;
    std::vector<llvm::IntrinsicInst*> intrinsics;
    for (llvm::Instruction& instruction : llvm::instructions(function)) {
      if (hostNaNs.contains(&instruction))
        for (llvm::Use& use : instruction.uses())
          if (!passesOn(use) && !blindToPayload(use))
            observers.push_back(&use);
      if (auto* intrinsic = llvm::dyn_cast<llvm::IntrinsicInst>(&instruction))
        intrinsics.push_back(intrinsic);
    }
    for (llvm::IntrinsicInst* call : intrinsics)
      orderSignedZeros(*call);
    for (llvm::Use* use : observers) {
      llvm::IRBuilder<> b(llvm::cast<llvm::Instruction>(use->getUser()));
      use->set(canonicalized(b, use->get()));
    }
  }
}

} // namespace drawbridge::backend::cpu

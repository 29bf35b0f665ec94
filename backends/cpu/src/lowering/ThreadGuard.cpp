// Bounds guards (`if (blockIdx.x * blockDim.x + threadIdx.x < n)`) are what keeps the thread
// loop of elementwise kernels from vectorizing without masked loads and stores, which are slow
// on some CPUs (AMD's in particular). For a block, such a guard is true on a prefix or a suffix
// of threadIdx.x; the block function computes where it flips and runs each part with the guard
// known, so the optimizer sees straight-line code.
#include "Lowering.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <map>

namespace drawbridge::backend::cpu {

namespace {

/// Whether `value` is the same for every thread of a block: built only from kernel parameters,
/// the block context (and what is loaded through it) and constants.
bool isUniform(llvm::Value* value, const llvm::Function& step, unsigned uniformArgs,
               llvm::Value* context, int depth = 0) {
  if (depth > 16)
    return false;
  if (llvm::isa<llvm::Constant>(value))
    return true;
  if (auto* argument = llvm::dyn_cast<llvm::Argument>(value))
    return argument->getArgNo() < uniformArgs || argument == context;
  auto* instruction = llvm::dyn_cast<llvm::Instruction>(value);
  if (!instruction || instruction->getFunction() != &step)
    return false;
  if (auto* load = llvm::dyn_cast<llvm::LoadInst>(instruction)) {
    // Only the context is known not to change while the block runs.
    llvm::Value* base = load->getPointerOperand();
    while (auto* gep = llvm::dyn_cast<llvm::GetElementPtrInst>(base)) {
      if (!gep->hasAllConstantIndices())
        return false;
      base = gep->getPointerOperand();
    }
    return base == context && !load->isVolatile();
  }
  if (!llvm::isa<llvm::BinaryOperator, llvm::CastInst, llvm::GetElementPtrInst, llvm::SelectInst,
                 llvm::ICmpInst>(instruction))
    return false;
  for (llvm::Value* operand : instruction->operands())
    if (!isUniform(operand, step, uniformArgs, context, depth + 1))
      return false;
  return true;
}

/// Copies a uniform expression of the step function into the block function.
llvm::Value* cloneUniform(llvm::Value* value, llvm::IRBuilder<>& builder,
                          std::map<llvm::Value*, llvm::Value*>& map) {
  if (auto found = map.find(value); found != map.end())
    return found->second;
  if (llvm::isa<llvm::Constant>(value))
    return value;
  auto* original = llvm::cast<llvm::Instruction>(value);
  llvm::Instruction* copy = original->clone();
  for (llvm::Use& operand : copy->operands())
    operand.set(cloneUniform(operand.get(), builder, map));
  builder.Insert(copy);
  map[value] = copy;
  return copy;
}

} // namespace

std::optional<ThreadGuard> findThreadGuard(llvm::Function& step, unsigned uniformArgs,
                                           llvm::Value* context, llvm::Value* tidX) {
  for (llvm::BasicBlock& block : step)
    for (llvm::Instruction& instruction : block) {
      auto* compare = llvm::dyn_cast<llvm::ICmpInst>(&instruction);
      if (!compare || !compare->getOperand(0)->getType()->isIntegerTy(32) ||
          compare->isEquality() || llvm::none_of(compare->users(), [](llvm::User* user) {
            return llvm::isa<llvm::BranchInst>(user);
          }))
        continue;
      for (unsigned side = 0; side < 2; ++side) {
        llvm::Value* index = compare->getOperand(side);
        llvm::Value* bound = compare->getOperand(1 - side);
        llvm::CmpInst::Predicate predicate =
            side == 0 ? compare->getPredicate() : compare->getSwappedPredicate();
        llvm::Value* offset = nullptr;
        if (index == tidX) {
          offset = llvm::ConstantInt::get(index->getType(), 0);
        } else if (auto* add = llvm::dyn_cast<llvm::BinaryOperator>(index);
                   add && add->getOpcode() == llvm::Instruction::Add) {
          if (add->getOperand(0) == tidX)
            offset = add->getOperand(1);
          else if (add->getOperand(1) == tidX)
            offset = add->getOperand(0);
        }
        if (offset && isUniform(offset, step, uniformArgs, context) &&
            isUniform(bound, step, uniformArgs, context))
          return ThreadGuard{compare, offset, bound, predicate};
      }
    }
  return std::nullopt;
}

llvm::Function* stepWithKnownGuard(const StepFunction& step, bool value) {
  llvm::ValueToValueMapTy map;
  llvm::Function* copy = llvm::CloneFunction(step.function, map);
  copy->setName(step.function->getName() + (value ? ".guard.true" : ".guard.false"));
  auto* compare = llvm::cast<llvm::Instruction>(map[step.guard->compare]);
  compare->replaceAllUsesWith(llvm::ConstantInt::getBool(copy->getContext(), value));
  compare->eraseFromParent();
  return copy;
}

GuardSplit splitAtGuard(llvm::IRBuilder<>& builder, const ThreadGuard& guard,
                        std::map<llvm::Value*, llvm::Value*> map, llvm::Value* count) {
  llvm::Value* offset = cloneUniform(guard.offset, builder, map);
  llvm::Value* bound = cloneUniform(guard.bound, builder, map);
  bool isSigned = llvm::CmpInst::isSigned(guard.predicate);
  auto* i64 = builder.getInt64Ty();
  auto widen = [&](llvm::Value* v) {
    return isSigned ? builder.CreateSExt(v, i64) : builder.CreateZExt(v, i64);
  };
  // offset + x is monotonic over the block only if it does not wrap for x < count.
  llvm::Value* last = builder.CreateAdd(widen(offset), builder.CreateZExt(count, i64));
  llvm::Value* limit =
      builder.getInt64(isSigned ? int64_t(INT32_MAX) + 1 : int64_t(UINT32_MAX) + 1);
  llvm::Value* monotonic = builder.CreateICmpSLE(last, limit);
  // The first x where the comparison changes value.
  llvm::Value* difference = builder.CreateSub(widen(bound), widen(offset));
  bool inclusive =
      guard.predicate == llvm::CmpInst::ICMP_SLE || guard.predicate == llvm::CmpInst::ICMP_ULE ||
      guard.predicate == llvm::CmpInst::ICMP_SGT || guard.predicate == llvm::CmpInst::ICMP_UGT;
  if (inclusive)
    difference = builder.CreateAdd(difference, builder.getInt64(1));
  llvm::Value* clamped = builder.CreateSelect(
      builder.CreateICmpSLT(difference, builder.getInt64(0)), builder.getInt64(0), difference);
  llvm::Value* wideCount = builder.CreateZExt(count, i64);
  clamped = builder.CreateSelect(builder.CreateICmpSGT(clamped, wideCount), wideCount, clamped);
  bool prefixTrue =
      guard.predicate == llvm::CmpInst::ICMP_SLT || guard.predicate == llvm::CmpInst::ICMP_ULT ||
      guard.predicate == llvm::CmpInst::ICMP_SLE || guard.predicate == llvm::CmpInst::ICMP_ULE;
  return {monotonic, builder.CreateTrunc(clamped, builder.getInt32Ty()), prefixTrue};
}

} // namespace drawbridge::backend::cpu

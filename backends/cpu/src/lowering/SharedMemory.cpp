// Shared memory is a per-block buffer the runtime hands each block (BlockContext::shared):
// static __shared__ variables at fixed offsets, then the launch's dynamic shared memory, where
// every extern __shared__ array starts.
#include "Lowering.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/ReplaceConstant.h>

namespace drawbridge::backend::cpu {

constexpr unsigned kSharedAddressSpace = 3;
// CUDA aligns dynamic shared memory at least this much; kernels cast it to vector types.
constexpr uint64_t kDynamicSharedAlignment = 16;

namespace {

/// Whether `value` is used, directly or through constant expressions, in `function`.
bool isUsedIn(const llvm::Value& value, const llvm::Function& function) {
  for (const llvm::User* user : value.users()) {
    if (auto* instruction = llvm::dyn_cast<llvm::Instruction>(user)) {
      if (instruction->getFunction() == &function)
        return true;
    } else if (llvm::isa<llvm::ConstantExpr>(user) && isUsedIn(*user, function)) {
      return true;
    }
  }
  return false;
}

} // namespace

SharedLayout layoutSharedMemory(llvm::Module& module, const llvm::Function& kernel) {
  const llvm::DataLayout& dataLayout = module.getDataLayout();
  SharedLayout layout;
  std::vector<llvm::GlobalVariable*> dynamic;
  for (llvm::GlobalVariable& global : module.globals()) {
    if (global.getAddressSpace() != kSharedAddressSpace || !isUsedIn(global, kernel))
      continue;
    uint64_t size = dataLayout.getTypeAllocSize(global.getValueType());
    if (global.isDeclaration() || size == 0) {
      dynamic.push_back(&global);
      continue;
    }
    uint64_t align = global.getAlign().valueOrOne().value();
    layout.staticSize = llvm::alignTo(layout.staticSize, align);
    layout.offsets[&global] = layout.staticSize;
    layout.staticSize += size;
  }
  layout.staticSize = llvm::alignTo(layout.staticSize, kDynamicSharedAlignment);
  for (llvm::GlobalVariable* global : dynamic)
    layout.offsets[global] = layout.staticSize;
  return layout;
}

void lowerSharedMemory(llvm::Function& step, const SharedLayout& layout, llvm::Instruction* where,
                       llvm::Value* context) {
  if (layout.offsets.empty())
    return;
  std::vector<llvm::Constant*> globals;
  for (const auto& [global, offset] : layout.offsets)
    globals.push_back(global);
  // Uses hide inside constant expressions (addrspacecast, GEP); make them instructions of this
  // function so each can be given the block's address.
  llvm::convertUsersOfConstantsToInstructions(globals, &step);

  AbiTypes abi = AbiTypes::get(step.getContext());
  llvm::IRBuilder<> at(where);
  llvm::Value* base = at.CreateLoad(
      at.getPtrTy(), at.CreateStructGEP(abi.block, context, kSharedField), "shared.base");
  for (const auto& [global, offset] : layout.offsets) {
    llvm::Value* address = nullptr;
    for (llvm::Use& use : llvm::make_early_inc_range(global->uses())) {
      auto* user = llvm::dyn_cast<llvm::Instruction>(use.getUser());
      if (!user || user->getFunction() != &step)
        continue;
      if (!address)
        address =
            at.CreateAddrSpaceCast(at.CreateConstInBoundsGEP1_64(at.getInt8Ty(), base, offset),
                                   global->getType(), global->getName() + ".block");
      use.set(address);
    }
  }
}

} // namespace drawbridge::backend::cpu

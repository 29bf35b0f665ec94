// Shared memory is a per-block buffer the runtime hands each block (BlockContext::shared):
// static __shared__ variables at fixed offsets, then the launch's dynamic shared memory, where
// every extern __shared__ array starts.
//
// A pointer into shared memory (address space 3) holds its offset in that buffer, as on NVIDIA
// hardware, where the shared window starts at 0: PTX keeps shared addresses in 32-bit registers
// and does arithmetic on them, which host addresses would not survive. Only where memory is
// touched, or a shared address becomes a generic one, is the block's buffer added.
#include "Lowering.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/ReplaceConstant.h>

namespace drawbridge::backend::cpu {

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

bool usesSharedMemory(const llvm::Function& kernel) {
  return llvm::any_of(kernel.getParent()->globals(), [&](const llvm::GlobalVariable& global) {
    return global.getAddressSpace() == kSharedAddressSpace && isUsedIn(global, kernel);
  });
}

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

llvm::Value* lowerSharedMemory(llvm::Function& step, const SharedLayout& layout,
                               llvm::Instruction* where, llvm::Value* context) {
  if (layout.offsets.empty())
    return nullptr;
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
    llvm::Constant* address = llvm::ConstantExpr::getIntToPtr(
        llvm::ConstantInt::get(at.getInt64Ty(), offset), global->getType());
    for (llvm::Use& use : llvm::make_early_inc_range(global->uses())) {
      auto* user = llvm::dyn_cast<llvm::Instruction>(use.getUser());
      if (user && user->getFunction() == &step)
        use.set(address);
    }
  }
  resolveSharedAccesses(step, base);
  return base;
}

namespace {

bool isShared(const llvm::Value* pointer) {
  auto* type = llvm::dyn_cast<llvm::PointerType>(pointer->getType());
  return type && type->getAddressSpace() == kSharedAddressSpace;
}

// The host address of a shared-window offset.
llvm::Value* hostAddress(llvm::IRBuilder<>& b, llvm::Value* base, llvm::Value* shared) {
  return b.CreateGEP(b.getInt8Ty(), base, b.CreatePtrToInt(shared, b.getInt64Ty()),
                     shared->getName() + ".host");
}

} // namespace

void resolveSharedAccesses(llvm::Function& step, llvm::Value* base) {
  std::vector<llvm::Instruction*> work;
  for (llvm::Instruction& instruction : llvm::instructions(step))
    work.push_back(&instruction);
  for (llvm::Instruction* instruction : work) {
    llvm::IRBuilder<> b(instruction);
    if (auto* load = llvm::dyn_cast<llvm::LoadInst>(instruction)) {
      if (isShared(load->getPointerOperand()))
        load->setOperand(0, hostAddress(b, base, load->getPointerOperand()));
    } else if (auto* store = llvm::dyn_cast<llvm::StoreInst>(instruction)) {
      if (isShared(store->getPointerOperand()))
        store->setOperand(1, hostAddress(b, base, store->getPointerOperand()));
    } else if (auto* rmw = llvm::dyn_cast<llvm::AtomicRMWInst>(instruction)) {
      if (isShared(rmw->getPointerOperand()))
        rmw->setOperand(0, hostAddress(b, base, rmw->getPointerOperand()));
    } else if (auto* cmpxchg = llvm::dyn_cast<llvm::AtomicCmpXchgInst>(instruction)) {
      if (isShared(cmpxchg->getPointerOperand()))
        cmpxchg->setOperand(0, hostAddress(b, base, cmpxchg->getPointerOperand()));
    } else if (auto* cast = llvm::dyn_cast<llvm::AddrSpaceCastInst>(instruction)) {
      llvm::Value* source = cast->getPointerOperand();
      llvm::Value* replacement = nullptr;
      if (isShared(source) && !isShared(cast)) // shared to generic: cvta.shared
        replacement = b.CreateAddrSpaceCast(hostAddress(b, base, source), cast->getType());
      else if (!isShared(source) && isShared(cast)) // generic to shared: cvta.to.shared
        replacement = b.CreateIntToPtr(b.CreateSub(b.CreatePtrToInt(source, b.getInt64Ty()),
                                                   b.CreatePtrToInt(base, b.getInt64Ty())),
                                       cast->getType());
      if (replacement) {
        cast->replaceAllUsesWith(replacement);
        cast->eraseFromParent();
      }
    } else if (auto* call = llvm::dyn_cast<llvm::CallBase>(instruction)) {
      // memcpy/memset and the like: every shared pointer argument becomes a host pointer.
      for (llvm::Use& argument : call->args())
        if (isShared(argument.get()))
          argument.set(
              b.CreateAddrSpaceCast(hostAddress(b, base, argument.get()), argument->getType()));
    }
  }
}

} // namespace drawbridge::backend::cpu

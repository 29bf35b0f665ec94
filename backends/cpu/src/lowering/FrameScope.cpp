// Tells the optimizer that the kernel's own memory accesses never touch the frames that hold
// values saved across sites: frame accesses get an alias scope of their own and every other
// load and store is marked as not aliasing it. Without this, a store to global or shared
// memory could change a saved value as far as LLVM knows, and no region loop would vectorize.
#include "Lowering.h"

#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/MDBuilder.h>

namespace drawbridge::backend::cpu {

namespace {

/// The loads and stores through pointers derived from `frames`, or nothing when such a pointer
/// escapes (stored, passed to a call, turned into an integer): the kernel could then reach the
/// frames through memory, and nothing may be said.
std::optional<std::vector<llvm::Instruction*>> frameAccesses(llvm::Value* frames) {
  std::vector<llvm::Instruction*> accesses;
  llvm::SmallPtrSet<llvm::Value*, 32> derived{frames};
  std::vector<llvm::Value*> work{frames};
  while (!work.empty()) {
    llvm::Value* pointer = work.back();
    work.pop_back();
    for (llvm::User* user : pointer->users()) {
      auto* instruction = llvm::cast<llvm::Instruction>(user);
      if (auto* load = llvm::dyn_cast<llvm::LoadInst>(instruction)) {
        accesses.push_back(load);
      } else if (auto* store = llvm::dyn_cast<llvm::StoreInst>(instruction)) {
        if (store->getValueOperand() == pointer)
          return std::nullopt;
        accesses.push_back(store);
      } else if (llvm::isa<llvm::GetElementPtrInst, llvm::BitCastInst, llvm::AddrSpaceCastInst,
                           llvm::PHINode, llvm::SelectInst>(instruction)) {
        if (derived.insert(instruction).second)
          work.push_back(instruction);
      } else if (auto* intrinsic = llvm::dyn_cast<llvm::IntrinsicInst>(instruction);
                 intrinsic &&
                 (intrinsic->isLifetimeStartOrEnd() || llvm::isa<llvm::MemIntrinsic>(intrinsic))) {
        // Copies into and out of frame slots (a byval parameter's copy) stay unannotated,
        // which LLVM reads as "may alias anything".
      } else {
        return std::nullopt;
      }
    }
  }
  return accesses;
}

} // namespace

void scopeFrameAccesses(llvm::Function& step, llvm::Value* frames) {
  std::optional<std::vector<llvm::Instruction*>> accesses = frameAccesses(frames);
  if (!accesses || accesses->empty())
    return;
  llvm::MDBuilder metadata(step.getContext());
  llvm::MDNode* domain = metadata.createAnonymousAliasScopeDomain("drawbridge.frames");
  llvm::MDNode* scope = metadata.createAnonymousAliasScope(domain, "frame slots");
  llvm::MDNode* scopes = llvm::MDNode::get(step.getContext(), {scope});
  llvm::SmallPtrSet<llvm::Instruction*, 32> inFrames(accesses->begin(), accesses->end());
  for (llvm::BasicBlock& block : step)
    for (llvm::Instruction& instruction : block) {
      if (!llvm::isa<llvm::LoadInst, llvm::StoreInst>(instruction))
        continue;
      instruction.setMetadata(inFrames.contains(&instruction) ? llvm::LLVMContext::MD_alias_scope
                                                              : llvm::LLVMContext::MD_noalias,
                              scopes);
    }
}

} // namespace drawbridge::backend::cpu

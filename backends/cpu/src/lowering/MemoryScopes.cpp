// Tells the optimizer which memory the step function's accesses can reach: the frames that hold
// values saved across sites, the thread-state arrays, the block context and the block's shared
// memory are each disjoint from one another and from the kernel's global memory (PTX's state
// spaces are distinct; the others are the runtime's own). Each gets an alias scope; an access
// through one of them carries its scope and is declared not to alias the others, and every
// other access is declared not to alias any of them. Without this, a store to global or shared
// memory could change a saved value or the shared-memory base as far as LLVM knows, and
// loads of block-uniform values would stay inside the thread loops.
#include "Lowering.h"

#include <llvm/IR/InstIterator.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/MDBuilder.h>
#include <map>

namespace drawbridge::backend::cpu {

namespace {

/// A call to one of the runtime's hooks (Abi.h): it reads what it is passed and hands no
/// pointer back, so passing one a pointer lets nothing else reach that memory.
bool isRuntimeHook(const llvm::CallBase& call) {
  const llvm::Function* callee = call.getCalledFunction();
  return callee && callee->getName().starts_with("__drawbridge_") && !call.getType()->isPointerTy();
}

/// The loads and stores through pointers derived from `root`, or nothing when such a pointer
/// escapes (stored, passed to a call other than a runtime hook, turned into an integer): the
/// kernel could then reach that memory through other pointers, and nothing may be said.
std::optional<std::vector<llvm::Instruction*>> accessesThrough(llvm::Value* root) {
  std::vector<llvm::Instruction*> accesses;
  llvm::SmallPtrSet<llvm::Value*, 32> derived{root};
  std::vector<llvm::Value*> work{root};
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
        // Copies into and out of these (a byval parameter's copy in a frame slot) stay
        // unannotated, which LLVM reads as "may alias anything".
      } else if (auto* call = llvm::dyn_cast<llvm::CallBase>(instruction);
                 !call || !isRuntimeHook(*call)) {
        return std::nullopt;
      }
    }
  }
  return accesses;
}

} // namespace

void scopeDisjointMemory(llvm::Function& step, llvm::ArrayRef<llvm::Value*> roots) {
  // Which roots each access goes through; a root sharing an access with another (a select of
  // two kinds of pointer) says nothing, like one that escapes.
  std::vector<std::vector<llvm::Instruction*>> through;
  std::map<llvm::Instruction*, unsigned> reached;
  for (llvm::Value* root : roots) {
    std::optional<std::vector<llvm::Instruction*>> accesses;
    if (root)
      accesses = accessesThrough(root);
    through.push_back(accesses.value_or(std::vector<llvm::Instruction*>{}));
    for (llvm::Instruction* access : through.back())
      ++reached[access];
  }
  llvm::LLVMContext& context = step.getContext();
  llvm::MDBuilder metadata(context);
  llvm::MDNode* domain = metadata.createAnonymousAliasScopeDomain("drawbridge.memory");
  std::map<llvm::Instruction*, size_t> owner; // access -> index into `scopes`
  std::vector<llvm::Metadata*> scopes;
  for (size_t root = 0; root < roots.size(); ++root) {
    const std::vector<llvm::Instruction*>& accesses = through[root];
    if (accesses.empty() ||
        llvm::any_of(accesses, [&](llvm::Instruction* access) { return reached[access] > 1; }))
      continue;
    for (llvm::Instruction* access : accesses)
      owner[access] = scopes.size();
    scopes.push_back(metadata.createAnonymousAliasScope(domain, roots[root]->getName()));
  }
  if (scopes.empty())
    return;
  // Per root, the list of every other root's scope; the kernel's own accesses get all of them.
  auto others = [&](std::optional<size_t> except) {
    std::vector<llvm::Metadata*> list;
    for (size_t i = 0; i < scopes.size(); ++i)
      if (i != except)
        list.push_back(scopes[i]);
    return llvm::MDNode::get(context, list);
  };
  for (llvm::Instruction& instruction : llvm::instructions(step)) {
    if (!llvm::isa<llvm::LoadInst, llvm::StoreInst>(instruction))
      continue;
    auto found = owner.find(&instruction);
    if (found == owner.end()) {
      instruction.setMetadata(llvm::LLVMContext::MD_noalias, others(std::nullopt));
      continue;
    }
    instruction.setMetadata(llvm::LLVMContext::MD_alias_scope,
                            llvm::MDNode::get(context, {scopes[found->second]}));
    if (scopes.size() > 1)
      instruction.setMetadata(llvm::LLVMContext::MD_noalias, others(found->second));
  }
}

} // namespace drawbridge::backend::cpu

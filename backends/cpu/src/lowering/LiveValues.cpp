// A thread returns to the runtime at every site and resumes later in a fresh call, so an SSA
// value defined before a site and used after it must live in memory. This finds exactly those
// values (a path def -> site -> use that does not redefine the value) and demotes them.
#include "Lowering.h"

#include <llvm/ADT/PostOrderIterator.h>
#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/Analysis/ValueTracking.h>
#include <llvm/IR/CFG.h>
#include <llvm/IR/Instructions.h>
#include <llvm/Transforms/Utils/Local.h>
#include <map>

namespace drawbridge::backend::cpu {

namespace {

using BlockSet = llvm::SmallPtrSet<const llvm::BasicBlock*, 32>;

/// Blocks reachable from `start` (inclusive) without entering `avoid`.
BlockSet reachableAvoiding(const llvm::BasicBlock* start, const llvm::BasicBlock* avoid) {
  BlockSet seen;
  if (start == avoid)
    return seen;
  std::vector<const llvm::BasicBlock*> work{start};
  seen.insert(start);
  while (!work.empty()) {
    const llvm::BasicBlock* block = work.back();
    work.pop_back();
    for (const llvm::BasicBlock* next : llvm::successors(block))
      if (next != avoid && seen.insert(next).second)
        work.push_back(next);
  }
  return seen;
}

class LivenessAcrossSites {
public:
  explicit LivenessAcrossSites(const std::vector<Site>& sites) : sites_(sites) {}

  bool isLiveAcross(const llvm::Instruction& value) {
    const llvm::BasicBlock* def = value.getParent();
    for (const llvm::Use& use : value.uses()) {
      auto* user = llvm::cast<llvm::Instruction>(use.getUser());
      const llvm::BasicBlock* at = user->getParent();
      if (auto* phi = llvm::dyn_cast<llvm::PHINode>(user))
        at = phi->getIncomingBlock(use);
      else if (at == def)
        continue; // sites sit alone in their blocks: none lies between def and a later use
      for (const Site& site : sites_)
        if (reaches(def, site.call->getParent()) && afterSite(site, def).contains(at))
          return true;
    }
    return false;
  }

private:
  bool reaches(const llvm::BasicBlock* from, const llvm::BasicBlock* to) {
    auto [it, inserted] = forward_.try_emplace(from);
    if (inserted)
      it->second = reachableAvoiding(from, nullptr);
    return it->second.contains(to);
  }
  const BlockSet& afterSite(const Site& site, const llvm::BasicBlock* def) {
    auto [it, inserted] = after_.try_emplace({site.resume, def});
    if (inserted)
      it->second = reachableAvoiding(site.resume, def);
    return it->second;
  }

  const std::vector<Site>& sites_;
  std::map<const llvm::BasicBlock*, BlockSet> forward_;
  std::map<std::pair<const llvm::BasicBlock*, const llvm::BasicBlock*>, BlockSet> after_;
};

} // namespace

void recomputeOnEntry(llvm::Function& step, llvm::Instruction* where) {
  const llvm::BasicBlock* entry = where->getParent();
  auto known = [&](const llvm::Value* operand) {
    auto* instruction = llvm::dyn_cast<llvm::Instruction>(operand);
    return !instruction || instruction->getParent() == entry;
  };
  // In reverse post order an instruction's operands outside PHIs come first, so chains of
  // such computations move together.
  for (llvm::BasicBlock* block : llvm::ReversePostOrderTraversal<llvm::Function*>(&step)) {
    if (block == entry)
      continue;
    for (llvm::Instruction& instruction : llvm::make_early_inc_range(*block))
      if (!llvm::isa<llvm::PHINode, llvm::AllocaInst, llvm::CallBase>(instruction) &&
          !instruction.mayReadOrWriteMemory() && llvm::isSafeToSpeculativelyExecute(&instruction) &&
          llvm::all_of(instruction.operands(), known))
        instruction.moveBefore(where);
  }
}

void demoteValuesLiveAcrossSites(llvm::Function& step, const std::vector<Site>& sites) {
  if (sites.empty())
    return;
  LivenessAcrossSites liveness(sites);
  std::vector<llvm::Instruction*> live;
  for (llvm::BasicBlock& block : step)
    for (llvm::Instruction& instruction : block)
      // Allocas become frame slots whose address is recomputed on every entry, like everything
      // the entry block computes.
      if (&block != &step.getEntryBlock() && !llvm::isa<llvm::AllocaInst>(instruction) &&
          !instruction.getType()->isVoidTy() && liveness.isLiveAcross(instruction))
        live.push_back(&instruction);
  // A PHI is demoted like any value (stored after the PHIs of its block, reloaded at each
  // use); DemotePHIToStack would leave its replacement load live across the site instead.
  for (llvm::Instruction* instruction : live)
    llvm::DemoteRegToStack(*instruction);
}

} // namespace drawbridge::backend::cpu

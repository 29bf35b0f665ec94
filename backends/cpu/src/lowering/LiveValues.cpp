// A thread returns to the runtime at every site and resumes later in a fresh call, so an SSA
// value defined before a site and used after it must live in memory. This finds exactly those
// values (a path site -> use that does not redefine the value) and demotes them.
#include "Lowering.h"

#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/DenseSet.h>
#include <llvm/ADT/PostOrderIterator.h>
#include <llvm/Analysis/ValueTracking.h>
#include <llvm/IR/CFG.h>
#include <llvm/IR/Instructions.h>
#include <llvm/Transforms/Utils/Local.h>

namespace drawbridge::backend::cpu {

namespace {

/// Standard SSA liveness, one value at a time: a value is live into a block when a use is
/// reachable from the block without passing its definition. Walking backwards from the uses
/// and stopping at the definition and at blocks already seen costs the size of the value's
/// live range, so the whole analysis grows with the kernel rather than with sites x values x
/// blocks. A value is live across a site when it is live into the site's resume block.
class LivenessAcrossSites {
public:
  LivenessAcrossSites(const llvm::Function& step, const std::vector<Site>& sites) {
    for (const llvm::BasicBlock& block : step) {
      index_.try_emplace(&block, unsigned(blocks_.size()));
      blocks_.push_back(&block);
    }
    seen_.assign(index_.size(), 0);
    resume_.assign(index_.size(), false);
    for (const Site& site : sites)
      resume_[index_.at(site.resume)] = true;
  }

  bool isLiveAcross(const llvm::Instruction& value) {
    ++walk_;
    const llvm::BasicBlock* def = value.getParent();
    // The definition ends every backward path: before it the value does not exist yet.
    seen_[index_.at(def)] = walk_;
    work_.clear();
    for (const llvm::Use& use : value.uses()) {
      auto* user = llvm::cast<llvm::Instruction>(use.getUser());
      // A PHI uses its operand at the end of the incoming block.
      const llvm::BasicBlock* at = user->getParent();
      if (auto* phi = llvm::dyn_cast<llvm::PHINode>(user))
        at = phi->getIncomingBlock(use);
      visit(at);
    }
    while (!work_.empty()) {
      unsigned block = work_.back();
      work_.pop_back();
      if (resume_[block])
        return true;
      for (const llvm::BasicBlock* predecessor : llvm::predecessors(blocks_[block]))
        visit(predecessor);
    }
    return false;
  }

private:
  void visit(const llvm::BasicBlock* block) {
    unsigned i = index_.at(block);
    if (seen_[i] == walk_)
      return;
    seen_[i] = walk_;
    work_.push_back(i);
  }

  llvm::DenseMap<const llvm::BasicBlock*, unsigned> index_;
  std::vector<const llvm::BasicBlock*> blocks_;
  std::vector<unsigned> seen_; // walk_ of the last walk that reached the block
  std::vector<bool> resume_;
  std::vector<unsigned> work_;
  unsigned walk_ = 0;
};

} // namespace

void recomputeOnEntry(llvm::Function& step, llvm::Instruction* where,
                      const std::vector<Site>& sites) {
  const llvm::BasicBlock* entry = where->getParent();
  // What could be computed on entry: in reverse post order an instruction's operands outside
  // PHIs come first, so whole chains of such computations are found in one pass.
  llvm::DenseSet<const llvm::Instruction*> computable;
  std::vector<llvm::Instruction*> order;
  auto known = [&](const llvm::Value* operand) {
    auto* instruction = llvm::dyn_cast<llvm::Instruction>(operand);
    return !instruction || instruction->getParent() == entry || computable.contains(instruction);
  };
  for (llvm::BasicBlock* block : llvm::ReversePostOrderTraversal<llvm::Function*>(&step)) {
    if (block == entry)
      continue;
    for (llvm::Instruction& instruction : *block)
      if (!llvm::isa<llvm::PHINode, llvm::AllocaInst, llvm::CallBase>(instruction) &&
          !instruction.mayReadOrWriteMemory() && llvm::isSafeToSpeculativelyExecute(&instruction) &&
          llvm::all_of(instruction.operands(), known)) {
        computable.insert(&instruction);
        order.push_back(&instruction);
      }
  }
  // Only those live across a site move, with what they are computed from: the others stay
  // where the kernel computes them. Every entry runs this code, and every region's copy of the
  // step function starts with it: ggml's largest kernels have tens of thousands of such values,
  // most of them used between two sites only.
  LivenessAcrossSites liveness(step, sites);
  llvm::DenseSet<const llvm::Instruction*> moving;
  std::vector<const llvm::Instruction*> work;
  for (llvm::Instruction* instruction : order)
    if (liveness.isLiveAcross(*instruction))
      work.push_back(instruction);
  while (!work.empty()) {
    const llvm::Instruction* instruction = work.back();
    work.pop_back();
    if (!moving.insert(instruction).second)
      continue;
    for (const llvm::Value* operand : instruction->operands())
      if (auto* defined = llvm::dyn_cast<llvm::Instruction>(operand);
          defined && computable.contains(defined))
        work.push_back(defined);
  }
  for (llvm::Instruction* instruction : order)
    if (moving.contains(instruction))
      instruction->moveBefore(where);
}

void demoteValuesLiveAcrossSites(llvm::Function& step, const std::vector<Site>& sites) {
  if (sites.empty())
    return;
  LivenessAcrossSites liveness(step, sites);
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

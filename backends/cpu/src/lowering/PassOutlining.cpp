// Moves each pass of a block function with many sites into a function of its own. A pass (a
// region's loop nest over the threads, the tally after it, a generated shuffle) is a few loops;
// a kernel with hundreds of sites made one function of hundreds of loop nests, and the
// optimizer's and the code generator's time grows faster than linearly with a function's size
// (loop rotation's memory SSA updates, live intervals, the scheduler). As functions of their
// own, the passes cost about what they would cost one at a time.
#include "Lowering.h"

#include <llvm/ADT/SetVector.h>
#include <llvm/IR/CFG.h>
#include <llvm/IR/Instructions.h>
#include <llvm/Transforms/Utils/CodeExtractor.h>
#include <map>
#include <set>

namespace drawbridge::backend::cpu {

namespace {

/// The blocks of the pass that starts at `entry`: what it reaches before another pass's entry or
/// a stop, entry first (CodeExtractor takes the first block as the region's header).
llvm::SmallVector<llvm::BasicBlock*, 0> passBlocks(llvm::BasicBlock* entry,
                                                   const std::set<llvm::BasicBlock*>& boundaries) {
  llvm::SetVector<llvm::BasicBlock*> blocks;
  blocks.insert(entry);
  for (size_t i = 0; i < blocks.size(); ++i)
    for (llvm::BasicBlock* next : llvm::successors(blocks[i]))
      if (!boundaries.contains(next))
        blocks.insert(next);
  return blocks.takeVector();
}

/// Marks noalias the outlined pass's pointer parameters that are the block function's own stack
/// arrays (the thread states, the tallies) or its noalias parameters, each passed once: the
/// optimizer then knows in the pass what it knew in the block function, that kernel loads and
/// stores cannot reach them.
void markDistinctObjectsNoAlias(llvm::CallInst& call) {
  std::map<const llvm::Value*, unsigned> uses;
  for (const llvm::Use& argument : call.args())
    ++uses[argument.get()];
  for (const llvm::Use& argument : call.args()) {
    const llvm::Value* value = argument.get();
    auto* parameter = llvm::dyn_cast<llvm::Argument>(value);
    bool distinct =
        llvm::isa<llvm::AllocaInst>(value) || (parameter && parameter->hasNoAliasAttr());
    if (value->getType()->isPointerTy() && distinct && uses[value] == 1)
      call.getCalledFunction()->addParamAttr(call.getArgOperandNo(&argument),
                                             llvm::Attribute::NoAlias);
  }
}

} // namespace

void outlinePasses(llvm::Function& block, const std::vector<llvm::BasicBlock*>& entries,
                   const std::vector<llvm::BasicBlock*>& stops) {
  std::set<llvm::BasicBlock*> boundaries(entries.begin(), entries.end());
  boundaries.insert(stops.begin(), stops.end());
  // Every pass's blocks before any is moved: moving one replaces its entry with a call, which
  // the passes that branch there would otherwise walk into.
  std::vector<llvm::SmallVector<llvm::BasicBlock*, 0>> passes;
  for (llvm::BasicBlock* entry : entries)
    if (!entry->hasNPredecessors(0)) // a pass nothing branches to is removed by the optimizer
      passes.push_back(passBlocks(entry, boundaries));
  llvm::CodeExtractorAnalysisCache cache(block);
  for (const auto& blocks : passes) {
    llvm::CodeExtractor extractor(blocks, /*DT=*/nullptr, /*AggregateArgs=*/false, nullptr, nullptr,
                                  nullptr, /*AllowVarArgs=*/false, /*AllowAlloca=*/false, nullptr,
                                  "pass");
    // A pass that cannot be moved stays in the block function, correct, only larger.
    llvm::Function* pass = extractor.isEligible() ? extractor.extractCodeRegion(cache) : nullptr;
    if (!pass)
      continue;
    pass->addFnAttr(llvm::Attribute::NoInline);
    for (llvm::User* user : pass->users())
      if (auto* call = llvm::dyn_cast<llvm::CallInst>(user))
        markDistinctObjectsNoAlias(*call);
  }
}

} // namespace drawbridge::backend::cpu

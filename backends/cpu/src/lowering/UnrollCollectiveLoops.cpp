// Loops around warp collectives with a small constant trip count (a warp reduction's
// `for (offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(~0u, v, offset)`) unrolled
// completely before the kernel is cut at its sites, as nvcc's -O3 already does in the PTX it
// emits and clang's -O1 NVVM IR does not. Each collective then has constant operands and a
// region of straight code of its own; rolled, every thread saves the loop's counter and
// operands across each site and the regions branch on them (issue 15: the warp-shuffle
// reduction 1.6-1.9x, the RMSNorm and GEMV row kernels 1.2-1.7x faster unrolled).
#include "Lowering.h"

#include <llvm/Analysis/AssumptionCache.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/OptimizationRemarkEmitter.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/Analysis/TargetTransformInfo.h>
#include <llvm/IR/Dominators.h>
#include <llvm/TargetParser/Triple.h>
#include <llvm/Transforms/Utils/LoopSimplify.h>
#include <llvm/Transforms/Utils/LoopUtils.h>
#include <llvm/Transforms/Utils/UnrollLoop.h>

namespace drawbridge::backend::cpu {
namespace {

// Beyond these the copies cost more than the saved state: a loop runs at most a warp's worth of
// iterations, and the unrolled body stays below a thousand instructions (each copy of a collective
// is a region of its own, which the optimizer compiles).
constexpr unsigned kMaxTrips = 32;
constexpr size_t kMaxUnrolledInstructions = 1024;

bool containsCollective(const llvm::Loop& loop) {
  for (const llvm::BasicBlock* block : loop.blocks())
    for (const llvm::Instruction& instruction : *block)
      if (auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction);
          call && classifyCollective(*call))
        return true;
  return false;
}

size_t instructionCount(const llvm::Loop& loop) {
  size_t count = 0;
  for (const llvm::BasicBlock* block : loop.blocks())
    count += block->size();
  return count;
}

// Unrolls one innermost loop that qualifies; false when none is left.
bool unrollOne(llvm::Function& kernel) {
  llvm::DominatorTree dominators(kernel);
  llvm::LoopInfo loops(dominators);
  llvm::TargetLibraryInfoImpl libraryInfo(llvm::Triple(kernel.getParent()->getTargetTriple()));
  llvm::TargetLibraryInfo library(libraryInfo);
  llvm::AssumptionCache assumptions(kernel);
  llvm::ScalarEvolution evolution(kernel, library, assumptions, dominators, loops);
  llvm::TargetTransformInfo costs(kernel.getParent()->getDataLayout());
  llvm::OptimizationRemarkEmitter remarks(&kernel);
  for (llvm::Loop* loop : loops.getLoopsInPreorder()) {
    if (!loop->isInnermost() || !containsCollective(*loop))
      continue;
    unsigned trips = evolution.getSmallConstantTripCount(loop);
    if (trips < 2 || trips > kMaxTrips ||
        instructionCount(*loop) * trips > kMaxUnrolledInstructions)
      continue;
    llvm::simplifyLoop(loop, &dominators, &loops, &evolution, &assumptions, nullptr, false);
    llvm::formLCSSARecursively(*loop, dominators, &loops, &evolution);
    llvm::UnrollLoopOptions options{.Count = trips,
                                    .Force = false,
                                    .Runtime = false,
                                    .AllowExpensiveTripCount = false,
                                    .UnrollRemainder = false,
                                    .ForgetAllSCEV = true};
    if (llvm::UnrollLoop(loop, options, &loops, &evolution, &dominators, &assumptions, &costs,
                         &remarks, /*PreserveLCSSA=*/true) == llvm::LoopUnrollResult::FullyUnrolled)
      return true;
  }
  return false;
}

} // namespace

void unrollCollectiveLoops(llvm::Function& kernel) {
  // Each unrolling changes the loops, so the analyses are made again; an outer loop whose inner
  // one went becomes innermost and may go next.
  while (unrollOne(kernel)) {
  }
}

} // namespace drawbridge::backend::cpu

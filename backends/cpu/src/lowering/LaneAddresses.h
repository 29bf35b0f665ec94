// What a kernel's addresses are as functions of the lane: which values every thread of a block
// computes alike (a small divergence analysis), and addresses that are such values plus a
// constant multiple of threadIdx.x. WarpLockstep.cpp uses them to prove that running the lanes
// of a warp one after another, in order, gives what lanes in lockstep give.
#pragma once

#include <cstdint>
#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/DenseSet.h>
#include <llvm/ADT/MapVector.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/PostDominators.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Function.h>
#include <optional>

namespace drawbridge::backend::cpu {

/// sum(terms[v] * v) + tidX * threadIdx.x + constant, every v the same in all threads of a
/// block. Offsets are taken not to wrap (an address computed past its integer type's range
/// points nowhere useful on any GPU). The lanes of a warp are taken to be consecutive values of
/// threadIdx.x, as they are where a block's rows are whole warps or it has one row; a warp
/// across rows narrower than 32 threads holds lanes with equal threadIdx.x, whose addresses
/// here meet when threadIdx.y is not in them.
struct LaneLinear {
  int64_t tidX = 0;
  llvm::SmallMapVector<llvm::Value*, int64_t, 4> terms;
  int64_t constant = 0;
};

/// later - earlier, if no coefficient overflows.
std::optional<LaneLinear> subtract(const LaneLinear& later, const LaneLinear& earlier);
/// Whether `linear` is its constant alone (no threadIdx.x, every term's coefficient 0).
bool isConstant(const LaneLinear& linear);

class LaneAddresses {
public:
  explicit LaneAddresses(llvm::Function& kernel);

  /// `value` (an address or an index) as a LaneLinear, if it is one.
  std::optional<LaneLinear> linear(llvm::Value* value);
  /// Whether every thread of a block computes the same `value` (conservative: false when
  /// unsure).
  bool isUniform(const llvm::Value* value) const { return !divergent_.contains(value); }
  /// Whether `value` is known to be at most 0 in every thread: the bound that lets an earlier
  /// access by lane a and a later one by lane b meet only for a <= b.
  bool isKnownNonPositive(const LaneLinear& difference);

  /// A loop's induction variable that starts at a multiple of threadIdx.x and steps by a
  /// constant (`for (i = threadIdx.x; i < n; i += 32)`) is threadIdx.x * c + S + U, U the same
  /// in every lane that runs the same iteration: its LaneLinear has the phi as a term standing
  /// for U. Such a term holds only inside the phi's loop.
  bool holdsAt(const LaneLinear& linear, const llvm::Instruction& access) const;
  /// Whether an access at `linear` and one `offset` bytes past it (both no wider than `size`
  /// bytes), in different iterations of the loops around them, can touch one location only
  /// from the same lane or lanes 32 or more apart, that is from different warps: its one
  /// induction term moves it by at least a warp's span each iteration, `offset` keeps the two
  /// a warp apart modulo that, and everything else in it is computed outside every loop.
  bool apartAcrossIterations(const LaneLinear& linear, int64_t offset, uint64_t size) const;

private:
  std::optional<LaneLinear> induction(llvm::PHINode& phi);
  void findDivergence();
  void markDivergent(llvm::Value* value, std::vector<llvm::Value*>& work);
  void divergentBranch(llvm::Instruction& branch, std::vector<llvm::Value*>& work);

  llvm::Function& kernel_;
  llvm::DominatorTree dominators_;
  llvm::PostDominatorTree postDominators_;
  llvm::LoopInfo loops_;
  llvm::DenseSet<llvm::Value*> divergent_;
  llvm::DenseMap<llvm::Value*, std::optional<LaneLinear>> linear_;
  // The induction phis found, with the constant U grows by each iteration.
  llvm::DenseMap<const llvm::Value*, int64_t> inductionSteps_;
  // The values linear() has memoized since an induction phi was first assumed (undone if the
  // assumption fails).
  std::vector<llvm::Value*>* journal_ = nullptr;
};

} // namespace drawbridge::backend::cpu

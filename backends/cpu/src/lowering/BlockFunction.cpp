// The function the runtime calls per block (BlockFunction in Abi.h). It unpacks CUDA's argument
// array once, then calls the step function for each thread: for kernels without sites as a
// plain loop nest over z, y, x that the optimizer can vectorize; for kernels with sites as one
// such loop nest per region (the code between sites), chained while every thread stops at the
// same __syncthreads, with a general pass over the threads the runtime marked runnable for
// everything else.
#include "AnalysisManagers.h"
#include "Lowering.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <functional>
#include <llvm/ADT/DepthFirstIterator.h>
#include <llvm/ADT/PostOrderIterator.h>
#include <llvm/Analysis/InstructionSimplify.h>
#include <llvm/IR/CFG.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/Transforms/Scalar/EarlyCSE.h>
#include <llvm/Transforms/Scalar/Scalarizer.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/Local.h>
#include <set>

namespace drawbridge::backend::cpu {

namespace {

/// for (i = begin; i < end; ++i) body(i); leaves the builder after the loop and returns the
/// loop's back edge. The index counts threads or block dimensions (at most 1024) and wraps
/// neither way; `signedIndex` says so (nsw), which lets its sign extension in addresses fold, so
/// the vectorizer needs no overflow checks. The loops of kernels without sites leave it out:
/// there the kernel's own signed index arithmetic (a bounds guard on base + threadIdx.x that
/// wraps, guard_wrapping in the tests) would then be folded as if it could not wrap.
llvm::BranchInst* emitLoop(llvm::IRBuilder<>& builder, llvm::Value* begin, llvm::Value* end,
                           const llvm::Twine& name, const std::function<void(llvm::Value*)>& body,
                           bool signedIndex = true) {
  llvm::Function* function = builder.GetInsertBlock()->getParent();
  llvm::LLVMContext& context = function->getContext();
  llvm::BasicBlock* before = builder.GetInsertBlock();
  llvm::BasicBlock* header = llvm::BasicBlock::Create(context, name + ".header", function);
  llvm::BasicBlock* loop = llvm::BasicBlock::Create(context, name + ".body", function);
  llvm::BasicBlock* after = llvm::BasicBlock::Create(context, name + ".end", function);
  builder.CreateBr(header);
  builder.SetInsertPoint(header);
  llvm::PHINode* index = builder.CreatePHI(builder.getInt32Ty(), 2, name);
  index->addIncoming(begin, before);
  builder.CreateCondBr(builder.CreateICmpULT(index, end), loop, after);
  builder.SetInsertPoint(loop);
  body(index);
  index->addIncoming(
      builder.CreateAdd(index, builder.getInt32(1), "", /*HasNUW=*/true, signedIndex),
      builder.GetInsertBlock());
  llvm::BranchInst* backEdge = builder.CreateBr(header);
  builder.SetInsertPoint(after);
  return backEdge;
}

llvm::BranchInst* emitLoop(llvm::IRBuilder<>& builder, llvm::Value* count, const llvm::Twine& name,
                           const std::function<void(llvm::Value*)>& body) {
  return emitLoop(builder, builder.getInt32(0), count, name, body);
}

/// Whether threads running `region` may order their memory accesses among themselves without a
/// site between them: atomics, fences and volatile accesses (warp-synchronous code written for
/// lanes in lockstep) do. Plain accesses of different threads to one location between two sites
/// are a data race, undefined on NVIDIA too (where lanes of a warp trade values in lockstep,
/// WarpLockstep.cpp has put a site between them).
bool threadsMayCommunicate(const llvm::Function& region) {
  for (const llvm::BasicBlock& block : region)
    for (const llvm::Instruction& instruction : block) {
      if (instruction.isAtomic() || llvm::isa<llvm::FenceInst>(instruction) ||
          isVolatileAccess(instruction))
        return true;
    }
  return false;
}

/// A load or store of a scalar the block function keeps in a stack cell across a loop (a pass's
/// tally, a shuffle's uniformity): a dependence between iterations, but one the optimizer turns
/// into a register before the vectorizer looks, so it is left out of the claim below.
bool isAccumulator(const llvm::Instruction& instruction) {
  auto* cell =
      llvm::dyn_cast_or_null<llvm::AllocaInst>(llvm::getLoadStorePointerOperand(&instruction));
  return cell && cell->isStaticAlloca() && !cell->isArrayAllocation();
}

/// Declares the iterations of the loop with back edge `backEdge` (one per thread) independent
/// through memory: every access in its body (and, once inlined, in the step functions it calls)
/// joins one access group that the loop's metadata names parallel. The loop vectorizer then
/// needs neither dependence analysis nor run-time checks, which it cannot do for shared-memory
/// indices such as s[t + stride] or for the thread-state arrays sized by the block.
void declareThreadsIndependent(llvm::BranchInst* backEdge) {
  llvm::LLVMContext& context = backEdge->getContext();
  llvm::BasicBlock* header = backEdge->getSuccessor(0);
  auto* test = llvm::cast<llvm::BranchInst>(header->getTerminator());
  llvm::MDNode* group = llvm::MDNode::getDistinct(context, {});
  std::vector<llvm::BasicBlock*> work{test->getSuccessor(0)};
  llvm::SmallPtrSet<llvm::BasicBlock*, 16> seen{header, work.back()};
  while (!work.empty()) {
    llvm::BasicBlock* block = work.back();
    work.pop_back();
    for (llvm::Instruction& instruction : *block)
      if (instruction.mayReadOrWriteMemory() && !isAccumulator(instruction))
        instruction.setMetadata(llvm::LLVMContext::MD_access_group, group);
    for (llvm::BasicBlock* next : llvm::successors(block))
      if (seen.insert(next).second)
        work.push_back(next);
  }
  llvm::MDNode* parallel = llvm::MDNode::get(
      context, {llvm::MDString::get(context, "llvm.loop.parallel_accesses"), group});
  llvm::MDNode* loop = llvm::MDNode::getDistinct(context, {nullptr, parallel});
  loop->replaceOperandWith(0, loop);
  backEdge->setMetadata(llvm::LLVMContext::MD_loop, loop);
}

/// Erases what nothing in `function` uses: in a region's copy, what only the edges it does not
/// have (phi inputs from other regions' paths) used.
void removeDeadCode(llvm::Function& function) {
  // Blocks in post order and each block backwards: a value's uses are seen before it, except
  // across back edges, whose values are rarely dead.
  for (llvm::BasicBlock* block : llvm::post_order(&function))
    for (llvm::Instruction& instruction : llvm::make_early_inc_range(llvm::reverse(*block)))
      if (llvm::isInstructionTriviallyDead(&instruction))
        instruction.eraseFromParent();
}

/// The block function inlines its step function and region copies, smallest first, while they
/// add up to at most this many instructions; the others are called from their loops over
/// threads. Inlining lets a region be vectorized across threads, which large code does not get
/// anyway, and the optimizer's time grows faster than linearly with a function's size and its
/// number of loops: ggml's quantized matmul for 128 columns (10k PTX statements, emulated
/// integer mma) lowers to a million instructions, and its flash attention spent minutes in
/// loop rotation over a block function of hundreds of region loops. The project's own
/// benchmark kernels add up to a few thousand.
constexpr uint64_t kInlineBudget = 40000;

/// Kernels with at least this many sites run each pass as a function of its own
/// (PassOutlining.cpp). Only those: a pass as a function costs what the block function shared
/// between passes (the bench kernels, outlined, executed 1.2 to 2.3 times the instructions),
/// and it pays where compiling took minutes: ggml's flash attention (about 430 sites) 353-434 s
/// -> 76 s, its quantized matmul for 64 and 128 columns (145) 68 -> 26 s and 102 -> 68 s.
/// Its matmul for 8 columns (81 sites) and its matrix-vector product for 5 (51) would compile in
/// a quarter and a third less time, less than what they would lose running.
constexpr size_t kOutlinedSites = 128;

void inlineWithinBudget(const std::vector<llvm::Function*>& functions) {
  // Counted once each: a function's count walks all its instructions.
  std::vector<std::pair<uint64_t, llvm::Function*>> sized;
  for (llvm::Function* function : functions)
    sized.emplace_back(function->getInstructionCount(), function);
  std::ranges::sort(sized, {}, &std::pair<uint64_t, llvm::Function*>::first);
  uint64_t total = 0;
  for (auto [size, function] : sized) {
    total += size;
    if (total <= kInlineBudget)
      continue;
    function->removeFnAttr(llvm::Attribute::AlwaysInline);
    function->addFnAttr(llvm::Attribute::NoInline);
  }
}

/// The instructions of the step function's `entry` block (but `resume`, which the copies know)
/// that `region`'s code uses, directly or through each other, and those that do more than
/// compute a value, in block order. The entry computes every value some region recomputes on
/// entry (recomputeOnEntry): thousands in ggml's largest kernels, of which a copy needs few.
std::vector<llvm::Instruction*> entryValuesUsedBy(const std::vector<llvm::BasicBlock*>& region,
                                                  llvm::BasicBlock& entry,
                                                  llvm::Instruction* resume) {
  std::set<llvm::Instruction*> used;
  std::vector<llvm::Instruction*> pending;
  auto use = [&](llvm::Instruction& user) {
    for (llvm::Value* operand : user.operands())
      if (auto* value = llvm::dyn_cast<llvm::Instruction>(operand);
          value && value->getParent() == &entry && value != resume && used.insert(value).second)
        pending.push_back(value);
  };
  for (llvm::BasicBlock* block : region)
    for (llvm::Instruction& instruction : *block)
      use(instruction);
  for (llvm::Instruction& instruction : entry)
    if (&instruction != resume && !instruction.isTerminator() &&
        !llvm::wouldInstructionBeTriviallyDead(&instruction) && used.insert(&instruction).second) {
      pending.push_back(&instruction);
    }
  while (!pending.empty()) {
    llvm::Instruction* value = pending.back();
    pending.pop_back();
    use(*value);
  }
  std::vector<llvm::Instruction*> ordered;
  for (llvm::Instruction& instruction : entry)
    if (used.contains(&instruction))
      ordered.push_back(&instruction);
  return ordered;
}

/// A copy of the step function that starts at `site` (0: the kernel's start) instead of
/// dispatching on ThreadState::resume. Only what runs from there is copied, the region's code
/// up to the sites that leave it, so the copies together grow with the kernel rather than with
/// sites times kernel.
llvm::Function* stepEnteringAt(const StepFunction& step, int32_t site) {
  llvm::Function* original = step.function;
  llvm::Function* copy = llvm::Function::Create(original->getFunctionType(), original->getLinkage(),
                                                original->getName() + ".from" + llvm::Twine(site),
                                                original->getParent());
  copy->copyAttributesFrom(original);
  llvm::ValueToValueMapTy map;
  for (auto [from, to] : llvm::zip(original->args(), copy->args())) {
    to.setName(from.getName());
    map[&from] = &to;
  }
  // The dispatch switches on the thread's ThreadState::resume, which the copy knows is `site`.
  llvm::BasicBlock& entry = original->getEntryBlock();
  auto* dispatch = llvm::cast<llvm::SwitchInst>(entry.getTerminator());
  auto* resume = llvm::cast<llvm::LoadInst>(dispatch->getCondition());
  llvm::ConstantInt* known =
      llvm::ConstantInt::get(llvm::cast<llvm::IntegerType>(resume->getType()), uint64_t(site));
  map[resume] = known;
  // The region: the blocks the site's entry reaches (every site leaves the step function), and
  // of the entry block what they use. LLVM's pruning cloner walked the whole step function once
  // per copy, a fifth of flash attention's compile at 430 copies.
  llvm::BasicBlock* start = dispatch->findCaseValue(known)->getCaseSuccessor();
  std::vector<llvm::BasicBlock*> region(llvm::df_begin(start), llvm::df_end(start));
  llvm::BasicBlock* values = llvm::BasicBlock::Create(copy->getContext(), "entry.values", copy);
  map[&entry] = values;
  for (llvm::Instruction* value : entryValuesUsedBy(region, entry, resume)) {
    llvm::Instruction* clone = value->clone();
    clone->setName(value->getName());
    clone->insertInto(values, values->end());
    llvm::RemapInstruction(clone, map, llvm::RF_NoModuleLevelChanges);
    map[value] = clone;
  }
  for (llvm::BasicBlock* block : region)
    map[block] = llvm::CloneBasicBlock(block, map, "", copy);
  llvm::BranchInst::Create(llvm::cast<llvm::BasicBlock>(map[start]), values);
  for (llvm::BasicBlock* block : region)
    for (llvm::Instruction& instruction : *llvm::cast<llvm::BasicBlock>(map[block])) {
      llvm::RemapInstruction(&instruction, map,
                             llvm::RF_NoModuleLevelChanges | llvm::RF_IgnoreMissingLocals);
      // A phi keeps the edges the copy has: from its own blocks, and one from the entry into
      // the region's start.
      if (auto* phi = llvm::dyn_cast<llvm::PHINode>(&instruction)) {
        bool fromEntry = block != start;
        for (unsigned i = phi->getNumIncomingValues(); i-- > 0;) {
          llvm::BasicBlock* from = phi->getIncomingBlock(i);
          if (from->getParent() != copy || (from == values && std::exchange(fromEntry, true)))
            phi->removeIncomingValue(i, /*DeletePHIIfEmpty=*/false);
        }
      }
    }
  // A collective's result comes as a {value, predicate} pair that is built and taken apart
  // again; with the pair folded away a region is scalar code, which a warp chain can run.
  for (llvm::BasicBlock& block : *copy)
    for (llvm::Instruction& instruction : llvm::make_early_inc_range(block))
      if (auto* extract = llvm::dyn_cast<llvm::ExtractValueInst>(&instruction))
        if (llvm::Value* part =
                llvm::simplifyInstruction(extract, {copy->getParent()->getDataLayout()})) {
          extract->replaceAllUsesWith(part);
          extract->eraseFromParent();
        }
  removeDeadCode(*copy);
  return copy;
}

/// Replaces the loads in `copies` that read what the copy itself stored before: the values
/// live across sites are stored to the thread's frame where they are computed and reloaded at
/// each use, and within one region only the store is needed. A warp runs the region as vector
/// code (WarpVectors.cpp) and sees a reloaded value as one value per lane, so a loop bound or
/// an offset the lanes share would become a gather; the block function's optimizer would only
/// forward them after that. (LICM as well, to move a loop's repeated frame stores to its exits:
/// the tiled matmul then executed 19% more instructions and the GEMV 51% more.)
///
/// Vector loads and stores (PTX's ld.v4/st.v2, a float4 or uint4 read at once) and the vector
/// arithmetic on them become their elements first: a warp then runs them as records of lanes
/// (one wide load and shuffles), where a value of vector type would keep the region scalar.
void prepareCopiesForWarps(const std::vector<llvm::Function*>& copies) {
  llvm::PassBuilder passBuilder;
  AnalysisManagers analyses(passBuilder);
  llvm::FunctionPassManager passes;
  llvm::ScalarizerPassOptions elements;
  elements.ScalarizeLoadStore = true;
  passes.addPass(llvm::ScalarizerPass(elements));
  passes.addPass(llvm::EarlyCSEPass(/*UseMemorySSA=*/true));
  for (llvm::Function* copy : copies)
    passes.run(*copy, analyses.function);
}

/// The address of a ThreadState field of thread t (an i32) in the block function's arrays.
using LaneFields = std::function<llvm::Value*(ThreadField, llvm::Value*)>;

/// A whole-warp shuffle with constant operands reads, for lane `lane` of thread t, the operand of
/// thread t + first() where takeFirst holds, else of t + second(): down by d (t + d while
/// lane + d stays in the warp, else t itself), up by d (t - d, else t), and xor by a single bit d
/// (t + d where the lane has the bit clear, t - d where set). Nothing for segments narrower than
/// the warp, for idx, or for xor by several bits.
struct FixedDistances {
  SiteKind kind;
  int32_t distance;
  int32_t first() const { return kind == SiteKind::ShflUp ? -distance : distance; }
  int32_t second() const { return kind == SiteKind::ShflBfly ? -distance : 0; }
  llvm::Value* takeFirst(llvm::IRBuilder<>& builder, llvm::Value* lane) const {
    switch (kind) {
    case SiteKind::ShflDown:
      return builder.CreateICmpULE(lane, builder.getInt32(uint32_t(31 - distance)));
    case SiteKind::ShflUp:
      return builder.CreateICmpUGE(lane, builder.getInt32(uint32_t(distance)));
    default: // xor
      return builder.CreateICmpEQ(builder.CreateAnd(lane, builder.getInt32(uint32_t(distance))),
                                  builder.getInt32(0));
    }
  }
};

std::optional<FixedDistances> fixedDistances(SiteKind kind,
                                             const ConstantShuffleOperands& constants) {
  if (!constants.b || !constants.c || (*constants.c >> 8 & 31) != 0)
    return std::nullopt;
  auto distance = int32_t(*constants.b & 31);
  uint32_t clamp = *constants.c & 31;
  switch (kind) {
  case SiteKind::ShflDown:
    return clamp == 31 ? std::optional<FixedDistances>({kind, distance}) : std::nullopt;
  case SiteKind::ShflUp:
    return clamp == 0 ? std::optional<FixedDistances>({kind, distance}) : std::nullopt;
  case SiteKind::ShflBfly: // lane ^ d is lane + d or lane - d only for a single bit d
    return clamp == 31 && (distance & (distance - 1)) == 0
               ? std::optional<FixedDistances>({kind, distance})
               : std::nullopt;
  default:
    return std::nullopt;
  }
}

/// Resolves shuffle `site` of `kind` when the block is whole warps and in each warp either every
/// lane waits there with a mask naming the whole warp (the usual __shfl_*_sync(0xffffffff, ...))
/// or every lane has exited: each thread's result is its source lane's operand, as shuffle() in
/// Collectives.cpp computes it. Goes on to `resolved`, or to `otherwise` (the runtime, which
/// checks masks lane by lane) when the block is not like that; results written on the way there
/// are then overwritten, and those of exited threads are never read.
void emitWholeWarpShuffle(llvm::IRBuilder<>& builder, SiteKind kind, int32_t site,
                          const ConstantShuffleOperands& constants, const LaneFields& field,
                          llvm::Value* count, llvm::Value* wholeWarps, llvm::BasicBlock* resolved,
                          llvm::BasicBlock* otherwise, llvm::BasicBlock* finished) {
  llvm::Function* function = builder.GetInsertBlock()->getParent();
  llvm::LLVMContext& context = function->getContext();
  llvm::Type* i32 = builder.getInt32Ty();
  llvm::BasicBlock* loop = llvm::BasicBlock::Create(context, "shfl", function);
  // Partial warps read no further than their block: the source index stays below `count`.
  builder.CreateCondBr(wholeWarps, loop, otherwise);
  // In the entry block, where the optimizer promotes it to a register.
  llvm::IRBuilder<> entry(&*function->getEntryBlock().getFirstInsertionPt());
  llvm::Value* uniform = entry.CreateAlloca(builder.getInt1Ty(), nullptr, "shfl.uniform");
  llvm::Value* anyWaits = entry.CreateAlloca(builder.getInt1Ty(), nullptr, "shfl.any");
  builder.SetInsertPoint(loop);
  builder.CreateStore(builder.getTrue(), uniform);
  builder.CreateStore(builder.getFalse(), anyWaits);
  // Each thread writes only its own result fields and reads only operand fields.
  declareThreadsIndependent(emitLoop(builder, count, "shfl.t", [&](llvm::Value* t) {
    llvm::Value* lane = builder.CreateAnd(t, builder.getInt32(31));
    llvm::Value* warpStart = builder.CreateSub(t, lane);
    // An operand the call gives as a constant is that constant in every thread.
    auto operand = [&](std::optional<uint32_t> constant, ThreadField operandField) {
      return constant ? static_cast<llvm::Value*>(builder.getInt32(*constant))
                      : builder.CreateLoad(i32, field(operandField, t));
    };
    llvm::Value* status = builder.CreateLoad(i32, field(kStatusField, t));
    llvm::Value* atSite = builder.CreateICmpEQ(status, builder.getInt32(site));
    llvm::Value* waits = builder.CreateAnd(
        atSite, builder.CreateICmpEQ(operand(constants.mask, kMaskField), builder.getInt32(~0u)));
    llvm::Value* exited = builder.CreateICmpEQ(status, builder.getInt32(kStepExited));
    llvm::Value* asFirstLane =
        builder.CreateICmpEQ(status, builder.CreateLoad(i32, field(kStatusField, warpStart)));
    llvm::Value* fits = builder.CreateAnd(asFirstLane, builder.CreateOr(waits, exited));
    builder.CreateStore(builder.CreateAnd(builder.CreateLoad(builder.getInt1Ty(), uniform), fits),
                        uniform);
    builder.CreateStore(builder.CreateOr(builder.CreateLoad(builder.getInt1Ty(), anyWaits), atSite),
                        anyWaits);
    ShuffleSource source = shuffleSource(builder, kind, lane, operand(constants.b, kBField),
                                         operand(constants.c, kCField));
    llvm::Value* value = nullptr;
    if (std::optional<FixedDistances> fixed = fixedDistances(kind, constants)) {
      // Two loads at constant distances from t and a select: consecutive across the loop, so
      // the vectorizer loads whole vectors instead of gathering lane by lane. Both stay inside
      // the lanes array: the value row has rows before and after it, and count >= 32.
      auto at = [&](int32_t distance) {
        return builder.CreateLoad(
            i32, field(kValueField, builder.CreateAdd(t, builder.getInt32(uint32_t(distance)))));
      };
      value = builder.CreateSelect(fixed->takeFirst(builder, lane), at(fixed->first()),
                                   at(fixed->second()));
    } else {
      // In range, the source lies within the warp (0 <= maxLane <= 31); out of range, the lane
      // keeps its own value.
      llvm::Value* from =
          builder.CreateAdd(warpStart, builder.CreateSelect(source.inRange, source.lane, lane));
      value = builder.CreateLoad(i32, field(kValueField, from));
    }
    builder.CreateStore(value, field(kResultField, t));
    builder.CreateStore(builder.CreateZExt(source.inRange, i32), field(kResultPredicateField, t));
  }));
  // A block whose every thread has exited is done (entered straight from a region loop, see
  // soleShuffleExit, nothing else has looked).
  llvm::BasicBlock* waiting = llvm::BasicBlock::Create(context, "shfl.waiting", function);
  builder.CreateCondBr(builder.CreateLoad(builder.getInt1Ty(), anyWaits), waiting, finished);
  builder.SetInsertPoint(waiting);
  builder.CreateCondBr(builder.CreateLoad(builder.getInt1Ty(), uniform), resolved, otherwise);
}

/// The shuffle site (index into step.sites) at which every thread that runs `region` stops, if
/// it stops at no other and cannot trap: its returns are that site's number and kStepExited
/// only. When every thread ran such a region loop, it goes straight on to the shuffle, whose
/// loop checks each lane anyway, without a pass tallying where the threads stopped.
std::optional<size_t> soleShuffleExit(const llvm::Function& region, const StepFunction& step) {
  std::optional<size_t> site;
  for (const llvm::BasicBlock& block : region) {
    auto* ret = llvm::dyn_cast<llvm::ReturnInst>(block.getTerminator());
    if (!ret)
      continue;
    auto* value = llvm::dyn_cast_or_null<llvm::ConstantInt>(ret->getReturnValue());
    if (!value)
      return std::nullopt;
    int64_t status = value->getSExtValue();
    if (status == kStepExited)
      continue;
    if (status < 1 || size_t(status) > step.sites.size() || (site && *site != size_t(status - 1)))
      return std::nullopt;
    site = size_t(status - 1);
  }
  if (!site || !isShuffle(step.sites[*site]))
    return std::nullopt;
  return site;
}

/// One shuffle of a warp chain and the region after it: for each lane, the lane whose operand it
/// gets (its own when the source is out of range) and whether the source was in range.
struct ChainLink {
  size_t site; // into step.sites; the region after it is the copy entered at site + 1
  std::vector<int> sources;
  std::vector<uint32_t> inRange;
  // The region may end elsewhere than at the next link (lanes exit, or stop at other sites):
  // the warp goes on only when every lane stops at the next link.
  bool mayLeave = false;
};

/// Shuffles resolved for a whole warp at once, with the regions between them run as vector code
/// (emitRegionForWarp): from shuffle `first`, as long as each is a whole-warp shuffle with
/// constant operands, the region after it has no loop, and the one site it can stop at (exits
/// aside) is the next.
using WarpChain = std::vector<ChainLink>;

std::optional<ChainLink> constantShuffle(llvm::LLVMContext& context, SiteKind kind,
                                         const ConstantShuffleOperands& operands, size_t site) {
  if (!isShuffle(kind) || operands.mask != ~0u || !operands.b || !operands.c)
    return std::nullopt;
  // Constant operands fold: nothing is inserted.
  llvm::IRBuilder<> folder(context);
  ChainLink link{site, {}, {}};
  for (uint32_t lane = 0; lane < kWarpLanes; ++lane) {
    ShuffleSource source =
        shuffleSource(folder, kind, folder.getInt32(lane), folder.getInt32(*operands.b),
                      folder.getInt32(*operands.c));
    auto* from = llvm::dyn_cast<llvm::ConstantInt>(source.lane);
    auto* inRange = llvm::dyn_cast<llvm::ConstantInt>(source.inRange);
    if (!from || !inRange)
      return std::nullopt;
    link.sources.push_back(inRange->isOne() ? int(from->getZExtValue()) : int(lane));
    link.inRange.push_back(uint32_t(inRange->getZExtValue()));
  }
  return link;
}

WarpChain warpChainFrom(size_t first, const StepFunction& step,
                        const std::vector<llvm::Function*>& copies) {
  WarpChain chain;
  std::set<size_t> seen;
  for (size_t site = first; seen.insert(site).second;) {
    std::optional<ChainLink> link = constantShuffle(copies[0]->getContext(), step.sites[site],
                                                    step.shuffleOperands[site], site);
    std::optional<std::set<int32_t>> statuses = warpVectorStatuses(*copies[site + 1]);
    if (!link || !statuses)
      break;
    chain.push_back(std::move(*link));
    bool mayExit = statuses->erase(kStepExited) > 0;
    if (statuses->size() != 1 || *statuses->begin() > int32_t(step.sites.size()))
      break;
    chain.back().mayLeave = mayExit;
    site = size_t(*statuses->begin() - 1);
  }
  return chain;
}

} // namespace

llvm::Function* buildBlockFunction(llvm::Function& kernel, const StepFunction& step) {
  llvm::LLVMContext& context = kernel.getContext();
  AbiTypes abi = AbiTypes::get(context);
  auto* ptr = llvm::PointerType::get(context, 0);
  auto* i32 = llvm::Type::getInt32Ty(context);
  auto* type = llvm::FunctionType::get(i32, {ptr, ptr}, false);
  auto* block = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                       kernel.getName() + ".block", kernel.getParent());
  block->addFnAttr(llvm::Attribute::NoUnwind);
  // Kernel stores cannot change the argument array or the block context (the runtime owns
  // both): without saying so, every store would force the special registers to be reloaded
  // and keep the thread loop from vectorizing.
  for (unsigned i = 0; i < 2; ++i) {
    block->addParamAttr(i, llvm::Attribute::NoAlias);
    block->addParamAttr(i, llvm::Attribute::ReadOnly);
  }
  // Both are whole, so loads from them may be hoisted out of the thread loops even from code
  // that only some threads run.
  const llvm::DataLayout& layout = kernel.getParent()->getDataLayout();
  block->addDereferenceableParamAttr(0, kernel.arg_size() * layout.getPointerSize());
  block->addDereferenceableParamAttr(1, layout.getTypeAllocSize(abi.block));
  // And aligned as their C++ types are: without it a load that only some threads run (the
  // shared-memory base in a branch) cannot be hoisted, and becomes a gather per thread.
  block->addParamAttr(0,
                      llvm::Attribute::getWithAlignment(context, layout.getPointerABIAlignment(0)));
  block->addParamAttr(
      1, llvm::Attribute::getWithAlignment(context, layout.getABITypeAlign(abi.block)));
  llvm::Value* args = block->getArg(0);
  llvm::Value* blockContext = block->getArg(1);

  llvm::IRBuilder<> builder(llvm::BasicBlock::Create(context, "entry", block));
  std::vector<llvm::Value*> callArgs;
  for (unsigned i = 0; i < kernel.arg_size(); ++i) {
    llvm::Value* slot = builder.CreateLoad(ptr, builder.CreateConstGEP1_32(ptr, args, i));
    // A byval aggregate is passed by address; the kernel reads its copy through the pointer.
    callArgs.push_back(kernel.hasParamAttribute(i, llvm::Attribute::ByVal)
                           ? slot
                           : builder.CreateLoad(kernel.getArg(i)->getType(), slot));
  }
  callArgs.push_back(blockContext);
  auto loadField = [&](BlockField field, int index) {
    llvm::Value* address = index < 0
                               ? builder.CreateStructGEP(abi.block, blockContext, field)
                               : builder.CreateConstGEP2_32(abi.block, blockContext, 0, field);
    if (index >= 0)
      address = builder.CreateConstGEP1_32(i32, address, index);
    bool isInt = field == kNthreadsField || field == kEntryField;
    llvm::Type* type = index < 0 && !isInt ? static_cast<llvm::Type*>(ptr) : i32;
    return builder.CreateLoad(type, address);
  };

  if (step.sites.empty()) {
    llvm::Value* ntid[3] = {loadField(kNtidField, 0), loadField(kNtidField, 1),
                            loadField(kNtidField, 2)};
    llvm::Value* null = llvm::ConstantPointerNull::get(ptr);
    llvm::BasicBlock* trapped = llvm::BasicBlock::Create(context, "trapped", block);
    auto threadLoop = [&](llvm::Function* stepFunction, llvm::Value* begin, llvm::Value* end,
                          llvm::Value* y, llvm::Value* z) {
      emitLoop(
          builder, begin, end, "x",
          [&](llvm::Value* x) {
            std::vector<llvm::Value*> all = callArgs;
            all.insert(all.end(), {null, null, x, y, z});
            llvm::Value* status = builder.CreateCall(stepFunction, all);
            llvm::BasicBlock* next = llvm::BasicBlock::Create(context, "x.next", block);
            builder.CreateCondBr(builder.CreateICmpEQ(status, builder.getInt32(kStepTrapped)),
                                 trapped, next);
            builder.SetInsertPoint(next);
          },
          /*signedIndex=*/false);
    };
    std::optional<GuardSplit> split;
    llvm::Function* prefix = nullptr;
    llvm::Function* suffix = nullptr;
    if (step.guard) {
      std::map<llvm::Value*, llvm::Value*> map;
      for (unsigned i = 0; i < kernel.arg_size(); ++i)
        map[step.function->getArg(i)] = callArgs[i];
      map[step.function->getArg(kernel.arg_size())] = blockContext;
      split = splitAtGuard(builder, *step.guard, map, ntid[0]);
      prefix = stepWithKnownGuard(step, split->prefixTrue);
      suffix = stepWithKnownGuard(step, !split->prefixTrue);
    }
    emitLoop(builder, ntid[2], "z", [&](llvm::Value* z) {
      emitLoop(builder, ntid[1], "y", [&](llvm::Value* y) {
        if (!split) {
          threadLoop(step.function, builder.getInt32(0), ntid[0], y, z);
          return;
        }
        llvm::BasicBlock* splitRows = llvm::BasicBlock::Create(context, "split", block);
        llvm::BasicBlock* plainRow = llvm::BasicBlock::Create(context, "plain", block);
        llvm::BasicBlock* joined = llvm::BasicBlock::Create(context, "joined", block);
        builder.CreateCondBr(split->monotonic, splitRows, plainRow);
        builder.SetInsertPoint(splitRows);
        threadLoop(prefix, builder.getInt32(0), split->point, y, z);
        threadLoop(suffix, split->point, ntid[0], y, z);
        builder.CreateBr(joined);
        builder.SetInsertPoint(plainRow);
        threadLoop(step.function, builder.getInt32(0), ntid[0], y, z);
        builder.CreateBr(joined);
        builder.SetInsertPoint(joined);
      });
    });
    builder.CreateRet(builder.getInt32(kStepExited));
    builder.SetInsertPoint(trapped);
    builder.CreateRet(builder.getInt32(kStepTrapped));
    return block;
  }

  llvm::Value* threads = loadField(kThreadsField, -1);
  llvm::Value* frames = loadField(kFramesField, -1);
  llvm::Value* count = loadField(kNthreadsField, -1);
  llvm::Value* wholeWarps =
      builder.CreateICmpEQ(builder.CreateAnd(count, builder.getInt32(31)), builder.getInt32(0));
  llvm::Value* ntid[3] = {loadField(kNtidField, 0), loadField(kNtidField, 1),
                          loadField(kNtidField, 2)};
  // The thread states as one array per field (threadField in Lowering.h), on this call's stack:
  // region loops and generated collectives load and store them as vectors, and the optimizer
  // sees that kernel memory cannot alias them. The runtime's ThreadState records are copied in
  // when a call resumes what the runtime resolved and copied back before it is entered.
  auto* lanes = builder.CreateAlloca(
      i32, builder.CreateMul(count, builder.getInt32(kThreadStateRows)), "lanes");
  lanes->setAlignment(llvm::Align(64));
  LaneFields laneField = [&](ThreadField field, llvm::Value* t) {
    return threadField(builder, builder.CreateInBoundsGEP(i32, lanes, t), blockContext, field);
  };
  auto recordField = [&](ThreadField field, llvm::Value* t) {
    return builder.CreateStructGEP(abi.thread, builder.CreateInBoundsGEP(abi.thread, threads, t),
                                   field);
  };
  // Copies `fields` of every thread between the records and the arrays.
  auto copyFields = [&](std::initializer_list<ThreadField> fields, bool toLanes) {
    emitLoop(builder, count, toLanes ? "to.lanes" : "to.records", [&](llvm::Value* t) {
      for (ThreadField field : fields) {
        llvm::Value* record = recordField(field, t);
        llvm::Value* lane = laneField(field, t);
        builder.CreateStore(builder.CreateLoad(i32, toLanes ? record : lane),
                            toLanes ? lane : record);
      }
    });
  };
  // What the step functions and collectives write and the runtime reads, and the reverse.
  auto toRecords = [&] {
    copyFields({kStatusField, kMaskField, kValueField, kValueHiField, kBField, kCField}, false);
  };
  auto toLanes = [&](std::initializer_list<ThreadField> fields) { copyFields(fields, true); };
  // Where the threads stopped, gathered during a pass as the lowest and highest status, exited
  // threads (0) left out of the lowest: equal when every thread that has not exited stopped at
  // the same site. When that is a plain __syncthreads, the next pass is that barrier's region
  // loop, without going back to the runtime (Collectives.cpp decides everything else). Minimum
  // and maximum, unlike "the first site seen", are reductions the loop vectorizer can do.
  llvm::Value* lowest = builder.CreateAlloca(i32, nullptr, "lowest");
  llvm::Value* highest = builder.CreateAlloca(i32, nullptr, "highest");
  llvm::Value* entry = loadField(kEntryField, -1);
  llvm::BasicBlock* general = llvm::BasicBlock::Create(context, "general", block);
  llvm::BasicBlock* toRuntime = llvm::BasicBlock::Create(context, "to.runtime", block);
  llvm::BasicBlock* fromRuntime = llvm::BasicBlock::Create(context, "from.runtime", block);
  llvm::BasicBlock* dispatch = llvm::BasicBlock::Create(context, "dispatch", block);
  // Whether every thread that has not exited runs the next region: at the kernel's start, and
  // after a pass that tallied every thread found them all at one site; not when the runtime or
  // the general pass hands over, since threads may then wait at other sites.
  llvm::Value* gathered = builder.CreateAlloca(builder.getInt1Ty(), nullptr, "gathered");
  builder.CreateStore(builder.CreateICmpEQ(entry, builder.getInt32(0)), gathered);
  // From the start nothing is read before it is written; after the runtime resolved sites,
  // where each thread stopped and what it got back are, and the operands of the threads still
  // waiting (they do not run in this call, and toRecords writes every thread's back).
  builder.CreateCondBr(builder.CreateICmpEQ(entry, builder.getInt32(0)), dispatch, fromRuntime);
  builder.SetInsertPoint(fromRuntime);
  toLanes({kResumeField, kStatusField, kResultField, kResultPredicateField, kMaskField, kValueField,
           kValueHiField, kBField, kCField});
  builder.CreateBr(dispatch);
  builder.SetInsertPoint(dispatch);
  std::vector<llvm::BasicBlock*> regions;
  llvm::SwitchInst* entries = builder.CreateSwitch(entry, general);
  for (size_t site = 0; site <= step.sites.size(); ++site) {
    regions.push_back(llvm::BasicBlock::Create(context, "region" + llvm::Twine(site), block));
    entries->addCase(builder.getInt32(uint32_t(site)), regions.back());
  }

  llvm::FunctionCallee warpSiteHook = kernel.getParent()->getOrInsertFunction(
      kWarpSiteHook, llvm::FunctionType::get(i32, {ptr, i32}, false));
  std::vector<llvm::BasicBlock*> warpSites;
  for (size_t i = 0; i < step.sites.size(); ++i)
    warpSites.push_back(
        !isWarpCollective(step.sites[i])
            ? nullptr
            : llvm::BasicBlock::Create(context, "warp" + llvm::Twine(i + 1), block));
  auto startPass = [&] {
    builder.CreateStore(builder.getInt32(INT32_MAX), lowest);
    builder.CreateStore(builder.getInt32(INT32_MIN), highest);
  };
  // Folds a thread's status into the pass's lowest and highest. A trap (negative) never leaves
  // the pass uniform at a site.
  auto tally = [&](llvm::Value* status) {
    llvm::Value* exited = builder.CreateICmpEQ(status, builder.getInt32(kStepExited));
    llvm::Value* key = builder.CreateSelect(exited, builder.getInt32(INT32_MAX), status);
    builder.CreateStore(
        builder.CreateBinaryIntrinsic(llvm::Intrinsic::smin, builder.CreateLoad(i32, lowest), key),
        lowest);
    builder.CreateStore(builder.CreateBinaryIntrinsic(llvm::Intrinsic::smax,
                                                      builder.CreateLoad(i32, highest), status),
                        highest);
  };
  // Runs one thread and records where it stopped; `tallied` threads are also folded into the
  // pass's lowest and highest at once.
  auto runThread = [&](llvm::Function* stepFunction, llvm::Value* t,
                       llvm::ArrayRef<llvm::Value*> tid, bool tallied) {
    std::vector<llvm::Value*> all = callArgs;
    all.insert(all.end(), {builder.CreateInBoundsGEP(i32, lanes, t), frames});
    all.insert(all.end(), tid.begin(), tid.end());
    llvm::Value* status = builder.CreateCall(stepFunction, all);
    builder.CreateStore(status, laneField(kStatusField, t));
    if (tallied)
      tally(status);
  };
  // After a pass: done when no thread waits anywhere (the usual end of a block, which then
  // costs the runtime nothing: no records written back, nothing resolved), else on to the next
  // barrier's region loop, or back to the runtime. Only a pass that tallied every thread
  // (`everyThread`) can tell it is done: the general pass tallies the threads it ran, not
  // those still waiting at other sites.
  llvm::BasicBlock* finished = llvm::BasicBlock::Create(context, "finished", block);
  auto endPass = [&](bool everyThread) {
    llvm::BasicBlock* uniform = llvm::BasicBlock::Create(context, "uniform", block);
    llvm::Value* site = builder.CreateLoad(i32, highest);
    if (everyThread) {
      llvm::BasicBlock* waiting = llvm::BasicBlock::Create(context, "waiting", block);
      builder.CreateCondBr(builder.CreateICmpSLE(site, builder.getInt32(kStepExited)), finished,
                           waiting);
      builder.SetInsertPoint(waiting);
    }
    builder.CreateCondBr(builder.CreateICmpEQ(builder.CreateLoad(i32, lowest), site), uniform,
                         toRuntime);
    builder.SetInsertPoint(uniform);
    builder.CreateStore(builder.getInt1(everyThread), gathered);
    llvm::SwitchInst* next = builder.CreateSwitch(site, toRuntime);
    for (size_t i = 0; i < step.sites.size(); ++i)
      if (step.sites[i] == SiteKind::Barrier)
        next->addCase(builder.getInt32(uint32_t(i + 1)), regions[i + 1]);
      else if (isWarpCollective(step.sites[i]))
        next->addCase(builder.getInt32(uint32_t(i + 1)), warpSites[i]);
  };
  // Where every thread stopped, tallied in a loop of its own, then the pass's end. Where the
  // pass's code can end only at one status (`known`: one site, or 0 when every thread exits)
  // there is nothing to tally: the threads that did not run have exited (a region is entered
  // only when every other thread has), and some thread ran.
  // `unlessSet`, where given, names an i1 that, once set, leaves the known status unsure.
  auto tallyEveryThread = [&](std::optional<int32_t> known, llvm::Value* unlessSet = nullptr) {
    auto tallyLoop = [&] {
      declareThreadsIndependent(emitLoop(builder, count, "tally", [&](llvm::Value* t) {
        tally(builder.CreateLoad(i32, laneField(kStatusField, t)));
      }));
    };
    auto storeKnown = [&] {
      builder.CreateStore(builder.getInt32(*known == kStepExited ? INT32_MAX : *known), lowest);
      builder.CreateStore(builder.getInt32(*known), highest);
    };
    if (!known) {
      tallyLoop();
    } else if (!unlessSet) {
      storeKnown();
    } else {
      llvm::BasicBlock* sure = llvm::BasicBlock::Create(context, "known", block);
      llvm::BasicBlock* unsure = llvm::BasicBlock::Create(context, "unsure", block);
      llvm::BasicBlock* tallied = llvm::BasicBlock::Create(context, "tallied", block);
      builder.CreateCondBr(builder.CreateLoad(builder.getInt1Ty(), unlessSet), unsure, sure);
      builder.SetInsertPoint(sure);
      storeKnown();
      builder.CreateBr(tallied);
      builder.SetInsertPoint(unsure);
      tallyLoop();
      builder.CreateBr(tallied);
      builder.SetInsertPoint(tallied);
    }
    endPass(/*everyThread=*/true);
  };
  // The step function entered at each site (0: the kernel's start), for the region loops and
  // the warp chains.
  std::vector<llvm::Function*> copies;
  for (size_t site = 0; site < regions.size(); ++site)
    copies.push_back(stepEnteringAt(step, int32_t(site)));
  bool chainsAllowed = step.sites.size() < kOutlinedSites;
  if (chainsAllowed)
    prepareCopiesForWarps(copies);
  // The one status every lane ends a warp loop at, if its code allows no other: no warp stops
  // between the links, and the last region returns one status (a site, or exited). A head
  // entered at a barrier may leave lanes that exited before it beside the others, and a warp
  // with exited lanes stops before the chain. Where warps may stop but the chain ends in exits,
  // every thread has exited as long as no warp stopped with a lane waiting at a shuffle
  // (`unlessStopped`): a warp stops only where its lanes wait at the next link or have exited.
  struct WarpLoopEnd {
    int32_t status;
    bool unlessStopped;
  };
  auto soleStatus = [&](const llvm::Function& region) -> std::optional<int32_t> {
    std::optional<std::set<int32_t>> statuses = warpVectorStatuses(region);
    if (!statuses || statuses->size() != 1 || *statuses->begin() < kStepExited)
      return std::nullopt;
    return *statuses->begin();
  };
  auto warpLoopEnd = [&](std::optional<size_t> head,
                         const WarpChain& chain) -> std::optional<WarpLoopEnd> {
    if (chain.empty()) {
      std::optional<int32_t> status = soleStatus(*copies[*head]);
      return status ? std::optional(WarpLoopEnd{*status, false}) : std::nullopt;
    }
    std::optional<int32_t> last = soleStatus(*copies[chain.back().site + 1]);
    if (!last)
      return std::nullopt;
    bool mayStop = head && (*head != 0 || soleStatus(*copies[*head]) != int32_t(chain[0].site + 1));
    for (size_t i = 0; i + 1 < chain.size(); ++i)
      mayStop |= chain[i].mayLeave;
    if (!mayStop)
      return WarpLoopEnd{*last, false};
    if (*last == kStepExited)
      return WarpLoopEnd{kStepExited, true};
    return std::nullopt;
  };
  // A warp loop runs, warp by warp, a region entered at a barrier or the kernel's start (the
  // head, under the mask of the lanes waiting there), then a chain of shuffles (possibly none),
  // each a permutation of the operands' vector, and the regions after them as vector code. Only
  // where the block is whole warps and each warp lies within one row (ntid.x a multiple of 32, so
  // its lanes share y and z); a chain without a head also needs each warp's lanes all waiting at
  // its first shuffle or all exited (those warps are skipped). Otherwise `otherwise`: the loop over
  // the threads.
  auto emitWarpLoop = [&](std::optional<size_t> head, const WarpChain& chain,
                          llvm::BasicBlock* otherwise) {
    auto* lanesVector = llvm::FixedVectorType::get(i32, kWarpLanes);
    auto splat = [&](size_t status) {
      return builder.CreateVectorSplat(kWarpLanes, builder.getInt32(uint32_t(status)));
    };
    llvm::Value* warpCount = builder.CreateLShr(count, 5);
    llvm::Value* warpRows = builder.CreateICmpEQ(
        builder.CreateURem(ntid[0], builder.getInt32(kWarpLanes)), builder.getInt32(0));
    llvm::BasicBlock* warps = llvm::BasicBlock::Create(context, "warp.loop", block);
    if (head) {
      builder.CreateCondBr(builder.CreateAnd(wholeWarps, warpRows), warps, otherwise);
    } else {
      llvm::BasicBlock* check = llvm::BasicBlock::Create(context, "chain.check", block);
      builder.CreateCondBr(builder.CreateAnd(wholeWarps, warpRows), check, otherwise);
      builder.SetInsertPoint(check);
      llvm::IRBuilder<> entryBuilder(&*block->getEntryBlock().getFirstInsertionPt());
      llvm::Value* fits = entryBuilder.CreateAlloca(builder.getInt1Ty(), nullptr, "chain.fits");
      builder.CreateStore(builder.getTrue(), fits);
      emitLoop(builder, warpCount, "chain.w", [&](llvm::Value* warp) {
        llvm::Value* statuses = builder.CreateLoad(
            lanesVector, laneField(kStatusField, builder.CreateShl(warp, 5, "", true, true)));
        auto every = [&](size_t status) {
          return builder.CreateAndReduce(builder.CreateICmpEQ(statuses, splat(status)));
        };
        builder.CreateStore(
            builder.CreateAnd(builder.CreateLoad(builder.getInt1Ty(), fits),
                              builder.CreateOr(every(chain[0].site + 1), every(kStepExited))),
            fits);
      });
      builder.CreateCondBr(builder.CreateLoad(builder.getInt1Ty(), fits), warps, otherwise);
    }
    builder.SetInsertPoint(warps);
    std::optional<WarpLoopEnd> end = warpLoopEnd(head, chain);
    // Set when a warp stops with a lane waiting at a shuffle, where that leaves the end unsure.
    llvm::Value* stoppedWaiting = nullptr;
    if (end && end->unlessStopped) {
      stoppedWaiting = llvm::IRBuilder<>(&*block->getEntryBlock().getFirstInsertionPt())
                           .CreateAlloca(builder.getInt1Ty(), nullptr, "stopped.waiting");
      builder.CreateStore(builder.getFalse(), stoppedWaiting);
    }
    // Warps row by row: each row's y and z once, not a division per warp.
    auto forEachWarp = [&](const std::function<void(llvm::Value*, llvm::Value*, llvm::Value*,
                                                    llvm::Value*)>& body) {
      emitLoop(builder, builder.CreateMul(ntid[1], ntid[2]), "row", [&](llvm::Value* row) {
        llvm::Value* y = builder.CreateURem(row, ntid[1]);
        llvm::Value* z = builder.CreateUDiv(row, ntid[1]);
        llvm::Value* rowStart = builder.CreateMul(row, ntid[0], "", true, true);
        emitLoop(builder, builder.CreateLShr(ntid[0], 5), "warp", [&](llvm::Value* warp) {
          llvm::Value* x = builder.CreateShl(warp, 5, "", /*HasNUW=*/true, /*HasNSW=*/true);
          body(builder.CreateAdd(rowStart, x, "", true, true), x, y, z);
        });
      });
    };
    forEachWarp([&](llvm::Value* t, llvm::Value* x, llvm::Value* y, llvm::Value* z) {
      llvm::BasicBlock* run = llvm::BasicBlock::Create(context, "warp.run", block);
      llvm::BasicBlock* ran = llvm::BasicBlock::Create(context, "warp.ran", block);
      // The lanes that run the head; none of the kernel's start has a status yet.
      llvm::Value* before = nullptr;
      llvm::Value* entering = nullptr;
      if (!head) {
        builder.CreateCondBr(
            builder.CreateICmpEQ(builder.CreateLoad(i32, laneField(kStatusField, t)),
                                 builder.getInt32(uint32_t(chain[0].site + 1))),
            run, ran);
      } else if (*head == 0) {
        builder.CreateBr(run);
      } else {
        before = builder.CreateLoad(lanesVector, laneField(kStatusField, t));
        entering = builder.CreateICmpEQ(before, splat(*head));
        builder.CreateCondBr(builder.CreateOrReduce(entering), run, ran);
      }
      builder.SetInsertPoint(run);
      WarpArguments arguments{callArgs, builder.CreateInBoundsGEP(i32, lanes, t), frames, x, y, z};
      // Between links a region's exit leaves the next shuffle's operands in registers, and
      // the lanes' statuses: stored only where the warp stops, as a link's would be overwritten
      // by the next (the optimizer cannot see that, the status and frame arrays being indexed
      // by the block's thread count). The warp goes on only when all its lanes wait at that
      // shuffle; if not, it stops, storing the operands as the exit would have.
      auto goOnIfAllAt = [&](llvm::Value* statuses, llvm::Value* operand, size_t site) {
        llvm::BasicBlock* next = llvm::BasicBlock::Create(context, "warp.next", block);
        llvm::BasicBlock* stop = llvm::BasicBlock::Create(context, "warp.stop", block);
        llvm::Value* atSite = builder.CreateICmpEQ(statuses, splat(site));
        builder.CreateCondBr(builder.CreateAndReduce(atSite), next, stop);
        builder.SetInsertPoint(stop);
        builder.CreateStore(statuses, laneField(kStatusField, t));
        // Only a lane waiting at the shuffle has operands (a warp whose lanes all exited, as
        // those past a block's first warp often do, stores none).
        llvm::BasicBlock* operands = llvm::BasicBlock::Create(context, "warp.operands", block);
        builder.CreateCondBr(builder.CreateOrReduce(atSite), operands, ran);
        builder.SetInsertPoint(operands);
        if (stoppedWaiting)
          builder.CreateStore(builder.getTrue(), stoppedWaiting);
        const ConstantShuffleOperands& constants = step.shuffleOperands[site - 1];
        builder.CreateStore(operand, laneField(kValueField, t));
        builder.CreateStore(splat(*constants.mask), laneField(kMaskField, t));
        builder.CreateStore(splat(*constants.b), laneField(kBField, t));
        builder.CreateStore(splat(*constants.c), laneField(kCField, t));
        builder.CreateBr(ran);
        builder.SetInsertPoint(next);
      };
      llvm::Value* operand = nullptr; // the next link's shuffle operand
      if (head) {
        WarpRegion region = emitRegionForWarp(builder, *copies[*head], arguments, entering,
                                              {.keepOperands = chain.empty()});
        llvm::Value* statuses =
            entering ? builder.CreateSelect(entering, region.statuses, before) : region.statuses;
        if (chain.empty())
          builder.CreateStore(statuses, laneField(kStatusField, t));
        else
          goOnIfAllAt(statuses, region.operand, chain[0].site + 1);
        operand = region.operand;
      } else {
        operand = builder.CreateLoad(lanesVector, laneField(kValueField, t));
      }
      for (size_t i = 0; i < chain.size(); ++i) {
        const ChainLink& link = chain[i];
        bool last = i + 1 == chain.size();
        assert(operand && "a shuffle's exit stores its operand");
        WarpRegion region = emitRegionForWarp(
            builder, *copies[link.site + 1], arguments, nullptr,
            {.result = builder.CreateShuffleVector(operand, link.sources),
             .resultPredicate = llvm::ConstantDataVector::get(context, link.inRange),
             .keepOperands = last});
        if (last)
          builder.CreateStore(region.statuses, laneField(kStatusField, t));
        else if (link.mayLeave)
          goOnIfAllAt(region.statuses, region.operand, chain[i + 1].site + 1);
        operand = region.operand;
      }
      builder.CreateBr(ran);
      builder.SetInsertPoint(ran);
    });
    // Where the warps stopped, as after a region loop.
    startPass();
    tallyEveryThread(end ? std::optional(end->status) : std::nullopt, stoppedWaiting);
  };

  // A region entered at the kernel's start or a barrier that heads no chain, in blocks 16
  // threads wide (the usual 16x16 tiles, where a GPU warp spans two rows): each row as one warp
  // whose lanes past 16 are masked off, with ntid.x known to be 16. Its lanes need not be a GPU
  // warp's, as the region has no warp collective. Half the vector idles, which still beats a
  // loop over the threads that the loop vectorizer mostly leaves scalar.
  auto emitHalfRowWarps = [&](size_t head) {
    constexpr uint32_t kRowWidth = 16;
    auto* lanesVector = llvm::FixedVectorType::get(i32, kWarpLanes);
    std::vector<llvm::Constant*> rowLanes;
    for (uint32_t lane = 0; lane < kWarpLanes; ++lane)
      rowLanes.push_back(builder.getInt1(lane < kRowWidth));
    llvm::Value* inRow = llvm::ConstantVector::get(rowLanes);
    llvm::Value* x = builder.getInt32(0);
    emitLoop(builder, builder.CreateMul(ntid[1], ntid[2]), "half.row", [&](llvm::Value* row) {
      llvm::Value* y = builder.CreateURem(row, ntid[1]);
      llvm::Value* z = builder.CreateUDiv(row, ntid[1]);
      llvm::Value* t = builder.CreateMul(row, builder.getInt32(kRowWidth), "", true, true);
      llvm::Value* statusField = laneField(kStatusField, t);
      llvm::BasicBlock* run = llvm::BasicBlock::Create(context, "half.row.run", block);
      llvm::BasicBlock* ran = llvm::BasicBlock::Create(context, "half.row.ran", block);
      // The lanes that run the region; none of the kernel's start has a status yet.
      llvm::Value* before = nullptr;
      llvm::Value* entering = inRow;
      if (head == 0) {
        builder.CreateBr(run);
      } else {
        before = builder.CreateMaskedLoad(lanesVector, statusField, llvm::Align(4), inRow);
        entering = builder.CreateAnd(
            inRow, builder.CreateICmpEQ(before, builder.CreateVectorSplat(
                                                    kWarpLanes, builder.getInt32(uint32_t(head)))));
        builder.CreateCondBr(builder.CreateOrReduce(entering), run, ran);
      }
      builder.SetInsertPoint(run);
      WarpArguments arguments{callArgs, builder.CreateInBoundsGEP(i32, lanes, t), frames, x, y, z,
                              kRowWidth};
      WarpRegion region =
          emitRegionForWarp(builder, *copies[head], arguments, entering, {.keepOperands = true});
      llvm::Value* statuses =
          before ? builder.CreateSelect(entering, region.statuses, before) : region.statuses;
      builder.CreateMaskedStore(statuses, statusField, llvm::Align(4), inRow);
      builder.CreateBr(ran);
      builder.SetInsertPoint(ran);
    });
    startPass();
    tallyEveryThread(soleStatus(*copies[head]));
  };

  // Chains start only at shuffles no other chain runs through, so their code grows with the
  // kernel, not with the square of a chain's length; not where passes become functions, as a
  // chain would cross them.
  // A region entered at the kernel's start or a barrier that can run as vector code runs as a
  // warp loop (warpRegion); if it ends at a chain's first shuffle (exits aside), it heads that
  // chain.
  std::vector<WarpChain> chains(step.sites.size()), headed(regions.size());
  std::vector<bool> inside(step.sites.size()), warpRegion(regions.size());
  for (size_t site = 0; site < regions.size() && chainsAllowed; ++site) {
    if (site > 0 && isWarpCollective(step.sites[site - 1]))
      continue;
    std::optional<std::set<int32_t>> statuses = warpVectorStatuses(*copies[site]);
    if (!statuses)
      continue;
    warpRegion[site] = true;
    statuses->erase(kStepExited);
    if (statuses->size() != 1)
      continue;
    size_t next = size_t(*statuses->begin());
    headed[site] = warpChainFrom(next - 1, step, copies);
    for (const ChainLink& link : headed[site])
      inside[link.site] = true;
  }
  for (size_t i = 0; i < step.sites.size() && chainsAllowed; ++i) {
    chains[i] = warpChainFrom(i, step, copies);
    for (size_t link = 1; link < chains[i].size(); ++link)
      inside[chains[i][link].site] = true;
  }
  for (size_t i = 0; i < step.sites.size(); ++i) {
    if (!isWarpCollective(step.sites[i]))
      continue;
    builder.SetInsertPoint(warpSites[i]);
    if (isShuffle(step.sites[i])) {
      const WarpChain& chain = chains[i];
      if (!chain.empty() && !inside[i]) {
        llvm::BasicBlock* each = llvm::BasicBlock::Create(context, "shfl.each", block);
        emitWarpLoop(std::nullopt, chain, each);
        builder.SetInsertPoint(each);
      }
      llvm::BasicBlock* hook = llvm::BasicBlock::Create(context, "warp.hook", block);
      emitWholeWarpShuffle(builder, step.sites[i], int32_t(i + 1), step.shuffleOperands[i],
                           laneField, count, wholeWarps, regions[i + 1], hook, finished);
      builder.SetInsertPoint(hook);
    }
    toRecords();
    llvm::Value* resolved =
        builder.CreateCall(warpSiteHook, {blockContext, builder.getInt32(uint32_t(i + 1))});
    llvm::BasicBlock* results = llvm::BasicBlock::Create(context, "warp.results", block);
    builder.CreateCondBr(builder.CreateICmpNE(resolved, builder.getInt32(0)), results, toRuntime);
    builder.SetInsertPoint(results);
    toLanes({kResultField, kResultPredicateField});
    builder.CreateBr(regions[i + 1]);
  }

  // The general pass: each runnable thread from its own resume site.
  builder.SetInsertPoint(general);
  startPass();
  emitLoop(builder, count, "t", [&](llvm::Value* t) {
    llvm::Value* thread = builder.CreateInBoundsGEP(abi.thread, threads, t);
    llvm::Value* runnable = builder.CreateStructGEP(abi.thread, thread, kRunnableField);
    llvm::BasicBlock* run = llvm::BasicBlock::Create(context, "run", block);
    llvm::BasicBlock* ran = llvm::BasicBlock::Create(context, "ran", block);
    builder.CreateCondBr(
        builder.CreateICmpNE(builder.CreateLoad(i32, runnable), builder.getInt32(0)), run, ran);
    builder.SetInsertPoint(run);
    builder.CreateStore(builder.getInt32(0), runnable);
    llvm::Value* tidField = builder.CreateStructGEP(abi.thread, thread, kTidField);
    std::vector<llvm::Value*> tid;
    for (unsigned axis = 0; axis < 3; ++axis)
      tid.push_back(builder.CreateLoad(i32, builder.CreateConstInBoundsGEP2_32(
                                                llvm::ArrayType::get(i32, 3), tidField, 0, axis)));
    runThread(step.function, t, tid, /*tallied=*/true);
    builder.CreateBr(ran);
    builder.SetInsertPoint(ran);
  });
  endPass(/*everyThread=*/false);

  // One region loop per entry point: every thread that stopped at the site (all threads for
  // the kernel's start) runs the code up to its next site. The step function entered at a
  // fixed site is straight code in a loop nest over the thread index, which the optimizer
  // keeps in registers and can vectorize, instead of a dispatch per thread.
  for (size_t site = 0; site < regions.size(); ++site) {
    builder.SetInsertPoint(regions[site]);
    if (warpRegion[site]) {
      llvm::BasicBlock* each = llvm::BasicBlock::Create(context, "region.each", block);
      emitWarpLoop(site, headed[site], each);
      builder.SetInsertPoint(each);
      // Only kernels written for blocks of rows get it.
      if (headed[site].empty() && step.readsRows) {
        llvm::BasicBlock* halfRows = llvm::BasicBlock::Create(context, "half.rows", block);
        llvm::BasicBlock* threads = llvm::BasicBlock::Create(context, "region.threads", block);
        builder.CreateCondBr(builder.CreateICmpEQ(ntid[0], builder.getInt32(16)), halfRows,
                             threads);
        builder.SetInsertPoint(halfRows);
        emitHalfRowWarps(site);
        builder.SetInsertPoint(threads);
      }
    }
    startPass();
    llvm::Function* region = copies[site];
    bool independent = !threadsMayCommunicate(*region);
    emitLoop(builder, ntid[2], "z", [&](llvm::Value* z) {
      emitLoop(builder, ntid[1], "y", [&](llvm::Value* y) {
        // t as the step function computes it, so that both fold to one induction variable.
        llvm::Value* row = linearThreadIndex(builder, ntid, {builder.getInt32(0), y, z});
        llvm::BranchInst* backEdge = emitLoop(builder, ntid[0], "x", [&](llvm::Value* x) {
          llvm::Value* t = builder.CreateAdd(row, x, "", /*HasNUW=*/true, /*HasNSW=*/true);
          if (site == 0) {
            runThread(region, t, {x, y, z}, /*tallied=*/false);
            return;
          }
          llvm::BasicBlock* run = llvm::BasicBlock::Create(context, "run", block);
          llvm::BasicBlock* ran = llvm::BasicBlock::Create(context, "ran", block);
          llvm::Value* status = builder.CreateLoad(i32, laneField(kStatusField, t));
          builder.CreateCondBr(builder.CreateICmpEQ(status, builder.getInt32(uint32_t(site))), run,
                               ran);
          builder.SetInsertPoint(run);
          runThread(region, t, {x, y, z}, /*tallied=*/false);
          builder.CreateBr(ran);
          builder.SetInsertPoint(ran);
        });
        if (independent)
          declareThreadsIndependent(backEdge);
      });
    });
    // Only a block of whole warps: the shuffle's loop, which notices a block whose threads all
    // exited, runs only then (the runtime's hook would resolve nothing and go round a loop's
    // regions for ever).
    if (std::optional<size_t> shuffle = soleShuffleExit(*region, step)) {
      llvm::BasicBlock* tallied = llvm::BasicBlock::Create(context, "tallied", block);
      builder.CreateCondBr(
          builder.CreateAnd(builder.CreateLoad(builder.getInt1Ty(), gathered), wholeWarps),
          warpSites[*shuffle], tallied);
      builder.SetInsertPoint(tallied);
    }
    // Where the threads stopped, tallied in a loop of its own: a minimum and maximum carried
    // through the region loop are reductions the loop vectorizer rejects there (their values
    // leave the loop nest), and they kept every region loop scalar. The threads that did not
    // run have exited (status 0, the runtime enters a region only when every other thread
    // has), which changes neither the lowest nor whether the pass ends at one site.
    tallyEveryThread(std::nullopt);
  }
  builder.SetInsertPoint(toRuntime);
  toRecords();
  builder.CreateRet(builder.getInt32(kBlockWaiting));
  builder.SetInsertPoint(finished);
  builder.CreateRet(builder.getInt32(kStepExited));
  // Only now: the region copies are made from the step function and take its attributes.
  copies.push_back(step.function);
  inlineWithinBudget(copies);
  if (step.sites.size() >= kOutlinedSites) {
    std::vector<llvm::BasicBlock*> passes = regions;
    std::ranges::copy_if(warpSites, std::back_inserter(passes), [](auto* b) { return b; });
    passes.push_back(general);
    outlinePasses(*block, passes, {dispatch, fromRuntime, toRuntime, finished});
  }
  return block;
}

} // namespace drawbridge::backend::cpu

// Every site costs a region of the block function (a loop nest over the threads, and its share
// of the optimizer's time and memory). An emulated mma or ldmatrix trades its fragments with
// dozens of full-warp shfl.sync that do not depend on one another, one after the other in one
// block, so mma-heavy kernels (ggml's quantized matmuls) had tens of thousands of sites. Such a
// run of shuffles becomes one site here: each lane stores its operands in a frame buffer as it
// reaches each shuffle, the warp meets once at a bar.warp.sync, and then each lane reads its
// source lanes' operands from their buffers.
//
// A lane that has gone on past the meeting may store the next run's operands before a slower
// lane of its warp has read this run's, so the buffer has two halves used in turn (a per-thread
// count of meetings picks the half). One half is enough of a lead: a lane cannot pass the next
// meeting before every lane of its warp reaches it, having read this run's operands.
#include "Lowering.h"

#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/IR/IntrinsicsNVPTX.h>
#include <llvm/IR/PatternMatch.h>

namespace drawbridge::backend::cpu {

ShuffleSource shuffleSource(llvm::IRBuilder<>& builder, SiteKind kind, llvm::Value* lane,
                            llvm::Value* b, llvm::Value* c) {
  llvm::Value* offset = builder.CreateAnd(b, builder.getInt32(31));
  llvm::Value* segment = builder.CreateAnd(builder.CreateLShr(c, 8), builder.getInt32(31));
  llvm::Value* outside = builder.CreateNot(segment);
  llvm::Value* minLane = builder.CreateAnd(lane, segment);
  llvm::Value* maxLane = builder.CreateOr(
      minLane, builder.CreateAnd(builder.CreateAnd(c, builder.getInt32(31)), outside));
  switch (kind) {
  case SiteKind::ShflUp: {
    llvm::Value* source = builder.CreateSub(lane, offset);
    return {source, builder.CreateICmpSGE(source, maxLane)};
  }
  case SiteKind::ShflDown: {
    llvm::Value* source = builder.CreateAdd(lane, offset);
    return {source, builder.CreateICmpSLE(source, maxLane)};
  }
  case SiteKind::ShflBfly: {
    llvm::Value* source = builder.CreateXor(lane, offset);
    return {source, builder.CreateICmpSLE(source, maxLane)};
  }
  default: { // idx
    llvm::Value* source = builder.CreateOr(minLane, builder.CreateAnd(offset, outside));
    return {source, builder.CreateICmpSLE(source, maxLane)};
  }
  }
}

namespace {

/// A shuffle that can join a run: every lane of the warp takes part (mask ~0).
bool isBatchable(llvm::Instruction& instruction) {
  auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction);
  if (!call)
    return false;
  std::optional<SiteKind> kind = classifyCollective(*call);
  return kind && isShuffle(*kind) &&
         llvm::PatternMatch::match(call->getArgOperand(0), llvm::PatternMatch::m_AllOnes());
}

/// Computes nothing but its result: it can wait until after the meeting.
bool isPure(const llvm::Instruction& instruction) {
  return !instruction.mayReadOrWriteMemory() && !instruction.mayHaveSideEffects() &&
         !instruction.isTerminator() && !llvm::isa<llvm::PHINode, llvm::AllocaInst>(instruction);
}

/// Shuffles of one block that meet together, and the pure computations from their results
/// between the first and the last of them, which move after the meeting.
struct Run {
  std::vector<llvm::CallInst*> shuffles;
  std::vector<llvm::Instruction*> deferred;
};

/// Scans `block` for runs of two or more shuffles: a run ends at a shuffle whose operands need
/// an earlier one's result, at an instruction that is not pure and needs one, at a call that
/// is a collective or has side effects, and at the block's end.
void findRuns(llvm::BasicBlock& block, std::vector<Run>& runs) {
  Run run;
  llvm::SmallPtrSet<llvm::Value*, 32> results; // the run's results and what is computed from them
  auto close = [&] {
    // Deferred instructions after the last shuffle are already after the meeting.
    if (!run.shuffles.empty())
      std::erase_if(run.deferred, [&](llvm::Instruction* instruction) {
        return run.shuffles.back()->comesBefore(instruction);
      });
    if (run.shuffles.size() > 1)
      runs.push_back(std::move(run));
    run = Run();
    results.clear();
  };
  auto needsResult = [&](llvm::Instruction& instruction) {
    return llvm::any_of(instruction.operands(),
                        [&](llvm::Value* operand) { return results.contains(operand); });
  };
  for (llvm::Instruction& instruction : block) {
    bool needs = needsResult(instruction);
    if (isBatchable(instruction)) {
      if (needs)
        close();
      run.shuffles.push_back(llvm::cast<llvm::CallInst>(&instruction));
      results.insert(&instruction);
    } else if (needs && isPure(instruction)) {
      run.deferred.push_back(&instruction);
      results.insert(&instruction);
    } else if (needs || instruction.isTerminator()) {
      close();
    } else if (auto* call = llvm::dyn_cast<llvm::CallBase>(&instruction);
               call && (call->isConvergent() || call->mayHaveSideEffects())) {
      close();
    }
  }
  close();
}

llvm::Value* readRegister(llvm::IRBuilder<>& builder, llvm::Intrinsic::ID id) {
  return builder.CreateIntrinsic(id, {}, {});
}

/// Rewrites one run (see the file comment). `buffer` is the thread's [2 x width] i32 buffer,
/// `meetings` its count of meetings so far.
void batch(const Run& run, llvm::AllocaInst* buffer, llvm::AllocaInst* meetings, unsigned width) {
  llvm::LLVMContext& context = buffer->getContext();
  llvm::Type* i32 = llvm::Type::getInt32Ty(context);
  llvm::Type* i64 = llvm::Type::getInt64Ty(context);
  // The buffer half this meeting uses, from the count the thread had when it got here (a load
  // on each side of the meeting, so nothing of it lives across the site).
  auto half = [&](llvm::IRBuilder<>& builder) {
    llvm::Value* count = builder.CreateLoad(i32, meetings);
    llvm::Value* parity = builder.CreateAnd(count, builder.getInt32(1));
    return std::pair(count, builder.CreateMul(parity, builder.getInt32(width)));
  };
  llvm::IRBuilder<> before(run.shuffles.front());
  llvm::Value* firstSlot = half(before).second;
  for (size_t j = 0; j < run.shuffles.size(); ++j) {
    llvm::CallInst* shuffle = run.shuffles[j];
    llvm::IRBuilder<> builder(shuffle);
    llvm::Value* value = shuffle->getArgOperand(1);
    if (!value->getType()->isIntegerTy(32))
      value = builder.CreateBitCast(value, i32);
    llvm::Value* slot = builder.CreateAdd(firstSlot, builder.getInt32(uint32_t(j)));
    builder.CreateStore(value, builder.CreateInBoundsGEP(i32, buffer, slot));
  }

  llvm::IRBuilder<> builder(run.shuffles.back()->getNextNode());
  builder.CreateIntrinsic(llvm::Intrinsic::nvvm_bar_warp_sync, {}, {builder.getInt32(~0u)});
  auto [count, halfStart] = half(builder);
  builder.CreateStore(builder.CreateAdd(count, builder.getInt32(1)), meetings);
  // Thread t of the block is lane t % 32 of warp t / 32 (SpecialRegisters.cpp); a source lane
  // past the block's last thread is absent and, as in shuffle() in Collectives.cpp, the lane
  // keeps its own operand.
  llvm::Value* tid[3] = {readRegister(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_tid_x),
                         readRegister(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_tid_y),
                         readRegister(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_tid_z)};
  llvm::Value* ntid[3] = {readRegister(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_x),
                          readRegister(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_y),
                          readRegister(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_z)};
  llvm::Value* linear = linearThreadIndex(builder, ntid, tid);
  llvm::Value* threads = builder.CreateMul(ntid[0], builder.CreateMul(ntid[1], ntid[2]));
  llvm::Value* lane = readRegister(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_laneid);
  llvm::Value* warpStart = builder.CreateSub(linear, lane);
  for (size_t j = 0; j < run.shuffles.size(); ++j) {
    llvm::CallInst* shuffle = run.shuffles[j];
    ShuffleSource source = shuffleSource(builder, *classifyCollective(*shuffle), lane,
                                         shuffle->getArgOperand(2), shuffle->getArgOperand(3));
    llvm::Value* present =
        builder.CreateICmpULT(builder.CreateAdd(warpStart, source.lane), threads);
    llvm::Value* from =
        builder.CreateSelect(builder.CreateAnd(source.inRange, present), source.lane, lane);
    // Each thread's buffer is a frame slot, so the source lane's copy is (source - lane) copies
    // of the buffer away (thread t's copy at frames + offset * nthreads + t * size).
    llvm::Value* lanes = builder.CreateSExt(builder.CreateSub(from, lane), i64);
    llvm::Value* own = builder.CreateInBoundsGEP(
        i32, buffer, builder.CreateAdd(halfStart, builder.getInt32(uint32_t(j))));
    llvm::Value* address = builder.CreateGEP(
        builder.getInt8Ty(), own, builder.CreateMul(lanes, builder.getInt64(8 * uint64_t(width))));
    llvm::Value* result = builder.CreateLoad(i32, address);
    // The `p` forms (nvcc's `shfl.sync r|p`) also say whether the source lane was in range.
    auto* pair = llvm::dyn_cast<llvm::StructType>(shuffle->getType());
    llvm::Type* type = pair ? pair->getElementType(0) : shuffle->getType();
    if (!type->isIntegerTy(32))
      result = builder.CreateBitCast(result, type);
    if (pair)
      result = builder.CreateInsertValue(
          builder.CreateInsertValue(llvm::PoisonValue::get(pair), result, 0), source.inRange, 1);
    shuffle->replaceAllUsesWith(result);
  }
  for (llvm::Instruction* instruction : run.deferred)
    instruction->moveBefore(&*builder.GetInsertPoint());
  for (llvm::CallInst* shuffle : run.shuffles)
    shuffle->eraseFromParent();
}

} // namespace

void batchShuffles(llvm::Function& step) {
  std::vector<Run> runs;
  for (llvm::BasicBlock& block : step)
    findRuns(block, runs);
  if (runs.empty())
    return;
  unsigned width = 0;
  for (const Run& run : runs)
    width = std::max(width, unsigned(run.shuffles.size()));
  // The buffer's size is a multiple of its alignment, so a thread's copies are exactly that
  // many bytes apart in the frame (moveAllocasToFrame in StepFunction.cpp).
  llvm::IRBuilder<> entry(&*step.getEntryBlock().getFirstInsertionPt());
  auto* buffer = entry.CreateAlloca(llvm::ArrayType::get(entry.getInt32Ty(), 2 * width), nullptr,
                                    "shfl.buffer");
  buffer->setAlignment(llvm::Align(4));
  auto* meetings = entry.CreateAlloca(entry.getInt32Ty(), nullptr, "shfl.meetings");
  entry.CreateStore(entry.getInt32(0), meetings);
  for (const Run& run : runs)
    batch(run, buffer, meetings, width);
}

} // namespace drawbridge::backend::cpu

// The lowering steps on small hand-written NVVM IR kernels.
#include "lowering/Lowering.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <list>
#include <llvm/AsmParser/Parser.h>
#include <llvm/IR/CFG.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/SourceMgr.h>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace drawbridge::backend::cpu {
namespace {

const char* kHeader = R"(
target triple = "nvptx64-nvidia-cuda"
declare void @llvm.nvvm.barrier0()
declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i32 @llvm.nvvm.shfl.sync.down.i32(i32, i32, i32, i32)
)";

/// The start of a kernel whose thread %t has a 16-byte record at %address (an integer, as
/// PTX computes addresses) in the array at %in.
const char* kLaneRecordAddress = R"(
define void @k(i64 %in, ptr %out) {
entry:
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %t64 = zext i32 %t to i64
  %offset = shl i64 %t64, 4
  %address = add i64 %in, %offset
)";

/// The end of a kernel that has computed a float %sum in thread %t: a shuffle, so that its
/// region runs for a warp at once, and a store of the result to %out[%t].
const char* kShuffleSumAndStore = R"(
  %bits = bitcast float %sum to i32
  %down = call i32 @llvm.nvvm.shfl.sync.down.i32(i32 -1, i32 %bits, i32 1, i32 31)
  %slot = getelementptr i32, ptr %out, i32 %t
  store i32 %down, ptr %slot
  ret void
}
)";

/// The loads in `block`, plain or masked, of vectors of `elements` elements.
int64_t vectorLoads(llvm::Function* block, unsigned elements) {
  return std::ranges::count_if(llvm::instructions(*block), [&](const llvm::Instruction& i) {
    auto* type = llvm::dyn_cast<llvm::FixedVectorType>(i.getType());
    auto* call = llvm::dyn_cast<llvm::IntrinsicInst>(&i);
    bool loads = llvm::isa<llvm::LoadInst>(i) ||
                 (call && call->getIntrinsicID() == llvm::Intrinsic::masked_load);
    return loads && type && type->getNumElements() == elements;
  });
}

class LoweringTest : public ::testing::Test {
protected:
  llvm::Function& parse(const std::string& body) {
    llvm::SMDiagnostic error;
    module = llvm::parseAssemblyString(std::string(kHeader) + body, error, context);
    EXPECT_TRUE(module) << error.getMessage().str();
    return *module->getFunction("k");
  }
  StepFunction step(llvm::Function& kernel) {
    auto built = buildStepFunction(kernel);
    EXPECT_TRUE(bool(built)) << (built ? "" : llvm::toString(built.takeError()));
    std::string problems;
    llvm::raw_string_ostream out(problems);
    EXPECT_FALSE(llvm::verifyFunction(*built->function, &out)) << problems;
    return *built;
  }
  /// The kernel's block function, checked.
  llvm::Function* blockFunction(llvm::Function& kernel) {
    steps.push_back(step(kernel));
    llvm::Function* block = buildBlockFunction(kernel, steps.back());
    std::string problems;
    llvm::raw_string_ostream out(problems);
    EXPECT_FALSE(llvm::verifyModule(*module, &out)) << problems;
    return block;
  }

  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module;
  std::list<StepFunction> steps;
};

TEST_F(LoweringTest, ClassifiesCollectives) {
  llvm::Function& kernel = parse(R"(
define void @k(i32 %v) {
  call void @llvm.nvvm.barrier0()
  %s = call i32 @llvm.nvvm.shfl.sync.down.i32(i32 -1, i32 %v, i32 1, i32 31)
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  ret void
})");
  std::vector<std::optional<SiteKind>> kinds;
  for (llvm::Instruction& instruction : kernel.getEntryBlock())
    if (auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction))
      kinds.push_back(classifyCollective(*call));
  ASSERT_EQ(kinds.size(), 3u);
  EXPECT_EQ(kinds[0], SiteKind::Barrier);
  EXPECT_EQ(kinds[1], SiteKind::ShflDown);
  EXPECT_EQ(kinds[2], std::nullopt);
}

/// The meetings (unused __activemask calls) keepWarpsInLockstep gives `kernel`.
size_t lockstepMeetings(llvm::Function& kernel) {
  keepWarpsInLockstep(kernel);
  return size_t(std::ranges::count_if(llvm::instructions(kernel), [](llvm::Instruction& i) {
    auto* call = llvm::dyn_cast<llvm::CallInst>(&i);
    return call && classifyCollective(*call) == SiteKind::ActiveMask;
  }));
}

/// A kernel without barriers whose thread %t stores %v to s[t], then reads s[t + OFFSET] into
/// %out.
std::string neighbourKernel(int offset, const std::string& volatility = "",
                            const std::string& barrier = "") {
  return R"(
@s = internal addrspace(3) global [64 x i32] undef
define void @k(ptr %out, i32 %v) {
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %own = getelementptr [64 x i32], ptr addrspace(3) @s, i32 0, i32 %t
  store )" +
         volatility +
         R"( i32 %v, ptr addrspace(3) %own
  %j = add i32 %t, )" +
         std::to_string(offset) + R"(
  %other = getelementptr [64 x i32], ptr addrspace(3) @s, i32 0, i32 %j
  %x = load )" +
         volatility +
         R"( i32, ptr addrspace(3) %other
  store i32 %x, ptr %out
  )" + barrier +
         R"(
  ret void
})";
}

// Lanes run in order give lockstep's result where a lane reads what a lower lane stored; a
// lane reading a higher lane's store needs the warp to meet first.
TEST_F(LoweringTest, LanesMeetBeforeReadingWhatAHigherLaneStored) {
  EXPECT_EQ(lockstepMeetings(parse(neighbourKernel(1))), 1u);
  EXPECT_EQ(lockstepMeetings(parse(neighbourKernel(-1))), 0u);
  EXPECT_EQ(lockstepMeetings(parse(neighbourKernel(0))), 0u);
  // With a barrier the kernel trades across it; only volatile accesses are kept in step then,
  // unless its blocks are one warp.
  const std::string barrier = "call void @llvm.nvvm.barrier0()";
  EXPECT_EQ(lockstepMeetings(parse(neighbourKernel(1, "", barrier))), 0u);
  EXPECT_EQ(lockstepMeetings(parse(neighbourKernel(1, "volatile", barrier))), 1u);
  EXPECT_EQ(lockstepMeetings(parse(neighbourKernel(1, "", barrier) + R"(
!nvvm.annotations = !{!0}
!0 = !{ptr @k, !"maxntidx", i32 32})")),
            1u);
}

/// A tree reduction's step without barriers: each lane adds the slot `stride` (>= 0) above its
/// own (`add`) or below it (`sub`) to its own, then stores the sum over slot 0 too.
std::string reductionStep(const std::string& direction) {
  return R"(
@s = internal addrspace(3) global [64 x float] undef
define void @k(ptr %out, i32 %n) {
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %stride = lshr i32 %n, 1
  %own = getelementptr [64 x float], ptr addrspace(3) @s, i32 0, i32 %t
  %a = load float, ptr addrspace(3) %own
  %j = )" +
         direction +
         R"( i32 %t, %stride
  %wide = zext i32 %j to i64
  %other = getelementptr [64 x float], ptr addrspace(3) @s, i64 0, i64 %wide
  %b = load float, ptr addrspace(3) %other
  %sum = fadd float %a, %b
  store float %sum, ptr addrspace(3) %own
  %first = getelementptr [64 x float], ptr addrspace(3) @s, i32 0, i32 0
  store float %sum, ptr addrspace(3) %first
  ret void
})";
}

// Reading the slot above: no lower lane stores what a higher lane reads first (lane 0's store
// over slot 0 included). Reading the slot below: a lower lane's store comes first.
TEST_F(LoweringTest, ReductionStepsUpwardNeedNoMeeting) {
  EXPECT_EQ(lockstepMeetings(parse(reductionStep("add"))), 0u);
  EXPECT_EQ(lockstepMeetings(parse(reductionStep("sub"))), 1u);
}

/// A kernel without barriers in which each lane doubles s[i] for i = threadIdx.x, then i + STEP,
/// and so on up to n; with an OFFSET, s[i + OFFSET] too in each iteration (a loop stepping by a
/// warp as nvcc unrolls it).
std::string strideLoop(int step, std::optional<int> offset = std::nullopt) {
  std::string second = !offset ? ""
                               : R"(
  %j = add i32 %i, )" + std::to_string(*offset) +
                                     R"(
  %other = getelementptr [1024 x float], ptr addrspace(3) @s, i32 0, i32 %j
  %x = load float, ptr addrspace(3) %other
  %y = fmul float %x, 2.0
  store float %y, ptr addrspace(3) %other)";
  return R"(
@s = internal addrspace(3) global [1024 x float] undef
define void @k(ptr %out, i32 %n) {
entry:
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  br label %loop
loop:
  %i = phi i32 [ %t, %entry ], [ %next, %loop ]
  %slot = getelementptr [1024 x float], ptr addrspace(3) @s, i32 0, i32 %i
  %v = load float, ptr addrspace(3) %slot
  %w = fmul float %v, 2.0
  store float %w, ptr addrspace(3) %slot)" +
         second + R"(
  %next = add i32 %i, )" +
         std::to_string(step) + R"(
  %more = icmp slt i32 %next, %n
  br i1 %more, label %loop, label %exit
exit:
  ret void
})";
}

// Stepping by a warp or more, a lane's slot in one iteration is no other lane of its warp's in
// another; by 16, lane l's slot is lane l + 16's an iteration later.
TEST_F(LoweringTest, LoopsSteppingByAWarpNeedNoMeeting) {
  EXPECT_EQ(lockstepMeetings(parse(strideLoop(32))), 0u);
  EXPECT_EQ(lockstepMeetings(parse(strideLoop(64))), 0u);
  EXPECT_EQ(lockstepMeetings(parse(strideLoop(16))), 1u);
  EXPECT_EQ(lockstepMeetings(parse(strideLoop(-32))), 0u);
}

// Slots a warp's span apart are no two lanes' of one warp, in one iteration or across them;
// half a span apart, lane l's second slot is lane l + 16's first.
TEST_F(LoweringTest, UnrolledWarpStrideLoopsNeedNoMeeting) {
  EXPECT_EQ(lockstepMeetings(parse(strideLoop(64, 32))), 0u);
  EXPECT_EQ(lockstepMeetings(parse(strideLoop(128, 64))), 0u);
  EXPECT_EQ(lockstepMeetings(parse(strideLoop(64, 16))), 2u);
}

TEST_F(LoweringTest, KernelWithoutSitesKeepsNoFrame) {
  StepFunction result = step(parse(R"(
define void @k(ptr %out) {
  %local = alloca [4 x i32]
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  store i32 %t, ptr %local
  %v = load i32, ptr %local
  store i32 %v, ptr %out
  ret void
})"));
  EXPECT_TRUE(result.sites.empty());
  EXPECT_EQ(result.frameSize, 0u);
  // The alloca stays in the entry block, where the optimizer promotes it.
  EXPECT_TRUE(llvm::isa<llvm::AllocaInst>(result.function->getEntryBlock().front()));
}

TEST_F(LoweringTest, OnlyValuesLiveAcrossABarrierGoToTheFrame) {
  // %before is used only before the barrier, %after only after it, each in another block
  // than its definition: nothing crosses.
  StepFunction none = step(parse(R"(
define void @k(ptr %out, i32 %n) {
entry:
  %before = add i32 %n, 1
  %c1 = icmp eq i32 %n, 0
  br i1 %c1, label %early, label %sync
early:
  store i32 %before, ptr %out
  br label %sync
sync:
  call void @llvm.nvvm.barrier0()
  %after = add i32 %n, 2
  %c2 = icmp eq i32 %after, 0
  br i1 %c2, label %late, label %exit
late:
  store i32 %after, ptr %out
  br label %exit
exit:
  ret void
})"));
  EXPECT_EQ(none.sites.size(), 1u);
  EXPECT_EQ(none.frameSize, 0u);

  StepFunction one = step(parse(R"(
define void @k(ptr %out, i32 %n) {
  %v = load i32, ptr %out
  %live = mul i32 %v, %n
  call void @llvm.nvvm.barrier0()
  store i32 %live, ptr %out
  ret void
})"));
  EXPECT_EQ(one.frameSize, 16u); // one i32, frames are 16-byte aligned
}

TEST_F(LoweringTest, ValuesOfRegistersAndParametersAreRecomputedNotSaved) {
  // %index and %address need only the thread index and parameters: every entry recomputes
  // them. %loaded reads memory, which may change across the barrier, so it is saved.
  StepFunction result = step(parse(R"(
define void @k(ptr %out, i32 %n) {
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %index = mul i32 %t, %n
  %address = getelementptr i32, ptr %out, i32 %index
  %loaded = load i32, ptr %out
  call void @llvm.nvvm.barrier0()
  store i32 %loaded, ptr %address
  ret void
})"));
  EXPECT_EQ(result.frameSize, 16u); // %loaded alone
}

TEST_F(LoweringTest, OnlyRegionsTooLargeToInlineAreCalled) {
  // Before the barrier a chain of 1,000 instructions on the thread index, which every entry
  // recomputes; after it a chain of 50,000 on a loaded value, past what the backend inlines
  // into its loops over threads. The long region's copy must not carry the short one's values.
  auto chain = [](const std::string& name, const std::string& from, int length) {
    std::string code = "  %" + name + "0 = " + from + "\n";
    for (int i = 0; i < length; ++i)
      code += "  %" + name + std::to_string(i + 1) + " = mul i32 %" + name + std::to_string(i) +
              ", 3\n";
    return code;
  };
  const int shortChain = 1000, longChain = 50000;
  llvm::Function& kernel =
      parse("define void @k(ptr %out) {\n" +
            chain("e", "call i32 @llvm.nvvm.read.ptx.sreg.tid.x()", shortChain) + "  store i32 %e" +
            std::to_string(shortChain) + ", ptr %out\n  call void @llvm.nvvm.barrier0()\n" +
            chain("x", "load i32, ptr %out", longChain) + "  store i32 %x" +
            std::to_string(longChain) + ", ptr %out\n  ret void\n}\n");
  StepFunction built = step(kernel);
  llvm::Function* block = buildBlockFunction(kernel, built);
  std::map<std::string, llvm::Function*> called;
  for (llvm::BasicBlock& basicBlock : *block)
    for (llvm::Instruction& instruction : basicBlock)
      if (auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction))
        if (llvm::Function* callee = call->getCalledFunction(); callee && !callee->isDeclaration())
          called[callee->getName().str()] = callee;
  ASSERT_EQ(called.size(), 3u); // the step function (general pass) and the two regions
  llvm::Function* start = called.at("k.step.from0");
  llvm::Function* after = called.at("k.step.from1");
  EXPECT_TRUE(start->hasFnAttribute(llvm::Attribute::AlwaysInline));
  EXPECT_TRUE(after->hasFnAttribute(llvm::Attribute::NoInline));
  EXPECT_FALSE(after->hasFnAttribute(llvm::Attribute::AlwaysInline));
  EXPECT_LT(after->getInstructionCount(), unsigned(longChain + shortChain / 2));
  EXPECT_TRUE(built.function->hasFnAttribute(llvm::Attribute::NoInline));
}

TEST_F(LoweringTest, PassesAreFunctionsOfTheirOwnOnlyInKernelsWithManySites) {
  // A store of the thread index plus i after each of `barriers` barriers.
  auto kernelWith = [](int barriers) {
    std::string code = "define void @k(ptr %out) {\n"
                       "  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()\n";
    for (int i = 0; i < barriers; ++i)
      code += "  call void @llvm.nvvm.barrier0()\n  %v" + std::to_string(i) + " = add i32 %t, " +
              std::to_string(i) + "\n  store i32 %v" + std::to_string(i) + ", ptr %out\n";
    return code + "  ret void\n}\n";
  };
  auto passesCalled = [](llvm::Function& block) {
    int passes = 0;
    for (llvm::BasicBlock& basicBlock : block)
      for (llvm::Instruction& instruction : basicBlock)
        if (auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction))
          if (llvm::Function* callee = call->getCalledFunction();
              callee && callee->getName().starts_with("k.block.pass")) {
            EXPECT_TRUE(callee->hasFnAttribute(llvm::Attribute::NoInline));
            ++passes;
          }
    return passes;
  };
  for (int barriers : {8, 130}) {
    llvm::Function& kernel = parse(kernelWith(barriers));
    StepFunction built = step(kernel);
    llvm::Function* block = buildBlockFunction(kernel, built);
    std::string problems;
    llvm::raw_string_ostream out(problems);
    EXPECT_FALSE(llvm::verifyModule(*module, &out)) << problems;
    // One per region (the start and each barrier) and the general pass.
    EXPECT_EQ(passesCalled(*block), barriers < 128 ? 0 : barriers + 2) << barriers << " barriers";
  }
}

TEST_F(LoweringTest, ShufflesWithConstantOperandsRunAsOneWarpChain) {
  // Three down shuffles with constant operands, a branch between the second and third, then
  // one whose offset is a parameter: the chain takes the first three, once.
  llvm::Function& kernel = parse(R"(
define void @k(ptr %out, i32 %offset) {
entry:
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %a = call i32 @llvm.nvvm.shfl.sync.down.i32(i32 -1, i32 %t, i32 16, i32 31)
  %sum = add i32 %a, %t
  %b = call i32 @llvm.nvvm.shfl.sync.down.i32(i32 -1, i32 %sum, i32 8, i32 31)
  %bit = and i32 %t, 1
  %odd = icmp ne i32 %bit, 0
  br i1 %odd, label %scale, label %join
scale:
  %scaled = mul i32 %b, 3
  br label %join
join:
  %merged = phi i32 [ %scaled, %scale ], [ %b, %entry ]
  %c = call i32 @llvm.nvvm.shfl.sync.down.i32(i32 -1, i32 %merged, i32 4, i32 31)
  %d = call i32 @llvm.nvvm.shfl.sync.down.i32(i32 -1, i32 %c, i32 %offset, i32 31)
  store i32 %d, ptr %out
  ret void
}
)");
  llvm::Function* block = blockFunction(kernel);
  int permutations = 0, laneSelects = 0;
  for (llvm::BasicBlock& basicBlock : *block)
    for (llvm::Instruction& instruction : basicBlock) {
      auto* type = llvm::dyn_cast<llvm::FixedVectorType>(instruction.getType());
      if (!type || type->getNumElements() != kWarpLanes)
        continue;
      if (auto* shuffle = llvm::dyn_cast<llvm::ShuffleVectorInst>(&instruction))
        permutations += !shuffle->isZeroEltSplat();
      laneSelects += llvm::isa<llvm::SelectInst>(instruction);
    }
  EXPECT_EQ(permutations, 3);
  EXPECT_GE(laneSelects, 1); // the phi after the branch, per lane
}

TEST_F(LoweringTest, PtxVectorLoadsRunAsOneLoadOfTheWarpsRecords) {
  // As the PTX frontend lowers `ld.global.v4.f32` at an address computed in integers: a cast
  // to a global pointer, a vector load and its elements taken apart, then a shuffle. A warp
  // loads its lanes' 32 float4s at once (one load of 128 floats), with no gather.
  llvm::Function& kernel = parse(std::string(kLaneRecordAddress) + R"(
  %generic = inttoptr i64 %address to ptr
  %global = addrspacecast ptr %generic to ptr addrspace(1)
  %v = load <4 x float>, ptr addrspace(1) %global, align 16
  %x = extractelement <4 x float> %v, i64 0
  %y = extractelement <4 x float> %v, i64 1
  %z = extractelement <4 x float> %v, i64 2
  %w = extractelement <4 x float> %v, i64 3
  %xy = fadd float %x, %y
  %zw = fmul float %z, %w
  %sum = fsub float %xy, %zw
)" + std::string(kShuffleSumAndStore));
  llvm::Function* block = blockFunction(kernel);
  auto isGather = [](const llvm::Instruction& instruction) {
    auto* call = llvm::dyn_cast<llvm::IntrinsicInst>(&instruction);
    return call && call->getIntrinsicID() == llvm::Intrinsic::masked_gather;
  };
  EXPECT_EQ(vectorLoads(block, 4 * kWarpLanes), 1);
  EXPECT_EQ(std::ranges::count_if(llvm::instructions(*block), isGather), 0);
}

TEST_F(LoweringTest, UnrolledRecordLoadsEachLoadTheirRecordsWhole) {
  // nvcc's unrolled loop reads consecutive float4s as constant offsets from one address, some
  // of them negative: each group of four is its lanes' records, one wide load each, none a
  // masked span of every fourth element.
  llvm::Function& kernel = parse(std::string(kLaneRecordAddress) + R"(
  %at = inttoptr i64 %address to ptr
  %p0 = getelementptr i8, ptr %at, i64 -16
  %p1 = getelementptr i8, ptr %at, i64 -12
  %p2 = getelementptr i8, ptr %at, i64 -8
  %p3 = getelementptr i8, ptr %at, i64 -4
  %p5 = getelementptr i8, ptr %at, i64 4
  %p6 = getelementptr i8, ptr %at, i64 8
  %p7 = getelementptr i8, ptr %at, i64 12
  %a0 = load float, ptr %p0
  %a1 = load float, ptr %p1
  %a2 = load float, ptr %p2
  %a3 = load float, ptr %p3
  %b0 = load float, ptr %at
  %b1 = load float, ptr %p5
  %b2 = load float, ptr %p6
  %b3 = load float, ptr %p7
  %s0 = fadd float %a0, %a1
  %s1 = fadd float %a2, %a3
  %s2 = fadd float %b0, %b1
  %s3 = fadd float %b2, %b3
  %s4 = fadd float %s0, %s1
  %s5 = fadd float %s2, %s3
  %sum = fadd float %s4, %s5
)" + std::string(kShuffleSumAndStore));
  llvm::Function* block = blockFunction(kernel);
  EXPECT_EQ(vectorLoads(block, 4 * kWarpLanes), 2);
  EXPECT_EQ(vectorLoads(block, 4 * (kWarpLanes - 1) + 1), 0);
}

TEST_F(LoweringTest, BarrierInLoopDemotesTheInductionVariable) {
  StepFunction result = step(parse(R"(
define void @k(ptr %out, i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  call void @llvm.nvvm.barrier0()
  %next = add i32 %i, 1
  %done = icmp eq i32 %next, %n
  br i1 %done, label %exit, label %loop
exit:
  store i32 %next, ptr %out
  ret void
})"));
  EXPECT_EQ(result.sites.size(), 1u);
  EXPECT_GT(result.frameSize, 0u);
}

TEST_F(LoweringTest, ASavedValueTheLanesShareRunsAsOneScalarAfterACheck) {
  // The loop's counter lives across the barrier, so it is saved per thread in the frame. Where
  // a warp's lanes all saved the same counter, the region after the barrier runs with it as one
  // scalar: its store is one vector store, where with a counter per lane it is a scatter.
  llvm::Function& kernel = parse(R"(
define void @k(ptr %out, i32 %n) {
entry:
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  call void @llvm.nvvm.barrier0()
  %index = add nuw nsw i32 %t, %i
  %address = getelementptr i32, ptr %out, i32 %index
  store i32 %i, ptr %address
  %next = add i32 %i, 1
  %done = icmp eq i32 %next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret void
}
)");
  llvm::Function* block = blockFunction(kernel);
  // The scatters on each way from the check to where the ways join.
  auto scattersFrom = [&](llvm::StringRef start) {
    int scatters = 0;
    std::vector<llvm::BasicBlock*> work;
    std::set<llvm::BasicBlock*> seen;
    for (llvm::BasicBlock& basicBlock : *block)
      if (basicBlock.getName().starts_with(start))
        work.push_back(&basicBlock);
    EXPECT_EQ(work.size(), 1u) << start.str();
    while (!work.empty()) {
      llvm::BasicBlock* current = work.back();
      work.pop_back();
      if (!seen.insert(current).second || current->getName().starts_with("frame.joined"))
        continue;
      for (llvm::Instruction& instruction : *current)
        if (auto* call = llvm::dyn_cast<llvm::IntrinsicInst>(&instruction))
          scatters += call->getIntrinsicID() == llvm::Intrinsic::masked_scatter;
      for (llvm::BasicBlock* next : llvm::successors(current))
        work.push_back(next);
    }
    return scatters;
  };
  EXPECT_EQ(scattersFrom("frame.alike"), 0);
  EXPECT_EQ(scattersFrom("frame.per.lane"), 1);
}

TEST_F(LoweringTest, SharedLayoutAlignsStaticAndPutsDynamicLast) {
  llvm::Function& kernel = parse(R"(
@small = internal addrspace(3) global [3 x i8] undef, align 1
@wide = internal addrspace(3) global [2 x double] undef, align 8
@dynamic = external addrspace(3) global [0 x float], align 4
@other = internal addrspace(3) global [1024 x float] undef, align 4
define void @k() {
  store i8 1, ptr addrspace(3) @small
  store double 1.0, ptr addrspace(3) getelementptr ([2 x double], ptr addrspace(3) @wide, i64 0, i64 1)
  store float 1.0, ptr addrspacecast (ptr addrspace(3) @dynamic to ptr)
  ret void
}
define void @other_kernel() {
  store float 1.0, ptr addrspace(3) @other
  ret void
})");
  SharedLayout layout = layoutSharedMemory(*module, kernel);
  EXPECT_EQ(layout.offsets.at(module->getNamedGlobal("small")), 0u);
  EXPECT_EQ(layout.offsets.at(module->getNamedGlobal("wide")), 8u);
  EXPECT_EQ(layout.staticSize, 32u); // 24 bytes, rounded to 16 for the dynamic part
  EXPECT_EQ(layout.offsets.at(module->getNamedGlobal("dynamic")), 32u);
  EXPECT_FALSE(layout.offsets.count(module->getNamedGlobal("other"))); // another kernel's
}

TEST_F(LoweringTest, UnknownIntrinsicIsNamed) {
  parse(R"(
declare float @llvm.nvvm.made.up(float)
define void @k(ptr %out) {
  %v = call float @llvm.nvvm.made.up(float 1.0)
  store float %v, ptr %out
  ret void
})");
  llvm::Error error = checkNothingNvptxLeft(*module);
  ASSERT_TRUE(bool(error));
  EXPECT_NE(llvm::toString(std::move(error)).find("llvm.nvvm.made.up"), std::string::npos);
}

} // namespace
} // namespace drawbridge::backend::cpu

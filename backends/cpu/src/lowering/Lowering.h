// The steps that turn an NVVM IR module into host code the runtime can call per block
// (DESIGN.md, "The CPU backend"). Each step is one file; lowerModule runs them in order.
#pragma once

#include "../Abi.h"
#include "drawbridge/backend/cpu/CpuBackend.h"

#include <cstdint>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>
#include <llvm/Target/TargetMachine.h>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace drawbridge::backend::cpu {

/// The calls in `function` to functions whose name starts with `prefix`, collected first so
/// the caller may rewrite them.
std::vector<llvm::CallInst*> callsWithPrefix(llvm::Function& function, llvm::StringRef prefix);

/// NVVM's shared address space; its pointers are offsets into the block's shared window.
inline constexpr unsigned kSharedAddressSpace = 3;

/// LLVM types matching ThreadState and BlockContext in Abi.h.
struct AbiTypes {
  llvm::StructType* thread;
  llvm::StructType* block;
  static AbiTypes get(llvm::LLVMContext& context);
};

/// While the block function runs, the ThreadState fields from `resume` on are kept one array
/// per field (structure of arrays, so loops over threads load and store them as vectors): field
/// f of thread t is the i32 at lanes + (f - kResumeField) * nthreads + t, and a step function's
/// `thread` argument is lanes + t. This is the address of `field` of that thread; nthreads is
/// read from the block context.
llvm::Value* threadField(llvm::IRBuilder<>& builder, llvm::Value* thread, llvm::Value* context,
                         ThreadField field);
/// A volatile load, store or memory intrinsic.
bool isVolatileAccess(const llvm::Instruction& instruction);
/// The math intrinsics the host computes by a library call (exp, log, sin, pow, ...).
bool isLibraryMath(llvm::Intrinsic::ID id);
/// Marks a site's exit store of an operand or its resume's load of a result as the access of
/// ThreadState field `field`, so a warp chain can keep them in registers (siteField).
void markSiteField(llvm::Instruction& access, ThreadField field);
std::optional<ThreadField> siteField(const llvm::Instruction& access);
/// Thread (x, y, z)'s index in its block, x + ntid.x * (y + ntid.y * z), with the arithmetic
/// marked not to wrap (a block has at most 1024 threads): the optimizer then keeps addresses
/// indexed by it consecutive across a loop over x, so the loop vectorizes without checks.
llvm::Value* linearThreadIndex(llvm::IRBuilder<>& builder, llvm::ArrayRef<llvm::Value*> ntid,
                               llvm::ArrayRef<llvm::Value*> tid);
/// Rows of those arrays: every ThreadState field but the thread index.
inline constexpr unsigned kThreadStateRows = kResultPredicateField - kResumeField + 1;

/// Host triple and data layout, NVPTX target attributes removed.
void retargetToHost(llvm::Module& module, const llvm::TargetMachine& target);
/// Kernels as clang marks them (nvvm.annotations "kernel" or the ptx_kernel calling convention).
std::vector<llvm::Function*> findKernels(llvm::Module& module);
/// Inlines every device function into the kernels, so barriers and special registers inside
/// them become visible to the kernel's lowering. Fails on calls that cannot be inlined.
llvm::Error inlineDeviceFunctions(llvm::Module& module,
                                  const std::vector<llvm::Function*>& kernels);

/// Fully unrolls the loops around warp collectives that have a small constant trip count, so the
/// collectives' operands become constants and no counter is saved across them
/// (UnrollCollectiveLoops.cpp).
void unrollCollectiveLoops(llvm::Function& kernel);

/// Gives the lanes of a warp a meeting (an unused __activemask) before each shared-memory
/// access that may read what another lane stored, or store over what another lane read, since
/// they last met: warp-synchronous code relies on lanes running in lockstep (WarpLockstep.cpp).
void keepWarpsInLockstep(llvm::Function& kernel);

/// A collective call (barrier, shuffle, vote...) alone in its block, followed by `resume`.
struct Site {
  SiteKind kind;
  llvm::CallInst* call;
  llvm::BasicBlock* resume;
};
/// The site kind of a call to an NVVM collective intrinsic, if it is one.
std::optional<SiteKind> classifyCollective(const llvm::CallInst& call);
/// The lane a shuffle of `kind` reads for `lane` given its b and c operands (PTX's shfl.sync
/// rules, as shuffle() in Collectives.cpp applies them), and whether that lane is in range.
struct ShuffleSource {
  llvm::Value* lane;
  llvm::Value* inRange; // i1
};
ShuffleSource shuffleSource(llvm::IRBuilder<>& builder, SiteKind kind, llvm::Value* lane,
                            llvm::Value* b, llvm::Value* c);
/// Runs of full-warp shuffles in one block that do not need one another's results (an
/// emulated mma's fragment trades) become one bar.warp.sync and an exchange through a frame
/// buffer, so they cost one site rather than one each (BatchShuffles.cpp).
void batchShuffles(llvm::Function& step);
/// Finds every collective call and isolates it in its own block; its result, if any, becomes a
/// load of ThreadState::result at the top of the resume block. Fails on unsupported forms.
llvm::Expected<std::vector<Site>> isolateSites(llvm::Function& step, llvm::Value* thread,
                                               llvm::Value* context);
/// Moves every computation live across one of `sites` that needs nothing but the entry block's
/// values, reads no memory and is safe to run early (indices, addresses, comparisons from thread
/// and block registers and parameters) to `where` in the entry block, with what it is computed
/// from: recomputed on every entry, it is never saved.
void recomputeOnEntry(llvm::Function& step, llvm::Instruction* where,
                      const std::vector<Site>& sites);
/// Demotes to allocas every SSA value that is live across a site, so it survives the return to
/// the runtime (allocas later move into the thread's frame).
void demoteValuesLiveAcrossSites(llvm::Function& step, const std::vector<Site>& sites);
/// Gives the loads and stores through pointers derived from each of `roots` (the frames, the
/// thread state, the block context, the shared-memory base; null ones skipped) an alias scope
/// of the root's own, declared not to alias the others' or the kernel's other accesses, unless
/// an address derived from that root escapes (MemoryScopes.cpp).
void scopeDisjointMemory(llvm::Function& step, llvm::ArrayRef<llvm::Value*> roots);
/// Replaces each site call by stores of its operands into ThreadState and `ret id`.
void emitSiteExits(const std::vector<Site>& sites, llvm::Value* thread, llvm::Value* context);

/// __assertfail and llvm.trap call the runtime's hook, then stop the thread (ret kStepTrapped).
void lowerTraps(llvm::Function& step, llvm::Value* context, llvm::ArrayRef<llvm::Value*> tid);

/// Special registers (llvm.nvvm.read.ptx.sreg.*) become values computed at `where` from the
/// block context and the thread index; fences become LLVM fences.
llvm::Error lowerSpecialRegisters(llvm::Function& step, llvm::Instruction* where,
                                  llvm::Value* context, llvm::ArrayRef<llvm::Value*> tid);

/// Calls to libdevice functions (__nv_*) with a direct LLVM equivalent become that.
void lowerLibdeviceCalls(llvm::Module& module);

/// NVVM's rounded, flush-to-zero and approximate arithmetic intrinsics (PTX's add.rm,
/// fma.rz, ex2.approx, ...) as host IR, exactly for the rounded forms.
void lowerNvvmMath(llvm::Module& module);

/// NVIDIA's results where the host's differ: canonical NaNs from f32/f16/bf16 arithmetic, -0
/// ordered below +0 in min and max (ExactArithmetic.cpp).
void makeArithmeticExact(llvm::Module& module);

/// bfloat16 operations rounded once, subnormals kept, as NVIDIA's are (BFloat16Arithmetic.cpp).
/// Runs before makeArithmeticExact.
void makeBFloat16Exact(llvm::Module& module);

/// NVVM atomic intrinsics (atomicInc/Dec, scoped atomics) become LLVM atomic instructions.
void lowerNvvmAtomics(llvm::Function& function);

/// Offsets of the shared (addrspace 3) variables a kernel uses in its per-block buffer;
/// dynamic (extern, unsized) ones all start at `staticSize`.
struct SharedLayout {
  std::map<llvm::GlobalVariable*, uint64_t> offsets;
  uint64_t staticSize = 0;
};
SharedLayout layoutSharedMemory(llvm::Module& module, const llvm::Function& kernel);
/// Whether `kernel` uses a shared variable (every shared address starts at one; dynamic shared
/// memory is one too).
bool usesSharedMemory(const llvm::Function& kernel);
/// Rewrites the step function's uses of shared variables to BlockContext::shared + offset;
/// returns that base address as loaded at `where`, or null when the kernel has none.
llvm::Value* lowerSharedMemory(llvm::Function& step, const SharedLayout& layout,
                               llvm::Instruction* where, llvm::Value* context);

/// Rewrites every memory access and cast through a shared-window offset (address space 3) in
/// `step` into the host address base + offset.
void resolveSharedAccesses(llvm::Function& step, llvm::Value* base);

/// A comparison in the step function of (offset + threadIdx.x) with a bound, offset and bound
/// the same for all threads of a block: a bounds guard (ThreadGuard.cpp).
struct ThreadGuard {
  llvm::ICmpInst* compare;
  llvm::Value* offset;
  llvm::Value* bound;
  llvm::CmpInst::Predicate predicate; // as (offset + threadIdx.x) predicate bound
};
std::optional<ThreadGuard> findThreadGuard(llvm::Function& step, unsigned uniformArgs,
                                           llvm::Value* context, llvm::Value* tidX);

/// A kernel turned into a per-thread step function:
/// i32 step(params..., ptr context, ptr thread, ptr frames, i32 tx, i32 ty, i32 tz)
/// `thread` addresses the thread's state (threadField); `frames` is the block's frames, each
/// slot an array over the threads (StepFunction.cpp).
/// A shuffle's mask, b and c operands where its call gives them as constants, the same for
/// every thread (a warp reduction's unrolled offsets).
struct ConstantShuffleOperands {
  std::optional<uint32_t> mask, b, c;
};

struct StepFunction {
  llvm::Function* function = nullptr;
  std::vector<SiteKind> sites;                          // site i + 1
  std::vector<ConstantShuffleOperands> shuffleOperands; // site i + 1; empty for other kinds
  uint64_t frameSize = 0;           // bytes of per-thread state kept across sites
  uint64_t staticShared = 0;        // bytes of static shared memory; dynamic shared memory follows
  std::optional<ThreadGuard> guard; // kernels without sites only
  bool readsRows = false;           // reads threadIdx.y or .z: written for 2D or 3D blocks
};

/// A copy of the step function in which the guard's comparison is `value`.
llvm::Function* stepWithKnownGuard(const StepFunction& step, bool value);
/// Where, in a block of `count` threads, the guard changes value; computed at the builder from
/// the step function's uniform values mapped (by `map`) to the block function's.
struct GuardSplit {
  llvm::Value* monotonic; // i1: offset + x does not wrap, so the split below is exact
  llvm::Value* point;     // i32: the guard has one value for x < point, the other after
  bool prefixTrue;        // the value for x < point
};
GuardSplit splitAtGuard(llvm::IRBuilder<>& builder, const ThreadGuard& guard,
                        std::map<llvm::Value*, llvm::Value*> map, llvm::Value* count);
llvm::Expected<StepFunction> buildStepFunction(llvm::Function& kernel);

/// Lanes in a warp: the width of the vectors a region runs on for a whole warp.
inline constexpr unsigned kWarpLanes = 32;
/// What a region copy (a step function entered at a fixed site) gets from the block function
/// when it runs for the 32 lanes of one warp: lane 0's arguments, the other lanes' following
/// from them (threads one apart, x one apart, the same y and z: a warp within one row).
struct WarpArguments {
  std::vector<llvm::Value*> uniform; // the kernel's parameters, then the block context
  llvm::Value* firstThread;          // lane 0's `thread`, lanes + t
  llvm::Value* frames;
  llvm::Value* firstX;
  llvm::Value* y;
  llvm::Value* z;
  // ntid.x where the lanes are one row of that many threads (the rest masked off); 0: whole
  // warps in rows whose width is a multiple of 32.
  uint32_t rowWidth = 0;
};
/// What a region gets from the shuffle before it and gives the one after it, in registers: the
/// results its resume loads (<32 x i32>; null: loaded), and whether its exit leaves a shuffle's
/// operands unstored, the value kept for the caller instead.
struct WarpExchange {
  llvm::Value* result = nullptr;
  llvm::Value* resultPredicate = nullptr;
  bool keepOperands = false;
};
struct WarpRegion {
  llvm::Value* statuses; // <32 x i32>
  llvm::Value* operand;  // the value a shuffle exit did not store (<32 x i32>), or null
};
/// The statuses `region` may return, when emitRegionForWarp can run it for a whole warp: no
/// loop, no call but vectorizable intrinsics, no atomic or volatile access, scalar values only,
/// constant returns (WarpVectors.cpp); nullopt otherwise.
std::optional<std::set<int32_t>> warpVectorStatuses(const llvm::Function& region);
/// Emits `region` (one warpVectorStatuses accepts) at the builder for the 32 lanes of one warp,
/// as vector code: a lane's value is one element of a vector, values the lanes share stay
/// scalar, branches are taken under masks. Only the lanes in `lanes` (<32 x i1>; null: all; at
/// least one) run. Returns each lane's status (those of lanes that did not run undefined).
WarpRegion emitRegionForWarp(llvm::IRBuilder<>& builder, const llvm::Function& region,
                             const WarpArguments& arguments, llvm::Value* lanes,
                             const WarpExchange& exchange);

/// The BlockFunction (Abi.h) that unpacks CUDA's argument array and runs the threads.
llvm::Function* buildBlockFunction(llvm::Function& kernel, const StepFunction& step);
/// Moves each pass of a block function (the blocks from one of `entries` up to the next entry or
/// one of `stops`) into a function of its own that the block function calls.
void outlinePasses(llvm::Function& block, const std::vector<llvm::BasicBlock*>& entries,
                   const std::vector<llvm::BasicBlock*>& stops);

struct LoweredKernel {
  std::string name;
  llvm::Function* block;
  const StepFunction* step;
  std::vector<uint32_t> paramSizes;
  std::vector<uint32_t> paramOffsets; // in CUDA's parameter buffer (cudaFuncGetParamInfo)
};
/// Emits the ModuleDescriptor (Abi.h) for the kernels and the module's device globals.
void emitModuleDescriptor(llvm::Module& module, const std::vector<LoweredKernel>& kernels);

/// Fails naming any NVVM intrinsic or NVPTX-only construct left after lowering.
llvm::Error checkNothingNvptxLeft(llvm::Module& module);

/// The whole pipeline, in place. The module is then ready for the optimizer.
llvm::Error lowerModule(llvm::Module& module, const llvm::TargetMachine& target,
                        Arithmetic arithmetic = Arithmetic::Nvidia);

} // namespace drawbridge::backend::cpu

// The data layout shared by the code the lowering generates and the runtime that calls it.
// Lowering builds matching LLVM struct types (AbiTypes.cpp); change both together.
#pragma once

#include <cstdint>

namespace drawbridge::backend::cpu {

/// What a thread's step function returns: how it stopped.
inline constexpr int32_t kStepExited = 0;
inline constexpr int32_t kStepTrapped = -1;
// Any positive value is the id of the collective site the thread stopped at.

/// Per-thread state for kernels with collective sites: the runtime writes the resume site and
/// collective results, the thread writes its collective operands. All fields are 32-bit so the
/// generated code addresses them by index. While the block function runs it keeps them as one
/// array per field and copies them to and from these records around every entry into the
/// runtime (Lowering.h, threadField).
struct ThreadState {
  uint32_t tid[3];
  int32_t resume;           // site to continue after; 0 runs from the start
  int32_t runnable;         // 1 when the next pass should run this thread
  int32_t status;           // the last step result
  uint32_t mask;            // member mask of the collective
  uint32_t value;           // low 32 bits of the operand value (predicate for votes and barriers)
  uint32_t valueHi;         // high 32 bits for 64-bit operands (match)
  uint32_t b;               // shfl lane/delta
  uint32_t c;               // shfl clamp and segment mask
  uint32_t result;          // written by the runtime before resuming
  uint32_t resultPredicate; // shfl's second result: whether the source lane was in range
};
inline constexpr unsigned kThreadStateFields = 13;
enum ThreadField : unsigned {
  kTidField = 0, // [3 x i32] is field 0 of the LLVM type; the rest are i32 fields 1..
  kResumeField = 1,
  kRunnableField,
  kStatusField,
  kMaskField,
  kValueField,
  kValueHiField,
  kBField,
  kCField,
  kResultField,
  kResultPredicateField,
};

/// One block's context, built by the runtime before calling the block function.
struct BlockContext {
  uint32_t ntid[3];
  uint32_t nctaid[3];
  uint32_t ctaid[3];
  uint32_t nthreads;
  // Where the next call starts (kernels with collective sites only): -1 runs every runnable
  // thread from its own resume site; k >= 0 says every thread that runs resumes at site k (0:
  // all threads from the start), so the call goes straight to that region's thread loop.
  int32_t entry;
  char* shared;         // static shared memory, then the launch's dynamic shared memory
  char* frames;         // nthreads x KernelDescriptor::frameSize bytes, slot by slot: each
                        // value saved across a site is an array over the threads
  ThreadState* threads; // nthreads states (kernels with collective sites only)
  void* launch;         // the runtime's LaunchState, passed back to trap and assert hooks
  // The grid workspace {u32 size; u32 barrier} that cooperative groups reads through %envreg1
  // (high half) and %envreg2 (low half); every launch has one, as on CUDA 13.
  void* gridWorkspace;
  // %dynamic_smem_size: the launch's dynamic shared memory in bytes; %total_smem_size: static
  // and dynamic together, in the 128-byte units NVIDIA allocates shared memory in on sm_80.
  uint32_t dynamicShared;
  uint32_t totalShared;
};
enum BlockField : unsigned {
  kNtidField = 0,
  kNctaidField,
  kCtaidField,
  kNthreadsField,
  kEntryField,
  kSharedField,
  kFramesField,
  kThreadsField,
  kLaunchField,
  kGridWorkspaceField,
  kDynamicSharedField,
  kTotalSharedField,
};

/// What the block function of a kernel with sites returns: kStepExited once every thread has
/// exited or trapped (nothing is left to resolve, and the ThreadState records were not written),
/// kBlockWaiting when threads wait at sites for the runtime (the records hold their states).
inline constexpr int32_t kBlockWaiting = 1;

/// Runs every runnable thread of one block until it stops (kernels with sites, returning
/// kStepExited or kBlockWaiting) or runs the whole block to completion (kernels without,
/// returning kStepTrapped when a thread trapped).
using BlockFunction = int32_t (*)(void** args, BlockContext* context);

/// What a collective site is; stored per site in the kernel's descriptor.
enum class SiteKind : uint32_t {
  Barrier,     // bar.sync / __syncthreads
  BarrierPopc, // __syncthreads_count
  BarrierAnd,  // __syncthreads_and
  BarrierOr,   // __syncthreads_or
  WarpSync,    // bar.warp.sync / __syncwarp
  ShflIdx,
  ShflUp,
  ShflDown,
  ShflBfly,
  VoteAll,
  VoteAny,
  VoteUni,
  VoteBallot,
  ActiveMask,
  MatchAny32,
  MatchAny64,
  ReduxAdd,
  ReduxMin,
  ReduxMax,
  ReduxUmin,
  ReduxUmax,
  ReduxAnd,
  ReduxOr,
  ReduxXor,
  // nanosleep: the thread lets the block's other threads run before it goes on, so a thread
  // polling memory (an mbarrier wait, a flag) sees what they write.
  Yield,
  MatchAll32, // result: the member mask when every member's value is the same, else 0;
  MatchAll64, // resultPredicate: whether they are
};
inline bool isBlockBarrier(SiteKind kind) {
  return kind <= SiteKind::BarrierOr;
}
inline bool isWarpCollective(SiteKind kind) {
  return !isBlockBarrier(kind) && kind != SiteKind::Yield;
}
inline bool isShuffle(SiteKind kind) {
  return kind >= SiteKind::ShflIdx && kind <= SiteKind::ShflBfly;
}

/// Emitted into every lowered module as `__drawbridge_module`, so a module loaded from the
/// object cache describes itself without its IR.
struct KernelDescriptor {
  const char* name;
  BlockFunction run;
  uint32_t frameSize;
  uint32_t staticShared;
  uint32_t siteCount;    // sites are numbered 1..siteCount
  const uint32_t* sites; // siteCount + 1 SiteKind values; [0] unused
  uint32_t paramCount;
  const uint32_t* paramSizes;
  const uint32_t* paramOffsets; // in CUDA's parameter buffer
};
struct GlobalDescriptor {
  const char* name;
  void* address;
  uint64_t size;
};
struct ModuleDescriptor {
  uint32_t kernelCount;
  uint32_t globalCount;
  const KernelDescriptor* kernels;
  const GlobalDescriptor* globals;
};
inline constexpr const char* kModuleDescriptorSymbol = "__drawbridge_module";

/// Runtime functions the generated code calls (resolved by the JIT).
inline constexpr const char* kTrapHook = "__drawbridge_trap";
inline constexpr const char* kAssertHook = "__drawbridge_assert";
/// int32_t (BlockContext*, int32_t site): every thread of the block that has not exited waits
/// at warp-collective `site`; resolves it in place and returns 1, or returns 0 when a mask
/// breaks PTX's rules, which the runtime then reports.
inline constexpr const char* kWarpSiteHook = "__drawbridge_warp_site";
/// uint64_t (): %globaltimer, nanoseconds of the host's real-time clock.
inline constexpr const char* kGlobalTimerHook = "__drawbridge_globaltimer";

} // namespace drawbridge::backend::cpu

// Block barriers, warp collectives and memory fences, as the llvm.nvvm.* intrinsics clang emits
// for __syncthreads, __shfl_*_sync, __ballot_sync, __match_*_sync, __reduce_*_sync,
// __activemask and __threadfence*, and sm_90's elect.sync, proxy fences and grid dependencies.
#include "Common.h"

#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/IntrinsicsNVPTX.h>

namespace drawbridge::ptx::nvvm {
namespace {

using namespace llvm::Intrinsic;

bool isImmediateZero(const Operand& op) {
  return op.kind == Operand::Kind::Immediate && op.value == 0;
}

// bar.warp.sync membermask.
void lowerWarpSync(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 1, 1))
    return;
  if (auto mask = readOperands(L, inst, 0, 1, ScalarType::B32))
    L.b().CreateIntrinsic(nvvm_bar_warp_sync, {}, *mask);
}

// bar.arrive a, b / barrier.arrive{.aligned} a, b: the producer side of a named barrier, which
// counts the thread without waiting. LLVM 19 has no NVVM intrinsic for it, so it is the inline
// PTX that clang emits for CUDA code using it (CUTLASS's NamedBarrier::arrive); NVPTX passes it
// through, and a backend that cannot run it names it.
void lowerArrive(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 2, 2))
    return;
  auto v = readOperands(L, inst, 0, 2, ScalarType::U32);
  if (!v)
    return;
  auto& b = L.b();
  std::string text = inst.opcode + ".arrive";
  if (inst.has("aligned"))
    text += ".aligned";
  auto* type = llvm::FunctionType::get(b.getVoidTy(), {b.getInt32Ty(), b.getInt32Ty()}, false);
  b.CreateCall(llvm::InlineAsm::get(type, text + " $0, $1;", "r,r", /*hasSideEffects=*/true), *v);
}

// bar.sync / barrier.sync a{, b}; bar.red.{popc,and,or} d, a{, b}, {!}p.
void lowerBarrier(FunctionLowering& L, const Instruction& inst) {
  auto& b = L.b();
  if (inst.has("warp"))
    return lowerWarpSync(L, inst);
  if (isClusterBarrier(inst))
    return lowerClusterBarrier(L, inst);
  if (inst.has("arrive"))
    return lowerArrive(L, inst);
  if (inst.has("red")) {
    if (!L.expectOperands(inst, 3, 3) || !isImmediateZero(inst.operands[1]))
      return L.unsupported(inst, "bar.red is supported on barrier 0 without a thread count");
    llvm::Value* p = L.read(inst.operands[2], ScalarType::Pred);
    if (!p)
      return L.fail(inst, "the predicate of '" + inst.spelling() + "' cannot be read");
    llvm::Value* arg = b.CreateZExt(p, b.getInt32Ty());
    if (inst.has("popc")) {
      L.write(inst.operands[0], b.CreateIntrinsic(nvvm_barrier0_popc, {}, {arg}), ScalarType::U32);
      return;
    }
    ID id = inst.has("and") ? nvvm_barrier0_and : nvvm_barrier0_or;
    llvm::Value* r = b.CreateIntrinsic(id, {}, {arg});
    L.write(inst.operands[0], b.CreateICmpNE(r, b.getInt32(0)), ScalarType::Pred);
    return;
  }
  if (!L.expectOperands(inst, 1, 2))
    return;
  auto v = readOperands(L, inst, 0, inst.operands.size(), ScalarType::U32);
  if (!v)
    return;
  // bar.sync and barrier.sync.aligned assume every thread reaches the same barrier instruction;
  // barrier.sync does not.
  bool aligned = inst.opcode == "bar" || inst.has("aligned");
  if (v->size() == 2) {
    b.CreateIntrinsic(aligned ? nvvm_barrier : nvvm_barrier_sync_cnt, {}, *v);
  } else if (aligned && isImmediateZero(inst.operands[0])) {
    b.CreateIntrinsic(nvvm_barrier0, {}, {});
  } else {
    b.CreateIntrinsic(aligned ? nvvm_barrier_n : nvvm_barrier_sync, {}, *v);
  }
}

// shfl.sync.mode.b32 d{|p}, a, b, c, membermask.
void lowerShfl(FunctionLowering& L, const Instruction& inst) {
  if (!inst.has("sync"))
    return L.unsupported(inst, "shfl without .sync was removed from PTX for sm_70 and later");
  if (!L.expectOperands(inst, 5, 5))
    return;
  auto v = readOperands(L, inst, 1, 4, ScalarType::B32);
  if (!v)
    return;
  bool withPredicate = inst.operands[0].pairedPredicate.has_value();
  ID id;
  if (inst.has("up"))
    id = withPredicate ? nvvm_shfl_sync_up_i32p : nvvm_shfl_sync_up_i32;
  else if (inst.has("down"))
    id = withPredicate ? nvvm_shfl_sync_down_i32p : nvvm_shfl_sync_down_i32;
  else if (inst.has("bfly"))
    id = withPredicate ? nvvm_shfl_sync_bfly_i32p : nvvm_shfl_sync_bfly_i32;
  else if (inst.has("idx"))
    id = withPredicate ? nvvm_shfl_sync_idx_i32p : nvvm_shfl_sync_idx_i32;
  else
    return L.fail(inst, "shfl.sync needs a mode: .up, .down, .bfly or .idx");
  auto& b = L.b();
  llvm::Value* r = b.CreateIntrinsic(id, {}, {(*v)[3], (*v)[0], (*v)[1], (*v)[2]});
  if (!withPredicate) {
    L.write(inst.operands[0], r, ScalarType::B32);
    return;
  }
  L.write(inst.operands[0], b.CreateExtractValue(r, 0), ScalarType::B32);
  L.writePairedPredicate(inst.operands[0], b.CreateExtractValue(r, 1));
}

// vote.sync.{all,any,uni}.pred d, {!}a, membermask; vote.sync.ballot.b32 d, {!}a, membermask.
void lowerVote(FunctionLowering& L, const Instruction& inst) {
  if (!inst.has("sync"))
    return L.unsupported(inst, "vote without .sync was removed from PTX for sm_70 and later");
  if (!L.expectOperands(inst, 3, 3))
    return;
  llvm::Value* p = L.read(inst.operands[1], ScalarType::Pred);
  llvm::Value* mask = L.read(inst.operands[2], ScalarType::B32);
  if (!p || !mask)
    return L.fail(inst, "the operands of '" + inst.spelling() + "' cannot be read");
  auto& b = L.b();
  if (inst.has("ballot")) {
    L.write(inst.operands[0], b.CreateIntrinsic(nvvm_vote_ballot_sync, {}, {mask, p}),
            ScalarType::B32);
    return;
  }
  ID id = inst.has("all")   ? nvvm_vote_all_sync
          : inst.has("any") ? nvvm_vote_any_sync
          : inst.has("uni") ? nvvm_vote_uni_sync
                            : ID(not_intrinsic);
  if (id == not_intrinsic)
    return L.fail(inst, "vote.sync needs a mode: .all, .any, .uni or .ballot");
  L.write(inst.operands[0], b.CreateIntrinsic(id, {}, {mask, p}), ScalarType::Pred);
}

// match.any.sync.type d, a, membermask; match.all.sync.type d{|p}, a, membermask.
void lowerMatch(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 3, 3))
    return;
  auto t = instructionType(L, inst);
  if (!t)
    return;
  bool wide = bitWidth(*t) == 64;
  llvm::Value* a = L.read(inst.operands[1], wide ? ScalarType::B64 : ScalarType::B32);
  llvm::Value* mask = L.read(inst.operands[2], ScalarType::B32);
  if (!a || !mask)
    return L.fail(inst, "the operands of '" + inst.spelling() + "' cannot be read");
  auto& b = L.b();
  if (inst.has("any")) {
    ID id = wide ? nvvm_match_any_sync_i64 : nvvm_match_any_sync_i32;
    L.write(inst.operands[0], b.CreateIntrinsic(id, {}, {mask, a}), ScalarType::B32);
    return;
  }
  if (!inst.has("all"))
    return L.fail(inst, "match.sync needs a mode: .any or .all");
  llvm::Value* r =
      b.CreateIntrinsic(wide ? nvvm_match_all_sync_i64p : nvvm_match_all_sync_i32p, {}, {mask, a});
  L.write(inst.operands[0], b.CreateExtractValue(r, 0), ScalarType::B32);
  L.writePairedPredicate(inst.operands[0], b.CreateExtractValue(r, 1));
}

// redux.sync.op.type d, a, membermask (sm_80).
void lowerRedux(FunctionLowering& L, const Instruction& inst) {
  auto s = typedSources(L, inst, 3, 2);
  if (!s)
    return;
  if (isFloat(s->type) || bitWidth(s->type) != 32)
    return L.unsupported(inst, "redux.sync is supported on 32-bit integers");
  bool sign = isSigned(s->type);
  ID id = inst.has("add")   ? nvvm_redux_sync_add
          : inst.has("min") ? (sign ? nvvm_redux_sync_min : nvvm_redux_sync_umin)
          : inst.has("max") ? (sign ? nvvm_redux_sync_max : nvvm_redux_sync_umax)
          : inst.has("and") ? nvvm_redux_sync_and
          : inst.has("or")  ? nvvm_redux_sync_or
          : inst.has("xor") ? nvvm_redux_sync_xor
                            : ID(not_intrinsic);
  if (id == not_intrinsic)
    return L.fail(inst, "redux.sync needs an operation");
  L.write(inst.operands[0], L.b().CreateIntrinsic(id, {}, s->values), s->type);
}

void lowerActivemask(FunctionLowering& L, const Instruction& inst) {
  if (L.expectOperands(inst, 1, 1))
    L.write(inst.operands[0], L.b().CreateIntrinsic(nvvm_activemask, {}, {}), ScalarType::B32);
}

void lowerMembar(FunctionLowering& L, const Instruction& inst) {
  ID id = inst.has("cta")   ? nvvm_membar_cta
          : inst.has("gl")  ? nvvm_membar_gl
          : inst.has("sys") ? nvvm_membar_sys
                            : ID(not_intrinsic);
  if (id == not_intrinsic)
    return L.fail(inst, "membar needs a level: .cta, .gl or .sys");
  L.b().CreateIntrinsic(id, {}, {});
}

// fence.{sc,acq_rel}.scope, fence.proxy.* and fence.mbarrier_init. A proxy fence orders the
// generic proxy's accesses against another proxy's (async copies, tensor maps, aliases); here
// every access is a generic one, so it is the full fence at its scope, as the others are.
void lowerFence(FunctionLowering& L, const Instruction& inst) {
  emitMembar(L, inst);
}

// elect.sync d|p, membermask: one leader among the lanes of membermask (all of which execute
// it, as .sync requires); the PTX ISA leaves which one open, this takes the lowest. d is its
// lane, p whether this lane is it.
void lowerElect(FunctionLowering& L, const Instruction& inst) {
  if (!inst.has("sync") || !L.expectOperands(inst, 2, 2))
    return;
  if (!inst.operands[0].pairedPredicate)
    return L.fail(inst, "elect.sync writes a lane and a predicate: d|p");
  auto mask = readOperands(L, inst, 1, 1, ScalarType::B32);
  if (!mask)
    return;
  auto& b = L.b();
  llvm::Value* leader = b.CreateBinaryIntrinsic(llvm::Intrinsic::cttz, (*mask)[0], b.getFalse());
  L.write(inst.operands[0], leader, ScalarType::B32);
  llvm::Value* lane = b.CreateIntrinsic(nvvm_read_ptx_sreg_laneid, {}, {});
  L.writePairedPredicate(inst.operands[0], b.CreateICmpEQ(lane, leader));
}

// griddepcontrol.{wait,launch_dependents}: programmatic dependent launch. A launch here starts
// only after the work before it in its stream has finished, so the prerequisite grids are always
// complete (wait has nothing to wait for), and launching dependents early is only a hint.
void lowerGridDependency(FunctionLowering& L, const Instruction& inst) {
  if (!inst.has("wait") && !inst.has("launch_dependents"))
    L.fail(inst, "griddepcontrol needs .wait or .launch_dependents");
}

} // namespace

void registerWarp(Registry& r) {
  r["bar"] = lowerBarrier;
  r["barrier"] = lowerBarrier;
  r["shfl"] = lowerShfl;
  r["vote"] = lowerVote;
  r["match"] = lowerMatch;
  r["redux"] = lowerRedux;
  r["activemask"] = lowerActivemask;
  r["membar"] = lowerMembar;
  r["fence"] = lowerFence;
  r["elect"] = lowerElect;
  r["griddepcontrol"] = lowerGridDependency;
}

} // namespace drawbridge::ptx::nvvm

// Cluster instructions in a launch without clusters, the only kind here: each block is a
// cluster of one, as the cluster special registers already say (FunctionLowering.cpp).
#include "Common.h"

#include <llvm/IR/IntrinsicsNVPTX.h>

namespace drawbridge::ptx::nvvm {

namespace {

/// The type of mapa/getctarank's address operands: .u32 (a shared::cluster address) or .u64.
std::optional<ScalarType> addressType(FunctionLowering& L, const Instruction& inst) {
  std::optional<ScalarType> type = instructionType(L, inst);
  if (type && *type != ScalarType::U32 && *type != ScalarType::U64) {
    L.fail(inst, "'" + inst.spelling() + "' takes .u32 or .u64 addresses");
    return std::nullopt;
  }
  return type;
}

// mapa d, a, rank: the address of a's variable in the block of the cluster with that rank. The
// only rank is 0, this block (PTX leaves other ranks undefined), so d is a.
void lowerMapa(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 3, 3))
    return;
  std::optional<ScalarType> type = addressType(L, inst);
  if (!type)
    return;
  if (llvm::Value* a = L.read(inst.operands[1], *type))
    L.write(inst.operands[0], a, *type);
  else
    L.fail(inst, "cannot read the address of '" + inst.spelling() + "'");
}

// getctarank d, a: the rank in the cluster of the block a's shared memory belongs to: 0.
void lowerGetctarank(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 2, 2) || !addressType(L, inst))
    return;
  L.write(inst.operands[0], L.b().getInt32(0), ScalarType::U32);
}

} // namespace

bool isClusterBarrier(const Instruction& inst) {
  return inst.has("cluster") && (inst.has("arrive") || inst.has("wait"));
}

// barrier.cluster.arrive{.release|.relaxed}{.aligned}: announces the thread to the cluster's
// barrier; the wait that follows is where it synchronises, so only the release remains here.
// barrier.cluster.wait{.acquire}{.aligned}: every thread of the cluster, which is this block,
// has arrived: the block's barrier 0 (.aligned: every thread at the same instruction, as
// bar.sync assumes; otherwise barrier.sync, which does not).
void lowerClusterBarrier(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 0, 0))
    return;
  Builder& b = L.b();
  if (inst.has("arrive")) {
    if (!inst.has("relaxed"))
      b.CreateIntrinsic(llvm::Intrinsic::nvvm_membar_cta, {}, {});
    return;
  }
  if (!inst.has("wait"))
    return L.unsupported(inst);
  if (inst.has("aligned"))
    b.CreateIntrinsic(llvm::Intrinsic::nvvm_barrier0, {}, {});
  else
    b.CreateIntrinsic(llvm::Intrinsic::nvvm_barrier_sync, {}, {b.getInt32(0)});
}

void registerClusters(Registry& r) {
  r["mapa"] = lowerMapa;
  r["getctarank"] = lowerGetctarank;
}

} // namespace drawbridge::ptx::nvvm

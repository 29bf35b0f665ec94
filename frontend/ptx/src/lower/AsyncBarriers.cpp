// mbarrier, and what completes through one (cp.async.mbarrier.arrive, bulk copies, st.async and
// red.async), for blocks launched without clusters (a block is a cluster of one).
//
// NVIDIA leaves an mbarrier's 64 bits opaque: programs see them only through mbarrier
// instructions, so this lowering keeps its own layout in them, updated by compare-exchange:
//   bits  0..20  arrivals still pending in the current phase
//   bits 21..41  arrivals expected per phase (arrive_drop lowers it)
//   bits 42..62  the transaction count, signed: bulk copies may complete bytes before the
//                thread that started them announces them with expect_tx
//   bit  63      the current phase's parity
// A phase completes when no arrival and no transaction is pending: the parity flips and the
// pending count starts again from the expected one. The state an arrive returns is the word
// before it, so it names the phase it arrived on.
//
// Copies are done when their instruction runs (as cp.async is), so cp.async.mbarrier.arrive
// and a bulk copy's complete_tx take effect at once. A wait whose phase has not completed calls
// nanosleep before it looks again, which the CPU backend makes a point where the block's other
// threads run; on NVIDIA hardware try_wait may return false after a time limit in the same way.
#include "Common.h"

#include <llvm/IR/IntrinsicsNVPTX.h>

namespace drawbridge::ptx::nvvm {

namespace {

constexpr unsigned kFieldBits = 21;
constexpr uint64_t kFieldMask = (uint64_t(1) << kFieldBits) - 1;
constexpr unsigned kExpectedShift = kFieldBits;
constexpr unsigned kTxShift = 2 * kFieldBits;
constexpr unsigned kPhaseShift = 63;

bool namesShared(const Instruction& inst) {
  return inst.space == StateSpace::Shared || inst.has("shared::cluster");
}

/// The mbarrier operand: a shared-window address under .shared, else a generic one.
llvm::Value* barrierAddress(FunctionLowering& L, const Instruction& inst, const Operand& op) {
  llvm::Value* pointer =
      L.address(op, namesShared(inst) ? StateSpace::Shared : StateSpace::Generic);
  if (!pointer)
    L.fail(inst, "cannot form the mbarrier address of '" + inst.spelling() + "'");
  return pointer;
}

llvm::Value* field(Builder& b, llvm::Value* word, unsigned shift) {
  return b.CreateAnd(b.CreateLShr(word, shift), kFieldMask);
}

llvm::Value* phaseOf(Builder& b, llvm::Value* word) {
  return b.CreateLShr(word, kPhaseShift);
}

/// `arrivals` arrivals (dropped from the expected count too when `drop`) and `tx` added to the
/// transaction count, atomically; completes the phase when nothing is pending after them.
/// Returns the word before.
llvm::Value* update(FunctionLowering& L, llvm::Value* pointer, llvm::Value* arrivals, bool drop,
                    llvm::Value* tx) {
  Builder& b = L.b();
  llvm::Type* i64 = b.getInt64Ty();
  auto* first = b.CreateAlignedLoad(i64, pointer, llvm::Align(8), "mbarrier.word");
  first->setAtomic(llvm::AtomicOrdering::Monotonic);
  llvm::BasicBlock* before = b.GetInsertBlock();
  llvm::BasicBlock* retry = L.newBlock("mbarrier.update");
  llvm::BasicBlock* done = L.newBlock("mbarrier.updated");
  b.CreateBr(retry);
  b.SetInsertPoint(retry);
  llvm::PHINode* old = b.CreatePHI(i64, 2, "mbarrier.old");
  old->addIncoming(first, before);
  llvm::Value* mask = b.getInt64(kFieldMask);
  llvm::Value* pending = b.CreateAnd(b.CreateSub(field(b, old, 0), arrivals), mask);
  llvm::Value* expected = field(b, old, kExpectedShift);
  if (drop)
    expected = b.CreateAnd(b.CreateSub(expected, arrivals), mask);
  llvm::Value* count = b.CreateAnd(b.CreateAdd(field(b, old, kTxShift), tx), mask);
  llvm::Value* complete =
      b.CreateAnd(b.CreateICmpEQ(pending, b.getInt64(0)), b.CreateICmpEQ(count, b.getInt64(0)));
  llvm::Value* phase = b.CreateXor(phaseOf(b, old), b.CreateZExt(complete, i64));
  pending = b.CreateSelect(complete, expected, pending);
  llvm::Value* word =
      b.CreateOr(b.CreateOr(pending, b.CreateShl(expected, kExpectedShift)),
                 b.CreateOr(b.CreateShl(count, kTxShift), b.CreateShl(phase, kPhaseShift)));
  llvm::Value* pair =
      b.CreateAtomicCmpXchg(pointer, old, word, llvm::Align(8), llvm::AtomicOrdering::Monotonic,
                            llvm::AtomicOrdering::Monotonic);
  old->addIncoming(b.CreateExtractValue(pair, 0), b.GetInsertBlock());
  b.CreateCondBr(b.CreateExtractValue(pair, 1), done, retry);
  b.SetInsertPoint(done);
  return old;
}

/// Arrivals and transactions release what the thread wrote before them.
llvm::Value* releasingUpdate(FunctionLowering& L, llvm::Value* pointer, llvm::Value* arrivals,
                             bool drop, llvm::Value* tx) {
  L.b().CreateIntrinsic(llvm::Intrinsic::nvvm_membar_cta, {}, {});
  return update(L, pointer, arrivals, drop, tx);
}

llvm::Value* readCount(FunctionLowering& L, const Instruction& inst, const Operand& op) {
  llvm::Value* v = L.read(op, ScalarType::U32);
  if (!v)
    L.fail(inst, "cannot read the count of '" + inst.spelling() + "'");
  return v ? L.b().CreateZExt(v, L.b().getInt64Ty()) : nullptr;
}

/// Completes `bytes` (an i64) of transactions on the mbarrier operand `op`.
void completeBytes(FunctionLowering& L, const Instruction& inst, const Operand& op,
                   llvm::Value* bytes) {
  llvm::Value* barrier = L.address(op, StateSpace::Shared);
  if (!barrier)
    return L.fail(inst, "cannot form the mbarrier address of '" + inst.spelling() + "'");
  releasingUpdate(L, barrier, L.b().getInt64(0), false, L.b().CreateNeg(bytes));
}

// mbarrier.init [a], count and mbarrier.inval [a].
void lowerInit(FunctionLowering& L, const Instruction& inst) {
  bool init = inst.modifiers[0] == "init";
  if (!L.expectOperands(inst, init ? 2 : 1, init ? 2 : 1))
    return;
  llvm::Value* pointer = barrierAddress(L, inst, inst.operands[0]);
  llvm::Value* count = init ? readCount(L, inst, inst.operands[1]) : L.b().getInt64(0);
  if (!pointer || !count)
    return;
  Builder& b = L.b();
  count = b.CreateAnd(count, kFieldMask);
  llvm::Value* word = b.CreateOr(count, b.CreateShl(count, kExpectedShift));
  b.CreateAlignedStore(word, pointer, llvm::Align(8));
}

// mbarrier.arrive{_drop}{.noComplete}{.expect_tx} state, [a]{, count | txCount}: `state` may be
// the sink `_` (the only choice for a barrier of another block of the cluster).
void lowerArrive(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 2, 3))
    return;
  bool drop = inst.modifiers[0] == "arrive_drop";
  bool expectTx = inst.has("expect_tx");
  if (expectTx && inst.operands.size() != 3)
    return L.fail(inst, "'" + inst.spelling() + "' takes a transaction count");
  llvm::Value* pointer = barrierAddress(L, inst, inst.operands[1]);
  if (!pointer)
    return;
  Builder& b = L.b();
  llvm::Value* arrivals = b.getInt64(1);
  llvm::Value* tx = b.getInt64(0);
  if (inst.operands.size() == 3) {
    llvm::Value* n = readCount(L, inst, inst.operands[2]);
    if (!n)
      return;
    (expectTx ? tx : arrivals) = n;
  }
  llvm::Value* state = releasingUpdate(L, pointer, arrivals, drop, tx);
  if (inst.operands[0].kind != Operand::Kind::Sink)
    L.write(inst.operands[0], state, ScalarType::B64);
}

// mbarrier.expect_tx [a], txCount and mbarrier.complete_tx [a], txCount.
void lowerTransactions(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 2, 2))
    return;
  llvm::Value* pointer = barrierAddress(L, inst, inst.operands[0]);
  llvm::Value* bytes = readCount(L, inst, inst.operands[1]);
  if (!pointer || !bytes)
    return;
  Builder& b = L.b();
  if (inst.modifiers[0] == "complete_tx")
    bytes = b.CreateNeg(bytes);
  releasingUpdate(L, pointer, b.getInt64(0), false, bytes);
}

/// Whether the phase `state` names (or, for .parity, the phase of parity `parity`) has
/// completed: the barrier's parity has moved on from it.
llvm::Value* phaseCompleted(FunctionLowering& L, llvm::Value* pointer, llvm::Value* awaited) {
  Builder& b = L.b();
  auto* word = b.CreateAlignedLoad(b.getInt64Ty(), pointer, llvm::Align(8), "mbarrier.now");
  word->setAtomic(llvm::AtomicOrdering::Monotonic);
  return b.CreateICmpNE(phaseOf(b, word), awaited);
}

// mbarrier.test_wait{.parity} p, [a], state|parity and mbarrier.try_wait{.parity} p, [a],
// state|parity{, suspendTimeHint}: looks once and, when the phase has not completed, once more
// after letting the other threads run.
void lowerWait(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 3, inst.modifiers[0] == "try_wait" ? 4 : 3))
    return;
  llvm::Value* pointer = barrierAddress(L, inst, inst.operands[1]);
  bool parity = inst.has("parity");
  llvm::Value* operand = L.read(inst.operands[2], parity ? ScalarType::U32 : ScalarType::B64);
  if (!pointer || !operand)
    return L.fail(inst, "cannot read the operands of '" + inst.spelling() + "'");
  Builder& b = L.b();
  llvm::Value* awaited =
      parity ? b.CreateZExt(b.CreateAnd(operand, 1), b.getInt64Ty()) : phaseOf(b, operand);
  llvm::Value* first = phaseCompleted(L, pointer, awaited);
  llvm::BasicBlock* looked = b.GetInsertBlock();
  llvm::BasicBlock* later = L.newBlock("mbarrier.later");
  llvm::BasicBlock* done = L.newBlock("mbarrier.waited");
  b.CreateCondBr(first, done, later);
  b.SetInsertPoint(later);
  b.CreateIntrinsic(llvm::Intrinsic::nvvm_nanosleep, {}, {b.getInt32(0)});
  llvm::Value* second = phaseCompleted(L, pointer, awaited);
  b.CreateBr(done);
  b.SetInsertPoint(done);
  llvm::PHINode* completed = b.CreatePHI(b.getInt1Ty(), 2, "mbarrier.completed");
  completed->addIncoming(first, looked);
  completed->addIncoming(second, later);
  // A completed wait acquires what the arrivals released.
  b.CreateIntrinsic(llvm::Intrinsic::nvvm_membar_cta, {}, {});
  L.write(inst.operands[0], completed, ScalarType::Pred);
}

// mbarrier.pending_count.b64 count, state: the arrivals pending when `state` was taken.
void lowerPendingCount(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 2, 2))
    return;
  llvm::Value* state = L.read(inst.operands[1], ScalarType::B64);
  if (!state)
    return L.fail(inst, "cannot read the state of '" + inst.spelling() + "'");
  Builder& b = L.b();
  L.write(inst.operands[0], b.CreateTrunc(field(b, state, 0), b.getInt32Ty()), ScalarType::U32);
}

// cp.async.mbarrier.arrive{.noinc} [a]: an arrival once the thread's earlier cp.async copies
// are done, which they are. Without .noinc the pending count is raised by one first, so the
// two cancel out and only the ordering remains.
void lowerCpAsyncArrive(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 1, 1))
    return;
  llvm::Value* pointer = barrierAddress(L, inst, inst.operands[0]);
  if (!pointer)
    return;
  Builder& b = L.b();
  if (inst.has("noinc"))
    releasingUpdate(L, pointer, b.getInt64(1), false, b.getInt64(0));
  else
    b.CreateIntrinsic(llvm::Intrinsic::nvvm_membar_cta, {}, {});
}

// cp.async.bulk.{shared::cluster|shared::cta}.{global|shared::cta}.mbarrier::complete_tx::bytes
// [dst], [src], size, [mbar]: the copy, then size bytes completed on mbar.
// cp.async.bulk.global.shared::cta.bulk_group [dst], [src], size: the copy; its commit and wait
// instructions have nothing left to wait for. prefetch forms do nothing.
void lowerBulkCopy(FunctionLowering& L, const Instruction& inst) {
  if (inst.has("tensor"))
    return L.unsupported(inst, "tensor copies read a tensor map (TMA), which this backend has "
                               "no unit for; copy with cp.async.bulk or plain loads instead");
  if (inst.has("multicast::cluster"))
    return L.unsupported(inst, "multicast copies to the blocks of a cluster, and launches here "
                               "have no clusters");
  if (inst.has("prefetch"))
    return;
  bool toShared = inst.has("mbarrier::complete_tx::bytes");
  if (!toShared && !inst.has("bulk_group"))
    return L.unsupported(inst);
  // Optional trailing operands (a cache policy, a byte mask) are hints or need .cp_mask.
  if (inst.has("cp_mask"))
    return L.unsupported(inst, "byte-masked bulk copies are not supported");
  if (!L.expectOperands(inst, toShared ? 4 : 3, toShared ? 5 : 4))
    return;
  StateSpace from = inst.has("global") && toShared ? StateSpace::Global : StateSpace::Shared;
  llvm::Value* dst =
      L.address(inst.operands[0], toShared ? StateSpace::Shared : StateSpace::Global);
  llvm::Value* src = L.address(inst.operands[1], from);
  llvm::Value* size = readCount(L, inst, inst.operands[2]);
  if (!dst || !src || !size)
    return L.fail(inst, "cannot read the operands of '" + inst.spelling() + "'");
  Builder& b = L.b();
  b.CreateMemCpy(dst, llvm::Align(16), src, llvm::Align(16), size);
  if (!toShared)
    return;
  completeBytes(L, inst, inst.operands[3], size);
}

/// The atomic operation of a reduction's `.op` on elements of `type`, if it has one.
std::optional<llvm::AtomicRMWInst::BinOp> reduction(const Instruction& inst, ScalarType type) {
  using Op = llvm::AtomicRMWInst::BinOp;
  bool isFloat = type == ScalarType::F32 || type == ScalarType::F64;
  bool isSigned = type == ScalarType::S32 || type == ScalarType::S64;
  bool isInteger = isSigned || type == ScalarType::U32 || type == ScalarType::U64 ||
                   type == ScalarType::B32 || type == ScalarType::B64;
  if (!isFloat && !isInteger)
    return std::nullopt; // f16 and bf16 need compare-exchange loops (Atomics.cpp)
  if (inst.has("add"))
    return isFloat ? Op::FAdd : Op::Add;
  if (isFloat)
    return std::nullopt;
  return inst.has("min")   ? Op(isSigned ? Op::Min : Op::UMin)
         : inst.has("max") ? Op(isSigned ? Op::Max : Op::UMax)
         : inst.has("inc") ? Op::UIncWrap
         : inst.has("dec") ? Op::UDecWrap
         : inst.has("and") ? Op::And
         : inst.has("or")  ? Op::Or
         : inst.has("xor") ? Op::Xor
                           : std::optional<Op>();
}

// cp.reduce.async.bulk.global.shared::cta.bulk_group.op.type [dst], [src], size and
// cp.reduce.async.bulk.shared::cluster.shared::cta.mbarrier::complete_tx::bytes.op.type [dst],
// [src], size, [mbar]: each element of dst reduced with src's, atomically, when the
// instruction runs; then size bytes completed on mbar.
void lowerBulkReduce(FunctionLowering& L, const Instruction& inst) {
  if (inst.has("tensor"))
    return L.unsupported(inst, "tensor reductions read a tensor map (TMA), which this backend has "
                               "no unit for; reduce with atom or red instead");
  bool toShared = inst.has("mbarrier::complete_tx::bytes");
  if (!L.expectOperands(inst, toShared ? 4 : 3, toShared ? 5 : 4))
    return;
  std::optional<ScalarType> type = instructionType(L, inst);
  if (!type)
    return;
  auto op = reduction(inst, *type);
  if (!op)
    return L.unsupported(inst, "this bulk reduction's operation and type are not supported; "
                               "reduce with atom or red instead");
  Builder& b = L.b();
  llvm::Value* dst =
      L.address(inst.operands[0], toShared ? StateSpace::Shared : StateSpace::Global);
  llvm::Value* src = L.address(inst.operands[1], StateSpace::Shared);
  llvm::Value* size = readCount(L, inst, inst.operands[2]);
  if (!dst || !src || !size)
    return L.fail(inst, "cannot read the operands of '" + inst.spelling() + "'");
  llvm::Type* element = L.type(*type);
  uint64_t bytes = element->getPrimitiveSizeInBits() / 8;
  llvm::Value* count = b.CreateUDiv(size, b.getInt64(bytes));
  llvm::BasicBlock* before = b.GetInsertBlock();
  llvm::BasicBlock* loop = L.newBlock("bulk.reduce");
  llvm::BasicBlock* body = L.newBlock("bulk.reduce.element");
  llvm::BasicBlock* done = L.newBlock("bulk.reduced");
  b.CreateBr(loop);
  b.SetInsertPoint(loop);
  llvm::PHINode* index = b.CreatePHI(b.getInt64Ty(), 2, "bulk.index");
  index->addIncoming(b.getInt64(0), before);
  b.CreateCondBr(b.CreateICmpULT(index, count), body, done);
  b.SetInsertPoint(body);
  llvm::Value* value =
      b.CreateAlignedLoad(element, b.CreateGEP(element, src, index), llvm::Align(bytes));
  b.CreateAtomicRMW(*op, b.CreateGEP(element, dst, index), value, llvm::Align(bytes),
                    llvm::AtomicOrdering::Monotonic);
  index->addIncoming(b.CreateAdd(index, b.getInt64(1)), body);
  b.CreateBr(loop);
  b.SetInsertPoint(done);
  if (!toShared)
    return;
  completeBytes(L, inst, inst.operands[3], size);
}

} // namespace

// st.async{.sem}{.scope}.shared::cluster.mbarrier::complete_tx::bytes{.v2|.v4}.type [a], b,
// [mbar]: a store into the shared memory of a block of the cluster (this one), whose bytes then
// complete on mbar.
void lowerStoreAsync(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 3, 3))
    return;
  std::optional<ScalarType> type = instructionType(L, inst);
  if (!type)
    return;
  const Operand& source = inst.operands[1];
  std::vector<const Operand*> elements;
  if (source.kind == Operand::Kind::Vector)
    for (const Operand& element : source.elements)
      elements.push_back(&element);
  else
    elements.push_back(&source);
  if (elements.size() != inst.vectorWidth)
    return L.fail(inst, "'" + inst.spelling() + "' stores " + std::to_string(inst.vectorWidth) +
                            " values");
  Builder& b = L.b();
  llvm::Type* element = L.type(*type);
  uint64_t bytes = element->getPrimitiveSizeInBits() / 8;
  llvm::Value* pointer = L.address(inst.operands[0], StateSpace::Shared);
  if (!pointer)
    return L.fail(inst, "cannot form the address of '" + inst.spelling() + "'");
  for (size_t i = 0; i < elements.size(); ++i) {
    llvm::Value* value = L.read(*elements[i], *type);
    if (!value)
      return L.fail(inst, "cannot read the values of '" + inst.spelling() + "'");
    llvm::Value* at = b.CreateConstGEP1_64(b.getInt8Ty(), pointer, i * bytes);
    b.CreateAlignedStore(value, at, llvm::Align(bytes));
  }
  completeBytes(L, inst, inst.operands[2], b.getInt64(bytes * elements.size()));
}

// red.async.relaxed.cluster.shared::cluster.mbarrier::complete_tx::bytes.op.type [a], b, [mbar]:
// an atomic reduction into the shared memory of a block of the cluster (this one), whose bytes
// then complete on mbar.
void lowerReduceAsync(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 3, 3))
    return;
  std::optional<ScalarType> type = instructionType(L, inst);
  if (!type)
    return;
  auto op = reduction(inst, *type);
  if (!op)
    return L.unsupported(inst);
  llvm::Value* pointer = L.address(inst.operands[0], StateSpace::Shared);
  llvm::Value* value = L.read(inst.operands[1], *type);
  if (!pointer || !value)
    return L.fail(inst, "cannot read the operands of '" + inst.spelling() + "'");
  Builder& b = L.b();
  uint64_t bytes = value->getType()->getPrimitiveSizeInBits() / 8;
  b.CreateAtomicRMW(*op, pointer, value, llvm::Align(bytes), llvm::AtomicOrdering::Monotonic);
  completeBytes(L, inst, inst.operands[2], b.getInt64(bytes));
}

void lowerMbarrierUse(FunctionLowering& L, const Instruction& inst) {
  if (inst.opcode == "cp") {
    if (inst.has("reduce"))
      return lowerBulkReduce(L, inst);
    if (inst.has("bulk"))
      return lowerBulkCopy(L, inst);
    return lowerCpAsyncArrive(L, inst);
  }
  if (inst.modifiers.empty())
    return L.unsupported(inst);
  const std::string& form = inst.modifiers[0];
  if (form == "init" || form == "inval")
    return lowerInit(L, inst);
  if (form == "arrive" || form == "arrive_drop")
    return lowerArrive(L, inst);
  if (form == "expect_tx" || form == "complete_tx")
    return lowerTransactions(L, inst);
  if (form == "test_wait" || form == "try_wait")
    return lowerWait(L, inst);
  if (form == "pending_count")
    return lowerPendingCount(L, inst);
  L.unsupported(inst);
}

void registerAsyncBarriers(Registry& r) {
  r["mbarrier"] = lowerMbarrierUse;
}

} // namespace drawbridge::ptx::nvvm

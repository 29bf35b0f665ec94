// Atomic read-modify-write: atom (returns the old value) and red (does not), every operation,
// type, space, ordering and scope, as LLVM atomicrmw/cmpxchg.
#include "Common.h"

namespace drawbridge::ptx::nvvm {
namespace {

using Op = llvm::AtomicRMWInst::BinOp;

llvm::AtomicOrdering orderingOf(const Instruction& inst) {
  if (inst.has("acq_rel"))
    return llvm::AtomicOrdering::AcquireRelease;
  if (inst.has("acquire"))
    return llvm::AtomicOrdering::Acquire;
  if (inst.has("release"))
    return llvm::AtomicOrdering::Release;
  return llvm::AtomicOrdering::Monotonic; // .relaxed, PTX's default for atom and red
}

std::optional<Op> operationOf(const Instruction& inst, ScalarType t) {
  bool fp = isFloat(t);
  bool sign = isSigned(t);
  if (inst.has("add"))
    return fp ? Op::FAdd : Op::Add;
  if (inst.has("min"))
    return fp ? Op::FMin : sign ? Op::Min : Op::UMin;
  if (inst.has("max"))
    return fp ? Op::FMax : sign ? Op::Max : Op::UMax;
  if (fp)
    return inst.has("exch") ? std::optional(Op::Xchg) : std::nullopt;
  if (inst.has("and"))
    return Op::And;
  if (inst.has("or"))
    return Op::Or;
  if (inst.has("xor"))
    return Op::Xor;
  if (inst.has("exch"))
    return Op::Xchg;
  // inc: old >= b ? 0 : old + 1; dec: old == 0 || old > b ? b : old - 1 -- LLVM's wrap forms.
  if (inst.has("inc"))
    return Op::UIncWrap;
  if (inst.has("dec"))
    return Op::UDecWrap;
  return std::nullopt;
}

// cmpxchg needs a failure ordering no stronger than the success one, and without release.
llvm::AtomicOrdering failureOrdering(llvm::AtomicOrdering order) {
  if (order == llvm::AtomicOrdering::Release)
    return llvm::AtomicOrdering::Monotonic;
  if (order == llvm::AtomicOrdering::AcquireRelease)
    return llvm::AtomicOrdering::Acquire;
  return order;
}

// f16/bf16 (and their x2 packs) read-modify-write as a compare-exchange loop on the bits: exact,
// and portable to backends without half-precision atomics. `.noftz` is what PTX has for these.
llvm::Value* compareExchangeLoop(FunctionLowering& L, Op op, llvm::Value* pointer,
                                 llvm::Value* operand, llvm::Align align,
                                 llvm::AtomicOrdering order, llvm::SyncScope::ID scope) {
  auto& b = L.b();
  llvm::Type* type = operand->getType();
  llvm::Type* bits = L.intType(L.ir().getDataLayout().getTypeSizeInBits(type));
  llvm::BasicBlock* before = b.GetInsertBlock();
  // A relaxed atomic read: the first guess must not be a racy (undefined) read.
  llvm::LoadInst* initial = b.CreateAlignedLoad(bits, pointer, align);
  initial->setAtomic(llvm::AtomicOrdering::Monotonic, scope);
  llvm::BasicBlock* loop = L.newBlock("atomic.loop");
  llvm::BasicBlock* done = L.newBlock("atomic.done");
  b.CreateBr(loop);
  b.SetInsertPoint(loop);
  llvm::PHINode* expected = b.CreatePHI(bits, 2);
  expected->addIncoming(initial, before);
  llvm::Value* current = b.CreateBitCast(expected, type);
  llvm::Value* updated =
      op == Op::FAdd   ? b.CreateFAdd(current, operand)
      : op == Op::FMin ? b.CreateBinaryIntrinsic(llvm::Intrinsic::minnum, current, operand)
      : op == Op::FMax ? b.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, current, operand)
                       : operand; // exch
  llvm::Value* pair = b.CreateAtomicCmpXchg(pointer, expected, b.CreateBitCast(updated, bits),
                                            align, order, failureOrdering(order), scope);
  llvm::Value* seen = b.CreateExtractValue(pair, 0);
  expected->addIncoming(seen, b.GetInsertBlock());
  b.CreateCondBr(b.CreateExtractValue(pair, 1), done, loop);
  b.SetInsertPoint(done);
  return b.CreateBitCast(seen, type);
}

void lowerAtomic(FunctionLowering& L, const Instruction& inst) {
  if (inst.has("async"))
    return lowerReduceAsync(L, inst);
  bool returnsOld = inst.opcode == "atom";
  size_t first = returnsOld ? 1 : 0;
  bool isCas = inst.has("cas");
  size_t operands = first + (isCas ? 3 : 2);
  // .L2::cache_hint adds a cache-policy operand, a hint that changes no result.
  if (!L.expectOperands(inst, operands, operands + inst.has("L2::cache_hint")))
    return;
  auto t = instructionType(L, inst);
  if (!t)
    return;
  if (inst.vectorWidth > 1)
    return L.unsupported(inst, "vector atomics are not supported yet");
  const Operand& addr = inst.operands[first];
  if (addr.kind != Operand::Kind::Address)
    return L.fail(inst, "operand " + std::to_string(first + 1) + " of '" + inst.spelling() +
                            "' must be an address in brackets");
  llvm::Value* pointer = L.address(addr, inst.space);
  auto v = pointer ? readOperands(L, inst, first + 1, isCas ? 2 : 1, *t) : std::nullopt;
  if (!v)
    return;
  auto& b = L.b();
  llvm::AtomicOrdering order = orderingOf(inst);
  llvm::SyncScope::ID scope = scopeOf(L, inst);
  llvm::Align align(bitWidth(*t) / 8);
  llvm::Value* old = nullptr;
  if (isCas) {
    llvm::Value* expected = (*v)[0];
    llvm::Value* desired = (*v)[1];
    if (!expected->getType()->isIntegerTy())
      return L.unsupported(inst, "cas works on bit types");
    old = b.CreateExtractValue(b.CreateAtomicCmpXchg(pointer, expected, desired, align, order,
                                                     failureOrdering(order), scope),
                               0);
  } else {
    auto op = operationOf(inst, *t);
    if (!op)
      return L.unsupported(inst);
    bool halfPrecision = *t == ScalarType::F16 || *t == ScalarType::BF16 || isPacked(*t);
    old = halfPrecision ? compareExchangeLoop(L, *op, pointer, (*v)[0], align, order, scope)
                        : b.CreateAtomicRMW(*op, pointer, (*v)[0], align, order, scope);
  }
  if (returnsOld)
    L.write(inst.operands[0], old, *t);
}

} // namespace

void registerAtomics(Registry& r) {
  r["atom"] = lowerAtomic;
  r["red"] = lowerAtomic;
}

} // namespace drawbridge::ptx::nvvm

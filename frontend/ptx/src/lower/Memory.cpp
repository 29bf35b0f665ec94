// Loads and stores: ld st ldu (scalar and vector, every state space, volatile and the memory
// model's relaxed/acquire/release forms), ld.global.nc as an invariant load (what NVPTX selects
// ld.global.nc from), prefetch, and cp.async performed as a synchronous copy.
#include "Common.h"

#include <llvm/IR/IntrinsicsNVPTX.h>

namespace drawbridge::ptx::nvvm {
namespace {

struct Access {
  ScalarType type;
  llvm::Type* element;
  llvm::Type* memory; // element, or a vector of them
  llvm::Value* pointer;
  llvm::Align align;
};

std::optional<Access> accessOf(FunctionLowering& L, const Instruction& inst, size_t addressIndex) {
  auto t = instructionType(L, inst);
  if (!t)
    return std::nullopt;
  const Operand& addr = inst.operands[addressIndex];
  if (addr.kind != Operand::Kind::Address) {
    L.fail(inst, "operand " + std::to_string(addressIndex + 1) + " of '" + inst.spelling() +
                     "' must be an address in brackets");
    return std::nullopt;
  }
  llvm::Value* pointer = L.address(addr, inst.space);
  if (!pointer) {
    L.fail(inst, "cannot form the address of '" + inst.spelling() + "'");
    return std::nullopt;
  }
  // Predicates are not addressable; bytes stand in for them in memory.
  llvm::Type* element = *t == ScalarType::Pred ? L.b().getInt8Ty() : L.type(*t);
  llvm::Type* memory =
      inst.vectorWidth > 1 ? llvm::FixedVectorType::get(element, inst.vectorWidth) : element;
  // PTX requires accesses to be naturally aligned, vectors to their whole size.
  uint64_t bytes = L.ir().getDataLayout().getTypeStoreSize(memory);
  return Access{*t, element, memory, pointer, llvm::Align(bytes)};
}

// A whole .param variable accessed at once (ld.param.f32 of a .b32 parameter): accessing it with
// its own type, then reinterpreting the bits, lets mem2reg turn parameters into SSA values.
llvm::Type* wholeParamType(FunctionLowering& L, const Access& access) {
  auto* slot = llvm::dyn_cast<llvm::AllocaInst>(access.pointer);
  if (!slot)
    return nullptr;
  llvm::Type* own = slot->getAllocatedType();
  const auto& dl = L.ir().getDataLayout();
  if (own == access.memory || !own->isSingleValueType() ||
      dl.getTypeStoreSize(own) != dl.getTypeStoreSize(access.memory))
    return nullptr;
  return own;
}

// volatile, and the memory model's relaxed/acquire/release. LLVM 19's NVPTX backend selects only
// monotonic atomic loads and stores, so acquire and release add a membar after the load or before
// the store (emitted by the callers) around a relaxed access.
void applyOrdering(FunctionLowering& L, const Instruction& inst, llvm::Instruction* access) {
  bool atomic = inst.has("relaxed") || inst.has("acquire") || inst.has("release");
  if (auto* load = llvm::dyn_cast<llvm::LoadInst>(access)) {
    load->setVolatile(inst.has("volatile"));
    if (atomic)
      load->setAtomic(llvm::AtomicOrdering::Monotonic, scopeOf(L, inst));
  } else if (auto* store = llvm::dyn_cast<llvm::StoreInst>(access)) {
    store->setVolatile(inst.has("volatile"));
    if (atomic)
      store->setAtomic(llvm::AtomicOrdering::Monotonic, scopeOf(L, inst));
  }
}

// .L2::cache_hint adds a cache-policy operand; it is only a hint, so it is read nowhere.
bool hasCachePolicy(const Instruction& inst) {
  return inst.has("L2::cache_hint");
}

bool validOrdering(FunctionLowering& L, const Instruction& inst, bool isLoad) {
  if ((isLoad && inst.has("release")) || (!isLoad && inst.has("acquire"))) {
    L.fail(inst, "'" + inst.spelling() + "' has an ordering that PTX does not allow here");
    return false;
  }
  return true;
}

bool isOrdered(const Instruction& inst) {
  return inst.has("relaxed") || inst.has("acquire") || inst.has("release");
}

// PTX's memory model treats an ordered vector access (CUB's st.relaxed.gpu.v2.u64 tile states)
// as one access per element in no particular order: each element is an atomic access of its
// own. The pointer to element i of the access:
llvm::Value* elementPointer(FunctionLowering& L, const Access& access, unsigned i) {
  return L.b().CreateConstGEP1_32(access.element, access.pointer, i);
}

llvm::Align elementAlign(const Access& access, unsigned i) {
  return llvm::commonAlignment(access.align,
                               i * access.element->getPrimitiveSizeInBits().getFixedValue() / 8);
}

llvm::Value* loadElements(FunctionLowering& L, const Instruction& inst, const Access& access) {
  auto& b = L.b();
  llvm::Value* vector = llvm::PoisonValue::get(access.memory);
  for (unsigned i = 0; i < inst.vectorWidth; ++i) {
    auto* load =
        b.CreateAlignedLoad(access.element, elementPointer(L, access, i), elementAlign(access, i));
    applyOrdering(L, inst, load);
    vector = b.CreateInsertElement(vector, load, i);
  }
  return vector;
}

void storeElements(FunctionLowering& L, const Instruction& inst, const Access& access,
                   llvm::Value* vector) {
  auto& b = L.b();
  for (unsigned i = 0; i < inst.vectorWidth; ++i) {
    auto* store = b.CreateAlignedStore(b.CreateExtractElement(vector, i),
                                       elementPointer(L, access, i), elementAlign(access, i));
    applyOrdering(L, inst, store);
  }
}

void lowerLoad(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 2, 2 + hasCachePolicy(inst)) || !validOrdering(L, inst, true))
    return;
  auto access = accessOf(L, inst, 1);
  if (!access)
    return;
  auto& b = L.b();
  llvm::Value* loaded = nullptr;
  if (llvm::Type* own = wholeParamType(L, *access)) {
    loaded = L.convertBits(b.CreateLoad(own, access->pointer), access->memory, false);
  } else if (inst.vectorWidth > 1 && isOrdered(inst)) {
    loaded = loadElements(L, inst, *access);
    if (inst.has("acquire"))
      emitMembar(L, inst);
  } else {
    auto* load = b.CreateAlignedLoad(access->memory, access->pointer, access->align);
    applyOrdering(L, inst, load);
    if (inst.has("acquire"))
      emitMembar(L, inst);
    // ld.global.nc and ldu read memory that does not change during the kernel.
    if (inst.has("nc") || inst.opcode == "ldu")
      load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(L.ctx(), {}));
    loaded = load;
  }
  const Operand& dest = inst.operands[0];
  if (inst.vectorWidth == 1) {
    L.write(dest, loaded, access->type);
    return;
  }
  if (dest.kind != Operand::Kind::Vector || dest.elements.size() != inst.vectorWidth)
    return L.fail(inst, "'" + inst.spelling() + "' needs " + std::to_string(inst.vectorWidth) +
                            " destination registers in braces");
  for (unsigned i = 0; i < inst.vectorWidth; ++i)
    L.write(dest.elements[i], b.CreateExtractElement(loaded, i), access->type);
}

void lowerStore(FunctionLowering& L, const Instruction& inst) {
  if (inst.has("async"))
    return lowerStoreAsync(L, inst);
  if (!L.expectOperands(inst, 2, 2 + hasCachePolicy(inst)) || !validOrdering(L, inst, false))
    return;
  auto access = accessOf(L, inst, 0);
  if (!access)
    return;
  auto& b = L.b();
  const Operand& src = inst.operands[1];
  llvm::Value* value = nullptr;
  if (inst.vectorWidth == 1) {
    value = L.read(src, access->type);
    if (value && access->type == ScalarType::Pred)
      value = b.CreateZExt(value, access->element);
  } else if (src.kind == Operand::Kind::Vector && src.elements.size() == inst.vectorWidth) {
    value = llvm::PoisonValue::get(access->memory);
    for (unsigned i = 0; i < inst.vectorWidth && value; ++i) {
      llvm::Value* e = L.read(src.elements[i], access->type);
      value = e ? b.CreateInsertElement(value, e, i) : nullptr;
    }
  }
  if (!value)
    return L.fail(inst, "cannot read the value that '" + inst.spelling() + "' stores");
  if (llvm::Type* own = wholeParamType(L, *access)) {
    b.CreateStore(L.convertBits(value, own, false), access->pointer);
    return;
  }
  if (inst.has("release"))
    emitMembar(L, inst);
  if (inst.vectorWidth > 1 && isOrdered(inst))
    return storeElements(L, inst, *access, value);
  auto* store = b.CreateAlignedStore(value, access->pointer, access->align);
  applyOrdering(L, inst, store);
}

// Prefetches only move data between caches; with no effect on results they lower to nothing.
void lowerPrefetch(FunctionLowering& L, const Instruction& inst) {
  L.expectOperands(inst, 1, 1);
}

// cp.async.{ca,cg}.shared.global [dst], [src], size{, srcSize}: copies size bytes, zero-filling
// past srcSize. Performed synchronously, so the commit/wait instructions have nothing to wait for.
void lowerCpAsync(FunctionLowering& L, const Instruction& inst) {
  if (inst.has("commit_group") || inst.has("wait_group") || inst.has("wait_all"))
    return;
  if (inst.has("bulk") || inst.has("mbarrier"))
    return lowerMbarrierUse(L, inst);
  if (!inst.has("async") || inst.has("reduce"))
    return L.unsupported(inst);
  if (!L.expectOperands(inst, 3, 4))
    return;
  const Operand& size = inst.operands[2];
  if (size.kind != Operand::Kind::Immediate ||
      (size.value != 4 && size.value != 8 && size.value != 16))
    return L.fail(inst, "cp.async copies 4, 8 or 16 bytes");
  auto& b = L.b();
  llvm::Value* dst = L.address(inst.operands[0], StateSpace::Shared);
  llvm::Value* src = L.address(inst.operands[1], StateSpace::Global);
  if (!dst || !src)
    return L.fail(inst, "cannot form the addresses of '" + inst.spelling() + "'");
  uint64_t bytes = static_cast<uint64_t>(size.value);
  if (inst.operands.size() == 3) {
    b.CreateMemCpy(dst, llvm::Align(bytes), src, llvm::Align(bytes), bytes);
    return;
  }
  // With a source size, bytes past it are zero: copy byte by byte under a bound.
  llvm::Value* srcSize = L.read(inst.operands[3], ScalarType::U32);
  if (!srcSize)
    return L.fail(inst, "cannot read the source size of '" + inst.spelling() + "'");
  for (uint64_t i = 0; i < bytes; ++i) {
    llvm::Value* from = b.CreateConstGEP1_64(b.getInt8Ty(), src, i);
    llvm::Value* to = b.CreateConstGEP1_64(b.getInt8Ty(), dst, i);
    llvm::Value* inside = b.CreateICmpULT(b.getInt32(static_cast<uint32_t>(i)), srcSize);
    // Only read bytes inside the source: the rest may lie past the end of an allocation.
    llvm::Value* safeFrom = b.CreateSelect(inside, from, src);
    llvm::Value* byte = b.CreateLoad(b.getInt8Ty(), safeFrom);
    b.CreateStore(b.CreateSelect(inside, byte, b.getInt8(0)), to);
  }
}

// isspacep.space p, a: whether the generic address a points into the space.
void lowerIsspacep(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 2, 2))
    return;
  llvm::Intrinsic::ID id =
      inst.space == StateSpace::Global   ? llvm::Intrinsic::nvvm_isspacep_global
      : inst.space == StateSpace::Shared ? llvm::Intrinsic::nvvm_isspacep_shared
      : inst.space == StateSpace::Const  ? llvm::Intrinsic::nvvm_isspacep_const
      : inst.space == StateSpace::Local  ? llvm::Intrinsic::nvvm_isspacep_local
                                         : llvm::Intrinsic::ID(llvm::Intrinsic::not_intrinsic);
  if (id == llvm::Intrinsic::not_intrinsic)
    return L.unsupported(inst);
  llvm::Value* address = L.read(inst.operands[1], ScalarType::U64);
  if (!address)
    return L.fail(inst, "cannot read the address of '" + inst.spelling() + "'");
  auto& b = L.b();
  llvm::Value* r = b.CreateIntrinsic(id, {}, {b.CreateIntToPtr(address, b.getPtrTy())});
  L.write(inst.operands[0], r, ScalarType::Pred);
}

// createpolicy makes an opaque cache policy for .L2::cache_hint operands. Policies are hints this
// lowering does not use, so any value is a faithful one: zero.
void lowerCreatePolicy(FunctionLowering& L, const Instruction& inst) {
  if (L.expectOperands(inst, 2, 3))
    L.write(inst.operands[0], L.b().getInt64(0), ScalarType::B64);
}

} // namespace

void registerMemory(Registry& r) {
  r["ld"] = lowerLoad;
  r["ldu"] = lowerLoad;
  r["st"] = lowerStore;
  r["prefetch"] = lowerPrefetch;
  r["prefetchu"] = lowerPrefetch;
  r["cp"] = lowerCpAsync;
  r["createpolicy"] = lowerCreatePolicy;
  r["isspacep"] = lowerIsspacep;
}

} // namespace drawbridge::ptx::nvvm

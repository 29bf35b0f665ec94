#include "FunctionLowering.h"

#include "SpecialRegisters.h"
#include "drawbridge/ptx/Lowering.h"

#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/IntrinsicsNVPTX.h>

namespace drawbridge::ptx::nvvm {

unsigned addressSpaceOf(StateSpace space) {
  switch (space) {
  case StateSpace::Global:
    return Global;
  case StateSpace::Shared:
    return Shared;
  case StateSpace::Const:
    return Const;
  case StateSpace::Local:
    return Local;
  default:
    return Generic;
  }
}

llvm::Type* llvmType(llvm::LLVMContext& ctx, ScalarType type) {
  switch (type) {
  case ScalarType::Pred:
    return llvm::Type::getInt1Ty(ctx);
  case ScalarType::F16:
    return llvm::Type::getHalfTy(ctx);
  case ScalarType::BF16:
    return llvm::Type::getBFloatTy(ctx);
  case ScalarType::F16x2:
    return llvm::FixedVectorType::get(llvm::Type::getHalfTy(ctx), 2);
  case ScalarType::BF16x2:
    return llvm::FixedVectorType::get(llvm::Type::getBFloatTy(ctx), 2);
  case ScalarType::F32:
    return llvm::Type::getFloatTy(ctx);
  case ScalarType::F64:
    return llvm::Type::getDoubleTy(ctx);
  default:
    // Bit, integer and the storage-only float formats (tf32, e4m3x2, e5m2x2) are plain bits.
    return llvm::Type::getIntNTy(ctx, bitWidth(type));
  }
}

llvm::Type* variableType(llvm::LLVMContext& ctx, const Variable& v) {
  // Predicates in memory take a byte.
  llvm::Type* element = v.type == ScalarType::Pred && v.space != StateSpace::Reg
                            ? llvm::Type::getInt8Ty(ctx)
                            : llvmType(ctx, v.type);
  if (v.vectorWidth > 1)
    element = llvm::FixedVectorType::get(element, v.vectorWidth);
  if (v.isArray())
    element = llvm::ArrayType::get(element, v.elementCount());
  return element;
}

llvm::Align variableAlign(const llvm::DataLayout& dl, llvm::LLVMContext& ctx, const Variable& v) {
  if (v.alignment)
    return llvm::Align(v.alignment);
  llvm::Type* t = variableType(ctx, v);
  if (auto* array = llvm::dyn_cast<llvm::ArrayType>(t))
    t = array->getElementType();
  return dl.getABITypeAlign(t);
}

llvm::FunctionType* signatureType(llvm::LLVMContext& ctx, const std::vector<Variable>& returns,
                                  const std::vector<Variable>& params) {
  llvm::Type* result = llvm::Type::getVoidTy(ctx);
  if (returns.size() == 1) {
    result = variableType(ctx, returns[0]);
  } else if (returns.size() > 1) {
    std::vector<llvm::Type*> fields;
    for (const auto& r : returns)
      fields.push_back(variableType(ctx, r));
    result = llvm::StructType::get(ctx, fields);
  }
  std::vector<llvm::Type*> args;
  for (const auto& p : params)
    args.push_back(variableType(ctx, p));
  return llvm::FunctionType::get(result, args, false);
}

FunctionLowering::FunctionLowering(ModuleState& module, const Function& f, llvm::Function* fn)
    : module_(module), f_(f), fn_(fn),
      builder_(fn->getContext(), llvm::InstSimplifyFolder(module.ir.getDataLayout())) {}

void FunctionLowering::fail(const Instruction& inst, const std::string& message) {
  if (!error_)
    error_ = Error{toString(inst.loc) + ": " + message};
}

void FunctionLowering::unsupported(const Instruction& inst, std::string_view why) {
  std::string message =
      "unsupported PTX instruction '" + inst.spelling() + "' at " + toString(inst.loc);
  if (!why.empty())
    message += " (" + std::string(why) + ")";
  if (!error_)
    error_ = Error{std::move(message)};
}

bool FunctionLowering::expectOperands(const Instruction& inst, size_t min, size_t max) {
  size_t n = inst.operands.size();
  if (n >= min && n <= max)
    return true;
  fail(inst,
       "'" + inst.spelling() + "' takes " +
           (min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max)) +
           " operands, found " + std::to_string(n));
  return false;
}

llvm::BasicBlock* FunctionLowering::newBlock(std::string_view name) {
  return llvm::BasicBlock::Create(ctx(), llvm::StringRef(name.data(), name.size()), fn_);
}

llvm::AllocaInst* FunctionLowering::entryAlloca(llvm::Type* type, llvm::Align align,
                                                const std::string& name) {
  // Created directly: IRBuilder would look up an alignment in the DataLayout only to be replaced.
  return new llvm::AllocaInst(type, module_.ir.getDataLayout().getAllocaAddrSpace(), nullptr, align,
                              name, entry_->getFirstInsertionPt());
}

llvm::AllocaInst* FunctionLowering::carrySlot() {
  if (!carry_) {
    carry_ = entryAlloca(builder_.getInt1Ty(), llvm::Align(1), "carry");
    // Stored right after the alloca, so every path sees a defined flag.
    llvm::IRBuilder<> init(carry_->getNextNode());
    init.CreateStore(init.getFalse(), carry_);
  }
  return carry_;
}

llvm::AllocaInst* FunctionLowering::registerSlot(const Ref& ref) {
  uint64_t key = (uint64_t(ref.index) << 32) | ref.element;
  if (auto it = registers_.find(key); it != registers_.end())
    return it->second;
  const Variable& v = f_.locals[ref.index];
  std::string name;
  if (module_.nameRegisters) {
    name = v.rangeCount ? v.name + std::to_string(ref.element) : v.name;
    if (!name.empty() && name[0] == '%')
      name.erase(0, 1);
  }
  llvm::Type* t = llvmType(ctx(), v.type);
  if (v.vectorWidth > 1)
    t = llvm::FixedVectorType::get(t, v.vectorWidth);
  auto* slot = entryAlloca(t, module_.ir.getDataLayout().getABITypeAlign(t), name);
  registers_.try_emplace(key, slot);
  return slot;
}

StateSpace FunctionLowering::symbolSpace(const Ref& ref) const {
  switch (ref.kind) {
  case RefKind::Local:
    return f_.locals[ref.index].space;
  case RefKind::Global:
    return module_.ptx.globals[ref.index].space;
  case RefKind::Param:
  case RefKind::Return:
    return StateSpace::Param;
  default:
    return StateSpace::Generic;
  }
}

llvm::Value* FunctionLowering::symbolPointer(const Ref& ref) {
  switch (ref.kind) {
  case RefKind::Local:
    return localPointers_[ref.index];
  case RefKind::Global:
    return module_.globals[ref.index];
  case RefKind::Param:
    return paramSlots_[ref.index];
  case RefKind::Return:
    return returnSlots_[ref.index];
  case RefKind::Function:
    return module_.functions[ref.index];
  default:
    return nullptr;
  }
}

llvm::Value* FunctionLowering::convertBits(llvm::Value* v, llvm::Type* to, bool signExtend) {
  llvm::Type* from = v->getType();
  if (from == to)
    return v;
  const auto& dl = module_.ir.getDataLayout();
  if (from->isPointerTy() && to->isIntegerTy())
    return builder_.CreatePtrToInt(v, to);
  unsigned fromBits = dl.getTypeSizeInBits(from);
  unsigned toBits = dl.getTypeSizeInBits(to);
  if (fromBits == toBits && !from->isIntegerTy(1) && !to->isIntegerTy(1))
    return builder_.CreateBitCast(v, to);
  llvm::Value* bits = from->isIntegerTy() ? v : builder_.CreateBitCast(v, intType(fromBits));
  llvm::Type* toInt = intType(toBits);
  if (toBits == 1)
    bits = builder_.CreateICmpNE(bits, llvm::ConstantInt::get(bits->getType(), 0));
  else
    bits = builder_.CreateIntCast(bits, toInt, signExtend && fromBits != 1);
  return to->isIntegerTy() ? bits : builder_.CreateBitCast(bits, to);
}

// The driver reserves 1 KiB of shared memory per block on sm_80 and later; here it is a module
// variable of that size. The two numbered regions get one half each, so they never overlap.
llvm::Value* FunctionLowering::reservedSharedMemory(SpecialRegister reg) {
  constexpr uint32_t kReservedBytes = 1024;
  constexpr const char* kName = "__drawbridge_reserved_smem";
  llvm::GlobalVariable* region = module_.ir.getNamedGlobal(kName);
  if (!region) {
    auto* type = llvm::ArrayType::get(builder_.getInt8Ty(), kReservedBytes);
    region = new llvm::GlobalVariable(module_.ir, type, false, llvm::GlobalValue::InternalLinkage,
                                      llvm::UndefValue::get(type), kName, nullptr,
                                      llvm::GlobalValue::NotThreadLocal, Shared);
    region->setAlignment(llvm::Align(16));
  }
  if (reg == SpecialRegister::ReservedSmemCap)
    return builder_.getInt32(kReservedBytes);
  uint32_t offset = reg == SpecialRegister::ReservedSmemEnd ? kReservedBytes
                    : reg == SpecialRegister::ReservedSmem1 ? kReservedBytes / 2
                                                            : 0;
  return builder_.CreateAdd(builder_.CreatePtrToInt(region, builder_.getInt32Ty()),
                            builder_.getInt32(offset));
}

llvm::Value* FunctionLowering::readSpecial(const Ref& ref) {
  using namespace llvm::Intrinsic;
  static constexpr ID kTid[] = {nvvm_read_ptx_sreg_tid_x, nvvm_read_ptx_sreg_tid_y,
                                nvvm_read_ptx_sreg_tid_z};
  static constexpr ID kNtid[] = {nvvm_read_ptx_sreg_ntid_x, nvvm_read_ptx_sreg_ntid_y,
                                 nvvm_read_ptx_sreg_ntid_z};
  static constexpr ID kCtaid[] = {nvvm_read_ptx_sreg_ctaid_x, nvvm_read_ptx_sreg_ctaid_y,
                                  nvvm_read_ptx_sreg_ctaid_z};
  static constexpr ID kNctaid[] = {nvvm_read_ptx_sreg_nctaid_x, nvvm_read_ptx_sreg_nctaid_y,
                                   nvvm_read_ptx_sreg_nctaid_z};
  ID id = not_intrinsic;
  switch (static_cast<SpecialRegister>(ref.index)) {
  case SpecialRegister::Tid:
    id = kTid[ref.element];
    break;
  case SpecialRegister::Ntid:
    id = kNtid[ref.element];
    break;
  case SpecialRegister::Ctaid:
    id = kCtaid[ref.element];
    break;
  case SpecialRegister::Nctaid:
    id = kNctaid[ref.element];
    break;
  case SpecialRegister::Laneid:
    id = nvvm_read_ptx_sreg_laneid;
    break;
  case SpecialRegister::Warpid:
    id = nvvm_read_ptx_sreg_warpid;
    break;
  case SpecialRegister::Nwarpid:
    id = nvvm_read_ptx_sreg_nwarpid;
    break;
  case SpecialRegister::Smid:
    id = nvvm_read_ptx_sreg_smid;
    break;
  case SpecialRegister::Nsmid:
    id = nvvm_read_ptx_sreg_nsmid;
    break;
  case SpecialRegister::Gridid:
    id = nvvm_read_ptx_sreg_gridid;
    break;
  case SpecialRegister::LanemaskEq:
    id = nvvm_read_ptx_sreg_lanemask_eq;
    break;
  case SpecialRegister::LanemaskLe:
    id = nvvm_read_ptx_sreg_lanemask_le;
    break;
  case SpecialRegister::LanemaskLt:
    id = nvvm_read_ptx_sreg_lanemask_lt;
    break;
  case SpecialRegister::LanemaskGe:
    id = nvvm_read_ptx_sreg_lanemask_ge;
    break;
  case SpecialRegister::LanemaskGt:
    id = nvvm_read_ptx_sreg_lanemask_gt;
    break;
  case SpecialRegister::Clock:
    id = nvvm_read_ptx_sreg_clock;
    break;
  case SpecialRegister::Clock64:
    id = nvvm_read_ptx_sreg_clock64;
    break;
  case SpecialRegister::Globaltimer:
    id = nvvm_read_ptx_sreg_globaltimer;
    break;
  case SpecialRegister::GlobaltimerLo:
  case SpecialRegister::GlobaltimerHi:
  case SpecialRegister::ClockHi: {
    // The 32-bit halves of the 64-bit counters.
    bool timer = static_cast<SpecialRegister>(ref.index) != SpecialRegister::ClockHi;
    llvm::Value* whole = builder_.CreateIntrinsic(
        timer ? nvvm_read_ptx_sreg_globaltimer : nvvm_read_ptx_sreg_clock64, {}, {});
    bool high = static_cast<SpecialRegister>(ref.index) != SpecialRegister::GlobaltimerLo;
    return builder_.CreateTrunc(high ? builder_.CreateLShr(whole, 32) : whole,
                                builder_.getInt32Ty());
  }
  case SpecialRegister::DynamicSmemSize:
  case SpecialRegister::TotalSmemSize: {
    // LLVM 19 has no intrinsic for these: the inline PTX that reads them, which NVPTX passes
    // through and the CPU backend recognizes.
    bool dynamic = static_cast<SpecialRegister>(ref.index) == SpecialRegister::DynamicSmemSize;
    auto* asmType = llvm::FunctionType::get(builder_.getInt32Ty(), false);
    return builder_.CreateCall(llvm::InlineAsm::get(asmType,
                                                    dynamic ? "mov.u32 $0, %dynamic_smem_size;"
                                                            : "mov.u32 $0, %total_smem_size;",
                                                    "=r", /*hasSideEffects=*/false),
                               {});
  }
  case SpecialRegister::ReservedSmemBegin:
  case SpecialRegister::ReservedSmemEnd:
  case SpecialRegister::ReservedSmemCap:
  case SpecialRegister::ReservedSmem0:
  case SpecialRegister::ReservedSmem1:
    return reservedSharedMemory(static_cast<SpecialRegister>(ref.index));
  case SpecialRegister::Envreg: {
    static constexpr ID kEnvreg[] = {
        nvvm_read_ptx_sreg_envreg0,  nvvm_read_ptx_sreg_envreg1,  nvvm_read_ptx_sreg_envreg2,
        nvvm_read_ptx_sreg_envreg3,  nvvm_read_ptx_sreg_envreg4,  nvvm_read_ptx_sreg_envreg5,
        nvvm_read_ptx_sreg_envreg6,  nvvm_read_ptx_sreg_envreg7,  nvvm_read_ptx_sreg_envreg8,
        nvvm_read_ptx_sreg_envreg9,  nvvm_read_ptx_sreg_envreg10, nvvm_read_ptx_sreg_envreg11,
        nvvm_read_ptx_sreg_envreg12, nvvm_read_ptx_sreg_envreg13, nvvm_read_ptx_sreg_envreg14,
        nvvm_read_ptx_sreg_envreg15, nvvm_read_ptx_sreg_envreg16, nvvm_read_ptx_sreg_envreg17,
        nvvm_read_ptx_sreg_envreg18, nvvm_read_ptx_sreg_envreg19, nvvm_read_ptx_sreg_envreg20,
        nvvm_read_ptx_sreg_envreg21, nvvm_read_ptx_sreg_envreg22, nvvm_read_ptx_sreg_envreg23,
        nvvm_read_ptx_sreg_envreg24, nvvm_read_ptx_sreg_envreg25, nvvm_read_ptx_sreg_envreg26,
        nvvm_read_ptx_sreg_envreg27, nvvm_read_ptx_sreg_envreg28, nvvm_read_ptx_sreg_envreg29,
        nvvm_read_ptx_sreg_envreg30, nvvm_read_ptx_sreg_envreg31};
    id = kEnvreg[ref.element];
    break;
  }
  // Every block is a cluster of one: its rank and position in it are 0, the cluster's size is
  // 1, and the clusters of the grid are its blocks.
  case SpecialRegister::ClusterCtarank:
  case SpecialRegister::ClusterCtaid:
    return builder_.getInt32(0);
  case SpecialRegister::ClusterNctarank:
  case SpecialRegister::ClusterNctaid:
    return builder_.getInt32(1);
  case SpecialRegister::Clusterid:
    id = kCtaid[ref.element];
    break;
  case SpecialRegister::Nclusterid:
    id = kNctaid[ref.element];
    break;
  }
  return builder_.CreateIntrinsic(id, {}, {});
}

llvm::Value* FunctionLowering::read(const Operand& op, ScalarType as) {
  llvm::Type* t = type(as);
  switch (op.kind) {
  case Operand::Kind::Register: {
    llvm::Value* v = nullptr;
    if (op.ref.kind == RefKind::Special) {
      v = readSpecial(op.ref);
      if (!v)
        return nullptr;
    } else if (op.ref.kind == RefKind::Local) {
      auto* slot = registerSlot(op.ref);
      // With the slot's alignment: IRBuilder would otherwise look one up in the DataLayout.
      v = builder_.CreateAlignedLoad(slot->getAllocatedType(), slot, slot->getAlign());
    } else {
      return nullptr;
    }
    v = convertBits(v, t, isSigned(as));
    if (op.negated)
      v = builder_.CreateNot(v);
    return v;
  }
  case Operand::Kind::Immediate:
    if (t->isFloatingPointTy() || t->isVectorTy())
      return convertBits(builder_.getInt64(static_cast<uint64_t>(op.value)), t, false);
    return llvm::ConstantInt::get(t, static_cast<uint64_t>(op.value), isSigned(as));
  case Operand::Kind::FloatImmediate: {
    llvm::APFloat value =
        op.floatIs32 ? llvm::APFloat(llvm::APFloat::IEEEsingle(), llvm::APInt(32, op.floatBits))
                     : llvm::APFloat(llvm::APFloat::IEEEdouble(), llvm::APInt(64, op.floatBits));
    if (t->isFloatingPointTy()) {
      bool lost = false;
      value.convert(t->getFltSemantics(), llvm::APFloat::rmNearestTiesToEven, &lost);
      return llvm::ConstantFP::get(t, value);
    }
    // mov.b32 %r1, 0f3F800000: the literal's bits.
    return convertBits(llvm::ConstantInt::get(ctx(), value.bitcastToAPInt()), t, false);
  }
  case Operand::Kind::Symbol:
  case Operand::Kind::Address: {
    // A symbol's value is its address in its own state space (cvta makes it generic).
    llvm::Value* ptr = symbolPointer(op.ref);
    if (!ptr)
      return nullptr;
    if (op.ref.kind == RefKind::Local && symbolSpace(op.ref) == StateSpace::Local)
      ptr = builder_.CreateAddrSpaceCast(ptr, builder_.getPtrTy(Local));
    llvm::Value* v = builder_.CreatePtrToInt(ptr, builder_.getInt64Ty());
    if (op.value)
      v = builder_.CreateAdd(v, builder_.getInt64(static_cast<uint64_t>(op.value)));
    return convertBits(v, t, false);
  }
  case Operand::Kind::Vector: {
    // {a, b}: packs the elements into one value, the first in the low bits.
    unsigned total = module_.ir.getDataLayout().getTypeSizeInBits(t);
    size_t n = op.elements.size();
    if (n == 0 || total % n ||
        (total / n != 8 && total / n != 16 && total / n != 32 && total / n != 64))
      return nullptr;
    unsigned part = static_cast<unsigned>(total / n);
    ScalarType partType = part == 8    ? ScalarType::B8
                          : part == 16 ? ScalarType::B16
                          : part == 32 ? ScalarType::B32
                                       : ScalarType::B64;
    llvm::Value* vec = llvm::PoisonValue::get(llvm::FixedVectorType::get(intType(part), n));
    for (size_t i = 0; i < n; ++i) {
      llvm::Value* e = read(op.elements[i], partType);
      if (!e)
        return nullptr;
      vec = builder_.CreateInsertElement(vec, e, i);
    }
    return builder_.CreateBitCast(vec, t);
  }
  case Operand::Kind::Sink:
    return nullptr;
  }
  return nullptr;
}

void FunctionLowering::write(const Operand& op, llvm::Value* value, ScalarType from) {
  if (op.kind == Operand::Kind::Sink)
    return;
  if (op.kind == Operand::Kind::Vector) {
    unsigned total = module_.ir.getDataLayout().getTypeSizeInBits(value->getType());
    size_t n = op.elements.size();
    if (n == 0 || total % n ||
        (total / n != 8 && total / n != 16 && total / n != 32 && total / n != 64))
      return failDestination(op);
    unsigned part = static_cast<unsigned>(total / n);
    ScalarType partType = part == 8    ? ScalarType::B8
                          : part == 16 ? ScalarType::B16
                          : part == 32 ? ScalarType::B32
                                       : ScalarType::B64;
    llvm::Value* vec = builder_.CreateBitCast(convertBits(value, intType(total), false),
                                              llvm::FixedVectorType::get(intType(part), n));
    for (size_t i = 0; i < n; ++i)
      write(op.elements[i], builder_.CreateExtractElement(vec, i), partType);
    return;
  }
  if (op.kind != Operand::Kind::Register || op.ref.kind != RefKind::Local)
    return failDestination(op);
  auto* slot = registerSlot(op.ref);
  builder_.CreateAlignedStore(convertBits(value, slot->getAllocatedType(), isSigned(from)), slot,
                              slot->getAlign());
}

void FunctionLowering::failDestination(const Operand& op) {
  fail(*current_, "'" + (op.name.empty() ? std::string("this operand") : op.name) +
                      "' cannot be the destination of '" + current_->spelling() + "'");
}

void FunctionLowering::writePairedPredicate(const Operand& op, llvm::Value* predicate) {
  if (!op.pairedPredicate || op.pairedRef.kind != RefKind::Local)
    return;
  auto* slot = registerSlot(op.pairedRef);
  builder_.CreateStore(convertBits(predicate, slot->getAllocatedType(), false), slot);
}

llvm::Value* FunctionLowering::address(const Operand& op, StateSpace space) {
  unsigned as = addressSpaceOf(space);
  llvm::Type* ptrType = builder_.getPtrTy(as);
  llvm::Value* base = nullptr;
  if (op.kind == Operand::Kind::Address && op.name.empty()) {
    base = builder_.CreateIntToPtr(builder_.getInt64(static_cast<uint64_t>(op.value)), ptrType);
    return base;
  }
  if (op.kind == Operand::Kind::Address && op.baseIsRegister) {
    Operand reg = op;
    reg.kind = Operand::Kind::Register;
    llvm::Value* addr = read(reg, ScalarType::U64);
    if (!addr)
      return nullptr;
    base = builder_.CreateIntToPtr(addr, ptrType);
  } else if (op.kind == Operand::Kind::Address || op.kind == Operand::Kind::Symbol) {
    base = symbolPointer(op.ref);
    if (!base)
      return nullptr;
    // Kernel and call parameters live in allocas, which the param space reads directly; other
    // symbols are cast when the instruction names another space (a generic ld of a variable).
    bool isParam = symbolSpace(op.ref) == StateSpace::Param || space == StateSpace::Param;
    if (!isParam && base->getType() != ptrType)
      base = builder_.CreateAddrSpaceCast(base, ptrType);
  } else {
    return nullptr;
  }
  if (op.value)
    base = builder_.CreateGEP(builder_.getInt8Ty(), base, builder_.getInt64(op.value));
  return base;
}

void FunctionLowering::emitReturn() {
  llvm::Type* result = fn_->getReturnType();
  if (result->isVoidTy()) {
    builder_.CreateRetVoid();
    return;
  }
  if (returnSlots_.size() == 1) {
    builder_.CreateRet(builder_.CreateLoad(result, returnSlots_[0]));
    return;
  }
  llvm::Value* aggregate = llvm::PoisonValue::get(result);
  for (unsigned i = 0; i < returnSlots_.size(); ++i)
    aggregate = builder_.CreateInsertValue(
        aggregate, builder_.CreateLoad(result->getStructElementType(i), returnSlots_[i]), i);
  builder_.CreateRet(aggregate);
}

void FunctionLowering::declare(uint32_t index) {
  const Variable& v = f_.locals[index];
  llvm::Type* t = variableType(ctx(), v);
  llvm::Align align = variableAlign(module_.ir.getDataLayout(), ctx(), v);
  switch (v.space) {
  case StateSpace::Reg:
    return; // registers get their slots when first used
  case StateSpace::Local:
  case StateSpace::Param:
    localPointers_[index] = entryAlloca(t, align, v.name);
    return;
  default: {
    // .shared/.global/.const inside a body: one module variable, private to this function.
    unsigned as = addressSpaceOf(v.space);
    auto* g = new llvm::GlobalVariable(
        module_.ir, t, false, llvm::GlobalValue::InternalLinkage,
        v.space == StateSpace::Shared ? llvm::UndefValue::get(t) : llvm::Constant::getNullValue(t),
        v.name, nullptr, llvm::GlobalValue::NotThreadLocal, as);
    g->setAlignment(align);
    localPointers_[index] = g;
    return;
  }
  }
}

void FunctionLowering::lowerInstruction(const Instruction& inst) {
  current_ = &inst;
  auto it = registry().find(inst.opcode);
  if (it == registry().end()) {
    unsupported(inst);
    return;
  }
  if (!inst.guard || inst.opcode == "bra") {
    it->second(*this, inst);
    return;
  }
  // @p inst: run it in its own block when the guard holds.
  llvm::Value* guard = read(*inst.guard, ScalarType::Pred);
  if (!guard) {
    fail(inst, "guard '" + inst.guard->name + "' is not a predicate register");
    return;
  }
  auto* then = newBlock("if");
  auto* next = newBlock("endif");
  builder_.CreateCondBr(guard, then, next);
  builder_.SetInsertPoint(then);
  it->second(*this, inst);
  if (!builder_.GetInsertBlock()->getTerminator())
    builder_.CreateBr(next);
  builder_.SetInsertPoint(next);
}

std::optional<Error> FunctionLowering::run() {
  entry_ = llvm::BasicBlock::Create(ctx(), "entry", fn_);
  builder_.SetInsertPoint(entry_);
  const auto& dl = module_.ir.getDataLayout();
  for (unsigned i = 0; i < f_.params.size(); ++i) {
    const Variable& p = f_.params[i];
    llvm::Argument* arg = fn_->getArg(i);
    arg->setName(p.name);
    // A `.param .align N` aggregate is a byte array here; the backend lays out CUDA's parameter
    // buffer (cudaFuncGetParamInfo) by the alignment PTX gave it.
    if (p.alignment)
      arg->addAttr(llvm::Attribute::get(ctx(), kParamAlignAttribute, std::to_string(p.alignment)));
    auto* slot = entryAlloca(arg->getType(), variableAlign(dl, ctx(), p), p.name + ".addr");
    builder_.CreateStore(arg, slot);
    paramSlots_.push_back(slot);
  }
  for (const auto& r : f_.returns)
    returnSlots_.push_back(
        entryAlloca(variableType(ctx(), r), variableAlign(dl, ctx(), r), r.name));
  localPointers_.assign(f_.locals.size(), nullptr);
  for (const auto& label : f_.labels)
    labels_.push_back(newBlock(label.name));

  size_t nextLabel = 0;
  for (const auto& statement : f_.body) {
    if (error_)
      break;
    if (const auto* decl = std::get_if<Declaration>(&statement)) {
      declare(decl->local);
    } else if (std::holds_alternative<Label>(statement)) {
      // Labels appear in f_.labels in body order, so the n-th label statement is labels_[n].
      llvm::BasicBlock* block = labels_[nextLabel++];
      if (!builder_.GetInsertBlock()->getTerminator())
        builder_.CreateBr(block);
      builder_.SetInsertPoint(block);
    } else if (const auto* inst = std::get_if<Instruction>(&statement)) {
      // Code after a branch or return starts a new (possibly unreachable) block.
      if (builder_.GetInsertBlock()->getTerminator())
        builder_.SetInsertPoint(newBlock("cont"));
      lowerInstruction(*inst);
    }
  }
  if (error_)
    return error_;
  if (!builder_.GetInsertBlock()->getTerminator())
    emitReturn();
  return std::nullopt;
}

} // namespace drawbridge::ptx::nvvm

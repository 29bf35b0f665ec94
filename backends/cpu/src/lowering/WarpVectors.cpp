// A region copy without loops or calls (but vectorizable intrinsics) run for the 32 lanes of a
// warp at once: each value the region computes becomes either one scalar the lanes share
// (uniform), lane 0's value and a constant step from lane to lane (affine: thread indices and
// the addresses made from them), or a vector of 32 (varying). Affine addresses one element apart
// become vector loads and stores, others gathers and scatters. Branches are linearized: each
// block runs under the mask of the lanes that reach it (memory accesses masked, divisors of the
// others replaced by 1), phis become selects on the edges' masks, and each lane's return is
// kept in a vector of statuses. The block function uses it to resolve chains of whole-warp
// shuffles in registers (WarpChain in BlockFunction.cpp) instead of a loop over the threads per
// region and per shuffle.
#include "Lowering.h"

#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/PostOrderIterator.h>
#include <llvm/Analysis/VectorUtils.h>
#include <llvm/IR/GetElementPtrTypeIterator.h>
#include <llvm/IR/IntrinsicInst.h>
#include <set>

namespace drawbridge::backend::cpu {

namespace {

/// log2 of kWarpLanes.
constexpr unsigned kWarpZeros = 5;

/// How a value varies over a warp's lanes.
struct Shape {
  llvm::Value* scalar = nullptr; // uniform: the value; affine: lane 0's value
  int64_t stride = 0; // affine: lane l's value is scalar + l * stride (bytes for pointers)
  // Affine: no lane's value wrapped (signed, unsigned), so an extension keeps the stride.
  bool noSignedWrap = true, noUnsignedWrap = true;
  // Low bits known to be zero in `scalar`: an affine value whose lanes stay below the next
  // multiple of 2^zeros cannot wrap from lane 0 to lane 31, flags or not (the usual unsigned
  // blockIdx.x * blockDim.x + threadIdx.x, which a warp loop knows is a multiple of 32 at lane 0).
  unsigned zeros = 0;
  llvm::Value* vector = nullptr; // varying: every lane's value
  bool isUniform() const { return scalar && stride == 0; }
  bool isAffine() const { return scalar && stride != 0; }
  bool staysWithinAlignment() const {
    return stride > 0 && zeros < 40 && 31 * stride < (int64_t(1) << zeros);
  }
};

bool isLaneType(const llvm::Type* type) {
  return type->isIntegerTy() || type->isFloatingPointTy() || type->isPointerTy();
}

/// Intrinsics that mean nothing to the lanes' results and are left out.
bool isIgnored(const llvm::Instruction& instruction) {
  if (instruction.isDebugOrPseudoInst() || instruction.isLifetimeStartOrEnd())
    return true;
  auto* intrinsic = llvm::dyn_cast<llvm::IntrinsicInst>(&instruction);
  return intrinsic &&
         (intrinsic->getIntrinsicID() == llvm::Intrinsic::assume ||
          intrinsic->getIntrinsicID() == llvm::Intrinsic::experimental_noalias_scope_decl);
}

/// Whether a load or store of `type` as 32 consecutive elements is 32 times its bytes (not
/// bits packed, as vectors of i1 are).
bool hasWholeBytes(const llvm::Type* type, const llvm::DataLayout& layout) {
  return layout.getTypeSizeInBits(const_cast<llvm::Type*>(type)) ==
         layout.getTypeAllocSizeInBits(const_cast<llvm::Type*>(type));
}

bool canRunForWarp(const llvm::Instruction& instruction) {
  if (isIgnored(instruction))
    return true;
  for (const llvm::Value* operand : instruction.operands())
    if (!isLaneType(operand->getType()) && !llvm::isa<llvm::BasicBlock>(operand) &&
        !llvm::isa<llvm::Function>(operand))
      return false;
  if (!instruction.getType()->isVoidTy() && !isLaneType(instruction.getType()))
    return false;
  if (llvm::isa<llvm::PHINode>(instruction))
    return true;
  if (auto* load = llvm::dyn_cast<llvm::LoadInst>(&instruction))
    return load->isSimple();
  if (auto* store = llvm::dyn_cast<llvm::StoreInst>(&instruction))
    return store->isSimple();
  if (auto* call = llvm::dyn_cast<llvm::IntrinsicInst>(&instruction)) {
    llvm::Intrinsic::ID id = call->getIntrinsicID();
    if (!llvm::isTriviallyVectorizable(id))
      return false;
    for (unsigned i = 0; i < call->arg_size(); ++i)
      if (llvm::isVectorIntrinsicWithScalarOpAtArg(id, i) &&
          !llvm::isa<llvm::Constant>(call->getArgOperand(i)))
        return false;
    return true;
  }
  return llvm::isa<llvm::BinaryOperator, llvm::UnaryOperator, llvm::CmpInst, llvm::SelectInst,
                   llvm::CastInst, llvm::GetElementPtrInst, llvm::FreezeInst>(instruction);
}

/// Emits one region's instructions for a warp, keeping each value's shape.
class WarpEmitter {
public:
  WarpEmitter(llvm::IRBuilder<>& builder, const llvm::DataLayout& layout,
              const WarpExchange& exchange)
      : builder_(builder), layout_(layout), exchange_(exchange) {}

  /// The shuffle operand the region's exit did not store.
  llvm::Value* operand() const { return operand_; }

  void define(const llvm::Value* value, Shape shape) { shapes_[value] = shape; }
  void setContext(const llvm::Value* context) { context_ = context; }

  /// The lanes the following instructions run for (<32 x i1>); null: every lane.
  void setMask(llvm::Value* mask) { mask_ = mask; }

  /// Emits `instruction` (one canRunForWarp accepts, not a phi) for the warp.
  void emit(const llvm::Instruction& instruction) {
    if (isIgnored(instruction))
      return;
    if (auto* load = llvm::dyn_cast<llvm::LoadInst>(&instruction))
      return emitLoad(*load);
    if (auto* store = llvm::dyn_cast<llvm::StoreInst>(&instruction))
      return emitStore(*store);
    // A division under a mask runs for every lane: the others divide by 1, never by 0.
    bool guarded = mask_ && instruction.isIntDivRem();
    if (!guarded && std::ranges::all_of(instruction.operands(), [&](const llvm::Use& use) {
          return shapeOf(use.get()).isUniform();
        })) {
      Shape shape = uniform(cloneForLaneZero(instruction));
      shape.zeros = knownZeros(instruction);
      define(&instruction, shape);
      return;
    }
    if (std::optional<Shape> affine = guarded ? std::nullopt : affineShape(instruction)) {
      define(&instruction, *affine);
      return;
    }
    define(&instruction, {.vector = vectorInstruction(instruction)});
  }

  static Shape uniform(llvm::Value* value) { return {.scalar = value}; }

  Shape shapeOf(const llvm::Value* value) const {
    if (auto* constant = llvm::dyn_cast<llvm::Constant>(value)) {
      Shape shape = uniform(const_cast<llvm::Constant*>(constant));
      if (auto* integer = llvm::dyn_cast<llvm::ConstantInt>(constant))
        shape.zeros = integer->getValue().countr_zero();
      return shape;
    }
    return shapes_.at(value);
  }

  /// Every lane's value of `value`.
  llvm::Value* vectorOf(const llvm::Value* value) {
    Shape shape = shapeOf(value);
    if (shape.vector)
      return shape.vector;
    llvm::Value* splat = builder_.CreateVectorSplat(kWarpLanes, shape.scalar);
    if (shape.isUniform())
      return splat;
    if (value->getType()->isPointerTy())
      return builder_.CreateGEP(builder_.getInt8Ty(), splat,
                                laneOffsets(builder_.getInt64Ty(), shape.stride));
    return builder_.CreateAdd(splat, laneOffsets(value->getType(), shape.stride));
  }

private:
  /// A copy of `instruction` on its operands' lane-0 values: the whole result when they are
  /// uniform, lane 0's when some are affine.
  llvm::Value* cloneForLaneZero(const llvm::Instruction& instruction) {
    llvm::Instruction* copy = instruction.clone();
    for (llvm::Use& use : copy->operands())
      if (!llvm::isa<llvm::Function>(use.get()))
        use.set(shapeOf(use.get()).scalar);
    copy->setName(instruction.getName());
    builder_.Insert(copy);
    return copy;
  }

  /// k where `binary` takes its left operand by 2^k: a shift right by k, a division or
  /// remainder by 2^k, an and with 2^k - 1.
  static std::optional<unsigned> powerOfTwo(const llvm::BinaryOperator& binary) {
    auto* constant = llvm::dyn_cast<llvm::ConstantInt>(binary.getOperand(1));
    if (!constant || constant->getBitWidth() > 64)
      return std::nullopt;
    const llvm::APInt& value = constant->getValue();
    switch (binary.getOpcode()) {
    case llvm::Instruction::LShr:
      return value.ult(40) ? std::optional<unsigned>(unsigned(value.getZExtValue())) : std::nullopt;
    case llvm::Instruction::UDiv:
    case llvm::Instruction::URem:
      return value.isPowerOf2() && value.logBase2() < 40 ? std::optional<unsigned>(value.logBase2())
                                                         : std::nullopt;
    case llvm::Instruction::And:
      return value.isMask() && value.popcount() < 40 ? std::optional<unsigned>(value.popcount())
                                                     : std::nullopt;
    default:
      return std::nullopt;
    }
  }

  /// Low zero bits of lane 0's result of `instruction`, from its operands'.
  unsigned knownZeros(const llvm::Instruction& instruction) const {
    if (!instruction.getType()->isIntegerTy())
      return 0;
    unsigned bits = instruction.getType()->getIntegerBitWidth();
    auto zeros = [&](unsigned i) { return shapeOf(instruction.getOperand(i)).zeros; };
    switch (instruction.getOpcode()) {
    case llvm::Instruction::Add:
    case llvm::Instruction::Sub:
      return std::min(zeros(0), zeros(1));
    case llvm::Instruction::Mul:
      return std::min(bits, zeros(0) + zeros(1));
    case llvm::Instruction::Shl:
      if (auto* amount = llvm::dyn_cast<llvm::ConstantInt>(instruction.getOperand(1)))
        return std::min<uint64_t>(bits, zeros(0) + amount->getZExtValue());
      return 0;
    case llvm::Instruction::SExt:
    case llvm::Instruction::ZExt:
      return zeros(0);
    case llvm::Instruction::Trunc:
      return std::min(bits, zeros(0));
    default:
      return 0;
    }
  }

  llvm::Constant* laneOffsets(llvm::Type* type, int64_t stride) const {
    std::vector<llvm::Constant*> offsets;
    for (int64_t lane = 0; lane < kWarpLanes; ++lane)
      offsets.push_back(llvm::ConstantInt::get(
          type, llvm::APInt(64, uint64_t(lane * stride), true).trunc(type->getIntegerBitWidth())));
    return llvm::ConstantVector::get(offsets);
  }

  /// The shape of integer and address arithmetic that keeps lanes a constant step apart.
  std::optional<Shape> affineShape(const llvm::Instruction& instruction) {
    if (!std::ranges::all_of(instruction.operands(),
                             [&](const llvm::Use& use) { return shapeOf(use.get()).scalar; }))
      return std::nullopt;
    Shape result;
    if (auto* gep = llvm::dyn_cast<llvm::GetElementPtrInst>(&instruction)) {
      result.stride = shapeOf(gep->getPointerOperand()).stride;
      for (auto index = llvm::gep_type_begin(gep); index != llvm::gep_type_end(gep); ++index) {
        Shape offset = shapeOf(index.getOperand());
        if (offset.stride == 0)
          continue;
        // A narrower index is sign-extended to 64 bits, which keeps its step only unwrapped.
        if (index.isStruct() || index.getSequentialElementStride(layout_).isScalable() ||
            (index.getOperand()->getType()->getIntegerBitWidth() < 64 && !offset.noSignedWrap &&
             !offset.staysWithinAlignment()))
          return std::nullopt;
        result.stride +=
            offset.stride * int64_t(index.getSequentialElementStride(layout_).getFixedValue());
      }
    } else if (auto* binary = llvm::dyn_cast<llvm::BinaryOperator>(&instruction)) {
      Shape left = shapeOf(binary->getOperand(0)), right = shapeOf(binary->getOperand(1));
      auto* constant = llvm::dyn_cast<llvm::ConstantInt>(binary->getOperand(1));
      auto* leftConstant = llvm::dyn_cast<llvm::ConstantInt>(binary->getOperand(0));
      switch (binary->getOpcode()) {
      case llvm::Instruction::Add:
        result.stride = left.stride + right.stride;
        break;
      case llvm::Instruction::Sub:
        result.stride = left.stride - right.stride;
        break;
      case llvm::Instruction::Mul: {
        // By a constant factor only: any other uniform factor makes a step unknown here.
        llvm::ConstantInt* factor = constant ? constant : leftConstant;
        if (!factor || factor->getBitWidth() > 64)
          return std::nullopt;
        result.stride = (constant ? left : right).stride * factor->getSExtValue();
        break;
      }
      case llvm::Instruction::Shl:
        if (!constant || constant->getZExtValue() > 32)
          return std::nullopt;
        result.stride = left.stride << constant->getZExtValue();
        break;
      case llvm::Instruction::LShr:
      case llvm::Instruction::UDiv:
      case llvm::Instruction::And:
      case llvm::Instruction::URem: {
        // By a power of two the lanes do not reach past from lane 0's multiple of it: the
        // quotient is lane 0's (a warp index from a thread index), the remainder steps as the
        // value does (a lane index).
        std::optional<unsigned> power = powerOfTwo(*binary);
        if (!power || left.stride <= 0 || left.zeros < *power ||
            31 * left.stride >= (int64_t(1) << *power))
          return std::nullopt;
        bool quotient = binary->getOpcode() == llvm::Instruction::LShr ||
                        binary->getOpcode() == llvm::Instruction::UDiv;
        result.stride = quotient ? 0 : left.stride;
        result.scalar = cloneForLaneZero(instruction);
        result.zeros = quotient ? 0 : *power;
        return result;
      }
      default:
        return std::nullopt;
      }
      result.noSignedWrap = binary->hasNoSignedWrap() && left.noSignedWrap && right.noSignedWrap;
      result.noUnsignedWrap =
          binary->hasNoUnsignedWrap() && left.noUnsignedWrap && right.noUnsignedWrap;
    } else if (auto* cast = llvm::dyn_cast<llvm::CastInst>(&instruction)) {
      Shape source = shapeOf(cast->getOperand(0));
      result.stride = source.stride;
      switch (cast->getOpcode()) {
      case llvm::Instruction::SExt:
        if (!source.noSignedWrap && !source.staysWithinAlignment())
          return std::nullopt;
        result.noUnsignedWrap = false;
        break;
      case llvm::Instruction::ZExt:
        if (!source.noUnsignedWrap && !source.staysWithinAlignment())
          return std::nullopt;
        result.noSignedWrap = false;
        break;
      case llvm::Instruction::Trunc:
        result.noSignedWrap = result.noUnsignedWrap = false;
        break;
      default:
        return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
    result.scalar = cloneForLaneZero(instruction);
    result.zeros = knownZeros(instruction);
    return result;
  }

  llvm::Value* vectorInstruction(const llvm::Instruction& instruction) {
    llvm::Value* result = nullptr;
    if (auto* binary = llvm::dyn_cast<llvm::BinaryOperator>(&instruction)) {
      llvm::Value* right = vectorOf(binary->getOperand(1));
      if (mask_ && binary->isIntDivRem())
        right = builder_.CreateSelect(mask_, right, llvm::ConstantInt::get(right->getType(), 1));
      result = builder_.CreateBinOp(binary->getOpcode(), vectorOf(binary->getOperand(0)), right,
                                    binary->getName());
    } else if (auto* unary = llvm::dyn_cast<llvm::UnaryOperator>(&instruction))
      result =
          builder_.CreateUnOp(unary->getOpcode(), vectorOf(unary->getOperand(0)), unary->getName());
    else if (auto* compare = llvm::dyn_cast<llvm::CmpInst>(&instruction))
      result = builder_.CreateCmp(compare->getPredicate(), vectorOf(compare->getOperand(0)),
                                  vectorOf(compare->getOperand(1)), compare->getName());
    else if (auto* select = llvm::dyn_cast<llvm::SelectInst>(&instruction))
      result =
          builder_.CreateSelect(vectorOf(select->getCondition()), vectorOf(select->getTrueValue()),
                                vectorOf(select->getFalseValue()), select->getName());
    else if (auto* cast = llvm::dyn_cast<llvm::CastInst>(&instruction))
      result = builder_.CreateCast(cast->getOpcode(), vectorOf(cast->getOperand(0)),
                                   llvm::FixedVectorType::get(cast->getDestTy(), kWarpLanes),
                                   cast->getName());
    else if (auto* freeze = llvm::dyn_cast<llvm::FreezeInst>(&instruction))
      result = builder_.CreateFreeze(vectorOf(freeze->getOperand(0)), freeze->getName());
    else if (auto* gep = llvm::dyn_cast<llvm::GetElementPtrInst>(&instruction)) {
      // Struct field numbers stay scalar constants, as a vector GEP requires.
      std::vector<llvm::Value*> indices;
      for (const llvm::Use& index : gep->indices())
        indices.push_back(llvm::isa<llvm::Constant>(index.get()) ? index.get()
                                                                 : vectorOf(index.get()));
      result = builder_.CreateGEP(gep->getSourceElementType(), vectorOf(gep->getPointerOperand()),
                                  indices, gep->getName(), gep->getNoWrapFlags());
    } else {
      const auto& call = llvm::cast<llvm::IntrinsicInst>(instruction);
      llvm::Intrinsic::ID id = call.getIntrinsicID();
      std::vector<llvm::Value*> arguments;
      std::vector<llvm::Type*> overloads;
      if (llvm::isVectorIntrinsicWithOverloadTypeAtArg(id, -1))
        overloads.push_back(llvm::FixedVectorType::get(call.getType(), kWarpLanes));
      for (unsigned i = 0; i < call.arg_size(); ++i) {
        arguments.push_back(llvm::isVectorIntrinsicWithScalarOpAtArg(id, i)
                                ? call.getArgOperand(i)
                                : vectorOf(call.getArgOperand(i)));
        if (llvm::isVectorIntrinsicWithOverloadTypeAtArg(id, int(i)))
          overloads.push_back(arguments.back()->getType());
      }
      result = builder_.CreateCall(
          llvm::Intrinsic::getDeclaration(builder_.GetInsertBlock()->getModule(), id, overloads),
          arguments, call.getName());
    }
    if (auto* vector = llvm::dyn_cast<llvm::Instruction>(result))
      vector->copyIRFlags(&instruction);
    return result;
  }

  void keepScopes(llvm::Instruction* to, const llvm::Instruction& from) {
    for (unsigned kind : {llvm::LLVMContext::MD_alias_scope, llvm::LLVMContext::MD_noalias})
      to->setMetadata(kind, from.getMetadata(kind));
  }

  bool isConsecutive(const Shape& address, llvm::Type* type) const {
    return address.isAffine() && hasWholeBytes(type, layout_) &&
           address.stride == int64_t(layout_.getTypeAllocSize(type));
  }

  // Under a mask, a load reads only for the lanes there: the others' addresses may be invalid
  // (the usual `if (i < n) x = p[i]`).
  void emitLoad(const llvm::LoadInst& load) {
    std::optional<ThreadField> field = siteField(load);
    if (field == kResultField && exchange_.result) {
      define(&load, {.vector = exchange_.result});
      return;
    }
    if (field == kResultPredicateField && exchange_.resultPredicate) {
      define(&load, {.vector = exchange_.resultPredicate});
      return;
    }
    Shape address = shapeOf(load.getPointerOperand());
    if (address.isUniform() && (!mask_ || contextOffset(load))) {
      Shape shape = uniform(cloneForLaneZero(load));
      if (isBlockWidth(load))
        shape.zeros = kWarpZeros;
      define(&load, shape);
      return;
    }
    auto* type = llvm::FixedVectorType::get(load.getType(), kWarpLanes);
    llvm::Instruction* vector = nullptr;
    if (isConsecutive(address, load.getType()) && !mask_)
      vector = builder_.CreateAlignedLoad(type, address.scalar, load.getAlign(), load.getName());
    else if (isConsecutive(address, load.getType()))
      vector = builder_.CreateMaskedLoad(type, address.scalar, load.getAlign(), mask_, nullptr,
                                         load.getName());
    else
      vector = builder_.CreateMaskedGather(type, vectorOf(load.getPointerOperand()),
                                           load.getAlign(), mask_, nullptr, load.getName());
    keepScopes(vector, load);
    define(&load, {.vector = vector});
  }

  /// Where in the block context `load` reads, if it does: such a load is safe for any lane
  /// (the context is whole), so it stays one scalar load under a mask too.
  std::optional<uint64_t> contextOffset(const llvm::LoadInst& load) const {
    llvm::APInt offset(64, 0);
    const llvm::Value* base = load.getPointerOperand()->stripAndAccumulateConstantOffsets(
        layout_, offset, /*AllowNonInbounds=*/true);
    AbiTypes abi = AbiTypes::get(load.getContext());
    if (!context_ || base != context_ || offset.isNegative() ||
        offset.getZExtValue() + layout_.getTypeStoreSize(load.getType()) >
            layout_.getTypeAllocSize(abi.block))
      return std::nullopt;
    return offset.getZExtValue();
  }

  /// A load of ntid.x from the block context, which is a multiple of 32 where a warp runs as
  /// vectors.
  bool isBlockWidth(const llvm::LoadInst& load) const {
    AbiTypes abi = AbiTypes::get(load.getContext());
    return load.getType()->isIntegerTy(32) &&
           contextOffset(load) == layout_.getStructLayout(abi.block)->getElementOffset(kNtidField);
  }

  void emitStore(const llvm::StoreInst& store) {
    const llvm::Value* value = store.getValueOperand();
    if (std::optional<ThreadField> field = siteField(store); field && !exchange_.keepOperands) {
      if (field == kValueField) {
        operand_ = vectorOf(value);
        return;
      }
      if (field == kMaskField || field == kBField || field == kCField)
        return;
    }
    Shape address = shapeOf(store.getPointerOperand());
    llvm::Instruction* emitted = nullptr;
    if (mask_ && isConsecutive(address, value->getType())) {
      emitted =
          builder_.CreateMaskedStore(vectorOf(value), address.scalar, store.getAlign(), mask_);
    } else if (mask_ && address.isUniform()) {
      // Lanes storing to one place leave the last one's value: only that lane stores, if any.
      llvm::Value* lanes = builder_.CreateBitCast(mask_, builder_.getInt32Ty());
      llvm::Function* function = builder_.GetInsertBlock()->getParent();
      llvm::BasicBlock* stores =
          llvm::BasicBlock::Create(function->getContext(), "lane.store", function);
      llvm::BasicBlock* after =
          llvm::BasicBlock::Create(function->getContext(), "lane.stored", function);
      builder_.CreateCondBr(builder_.CreateICmpNE(lanes, builder_.getInt32(0)), stores, after);
      builder_.SetInsertPoint(stores);
      llvm::Value* last = builder_.CreateSub(
          builder_.getInt32(kWarpLanes - 1),
          builder_.CreateBinaryIntrinsic(llvm::Intrinsic::ctlz, lanes, builder_.getTrue()));
      Shape shape = shapeOf(value);
      emitted = builder_.CreateAlignedStore(
          shape.isUniform() ? shape.scalar : builder_.CreateExtractElement(vectorOf(value), last),
          address.scalar, store.getAlign());
      keepScopes(emitted, store);
      builder_.CreateBr(after);
      builder_.SetInsertPoint(after);
      return;
    } else if (mask_) {
      // Lanes storing to one place leave the last one's value, as a scatter stores in order.
      emitted = builder_.CreateMaskedScatter(vectorOf(value), vectorOf(store.getPointerOperand()),
                                             store.getAlign(), mask_);
    } else if (address.isUniform()) {
      // Every lane stores to one place: the last lane's value stays, as when the threads run
      // one after the other.
      Shape shape = shapeOf(value);
      llvm::Value* last = shape.isUniform()
                              ? shape.scalar
                              : builder_.CreateExtractElement(vectorOf(value), kWarpLanes - 1);
      emitted = builder_.CreateAlignedStore(last, address.scalar, store.getAlign());
    } else if (isConsecutive(address, value->getType())) {
      emitted = builder_.CreateAlignedStore(vectorOf(value), address.scalar, store.getAlign());
    } else {
      emitted = builder_.CreateMaskedScatter(vectorOf(value), vectorOf(store.getPointerOperand()),
                                             store.getAlign());
    }
    keepScopes(emitted, store);
  }

  llvm::IRBuilder<>& builder_;
  const llvm::DataLayout& layout_;
  llvm::DenseMap<const llvm::Value*, Shape> shapes_;
  llvm::Value* mask_ = nullptr;
  const llvm::Value* context_ = nullptr;
  const WarpExchange& exchange_;
  llvm::Value* operand_ = nullptr;
};

/// The blocks of `region` in an order where every branch goes forward, if it has no loop.
std::optional<std::vector<const llvm::BasicBlock*>> forwardOrder(const llvm::Function& region) {
  llvm::ReversePostOrderTraversal<const llvm::Function*> traversal(&region);
  std::vector<const llvm::BasicBlock*> order(traversal.begin(), traversal.end());
  llvm::DenseMap<const llvm::BasicBlock*, size_t> position;
  for (size_t i = 0; i < order.size(); ++i)
    position[order[i]] = i;
  for (size_t i = 0; i < order.size(); ++i)
    for (const llvm::BasicBlock* next : llvm::successors(order[i]))
      if (position.at(next) <= i)
        return std::nullopt;
  return order;
}

} // namespace

std::optional<std::set<int32_t>> warpVectorStatuses(const llvm::Function& region) {
  std::optional<std::vector<const llvm::BasicBlock*>> order = forwardOrder(region);
  if (!order)
    return std::nullopt;
  std::set<int32_t> statuses;
  for (const llvm::BasicBlock* block : *order) {
    for (const llvm::Instruction& instruction : *block)
      if (!instruction.isTerminator() && !canRunForWarp(instruction))
        return std::nullopt;
    const llvm::Instruction* end = block->getTerminator();
    if (auto* ret = llvm::dyn_cast<llvm::ReturnInst>(end)) {
      auto* status = llvm::dyn_cast_or_null<llvm::ConstantInt>(ret->getReturnValue());
      if (!status || status->getSExtValue() < 0)
        return std::nullopt;
      statuses.insert(int32_t(status->getSExtValue()));
    } else if (!llvm::isa<llvm::BranchInst>(end)) {
      return std::nullopt;
    }
  }
  return statuses;
}

WarpRegion emitRegionForWarp(llvm::IRBuilder<>& builder, const llvm::Function& region,
                             const WarpArguments& arguments, llvm::Value* lanes,
                             const WarpExchange& exchange) {
  WarpEmitter emitter(builder, region.getParent()->getDataLayout(), exchange);
  // i32 step(params..., ptr context, ptr thread, ptr frames, i32 tx, i32 ty, i32 tz)
  size_t uniforms = arguments.uniform.size();
  for (size_t i = 0; i < uniforms; ++i)
    emitter.define(region.getArg(unsigned(i)), {.scalar = arguments.uniform[i]});
  emitter.define(region.getArg(unsigned(uniforms)),
                 {.scalar = arguments.firstThread, .stride = int64_t(sizeof(uint32_t))});
  emitter.define(region.getArg(unsigned(uniforms + 1)), {.scalar = arguments.frames});
  // Lane 0's x is a multiple of 32: a warp runs as vectors only where ntid.x is.
  emitter.define(region.getArg(unsigned(uniforms + 2)),
                 {.scalar = arguments.firstX, .stride = 1, .zeros = kWarpZeros});
  emitter.setContext(region.getArg(unsigned(uniforms - 1)));
  emitter.define(region.getArg(unsigned(uniforms + 3)), {.scalar = arguments.y});
  emitter.define(region.getArg(unsigned(uniforms + 4)), {.scalar = arguments.z});
  // The lanes that take each edge and reach each block (null: every lane).
  llvm::DenseMap<std::pair<const llvm::BasicBlock*, const llvm::BasicBlock*>, llvm::Value*> edges;
  llvm::Value* statuses = nullptr;
  std::vector<const llvm::BasicBlock*> order = *forwardOrder(region);
  for (const llvm::BasicBlock* block : order) {
    llvm::Value* mask = block == &region.getEntryBlock() ? lanes : nullptr;
    std::vector<const llvm::BasicBlock*> from(llvm::pred_begin(block), llvm::pred_end(block));
    std::ranges::sort(from);
    from.erase(std::unique(from.begin(), from.end()), from.end());
    for (const llvm::BasicBlock* predecessor : from) {
      llvm::Value* edge = edges.at({predecessor, block});
      mask = !mask || !edge ? edge : builder.CreateOr(mask, edge);
      if (!mask)
        break;
    }
    emitter.setMask(mask);
    for (const llvm::Instruction& instruction : *block) {
      if (auto* phi = llvm::dyn_cast<llvm::PHINode>(&instruction)) {
        // Each lane takes the value of the edge it came along.
        llvm::Value* merged = emitter.vectorOf(phi->getIncomingValue(0));
        for (unsigned i = 1; i < phi->getNumIncomingValues(); ++i) {
          llvm::Value* edge = edges.at({phi->getIncomingBlock(i), block});
          merged =
              edge ? builder.CreateSelect(edge, emitter.vectorOf(phi->getIncomingValue(i)), merged)
                   : emitter.vectorOf(phi->getIncomingValue(i));
        }
        emitter.define(phi, {.vector = merged});
      } else if (!instruction.isTerminator()) {
        emitter.emit(instruction);
      }
    }
    auto lanesWhere = [&](llvm::Value* condition) {
      return mask ? builder.CreateAnd(mask, condition) : condition;
    };
    if (auto* ret = llvm::dyn_cast<llvm::ReturnInst>(block->getTerminator())) {
      llvm::Value* status = builder.CreateVectorSplat(kWarpLanes, ret->getReturnValue());
      statuses = statuses && mask ? builder.CreateSelect(mask, status, statuses) : status;
    } else if (auto* branch = llvm::dyn_cast<llvm::BranchInst>(block->getTerminator());
               branch->isUnconditional() || branch->getSuccessor(0) == branch->getSuccessor(1)) {
      edges[{block, branch->getSuccessor(0)}] = mask;
    } else {
      llvm::Value* condition = emitter.vectorOf(branch->getCondition());
      edges[{block, branch->getSuccessor(0)}] = lanesWhere(condition);
      edges[{block, branch->getSuccessor(1)}] = lanesWhere(builder.CreateNot(condition));
    }
  }
  return {statuses, emitter.operand()};
}

} // namespace drawbridge::backend::cpu

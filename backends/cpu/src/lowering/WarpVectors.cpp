// A region copy without calls (but vectorizable intrinsics) run for the 32 lanes of a warp at
// once (loops become vector loops while any lane is in them): each value the region computes
// becomes either one scalar the lanes share (uniform), lane 0's value and a constant step from lane
// to lane (affine: thread indices and the addresses made from them), or a vector of 32 (varying).
// Affine addresses one element apart become vector loads and stores, others gathers and scatters.
// Branches are linearized: each block runs under the mask of the lanes that reach it (memory
// accesses masked, divisors of the others replaced by 1), phis become selects on the edges' masks,
// and each lane's return is kept in a vector of statuses. The block function uses it for the
// regions between barriers and to resolve chains of whole-warp shuffles in registers (WarpChain in
// BlockFunction.cpp) instead of a loop over the threads per region and per shuffle. Values saved in
// the frame that a warp's lanes share run as scalars after a check (frameLoadsWorthChecking).
#include "Lowering.h"

#include <cassert>
#include <functional>
#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/PostOrderIterator.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ValueTracking.h>
#include <llvm/Analysis/VectorUtils.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/GetElementPtrTypeIterator.h>
#include <llvm/IR/IntrinsicInst.h>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

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
  // Affine only where this holds (an i1 test of lane 0's values): the lanes' narrow values are
  // widened, and whether they wrapped on the way is known only when the warp runs.
  llvm::Value* unwrapped = nullptr;
  bool isUniform() const { return scalar && stride == 0; }
  bool isAffine() const { return scalar && stride != 0; }
  bool staysWithinAlignment() const {
    return stride > 0 && zeros < 40 && 31 * stride < (int64_t(1) << zeros);
  }
};

/// Both conditions (run-time tests or lane masks), where null stands for one that always
/// holds (every lane).
llvm::Value* bothHold(llvm::IRBuilder<>& builder, llvm::Value* first, llvm::Value* second) {
  return first && second ? builder.CreateAnd(first, second) : first ? first : second;
}

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
    // x86 calls libm once per element for these, and every call spills the warp's
    // vectors: such a region runs faster thread by thread.
    if (!llvm::isTriviallyVectorizable(id) || isLibraryMath(id))
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

using SharedLoads = std::map<const llvm::LoadInst*, llvm::Value*>;

/// Emits one region's instructions for a warp, keeping each value's shape.
class WarpEmitter {
public:
  /// `shared`: loads whose value every lane is known to have, and that value.
  WarpEmitter(llvm::IRBuilder<>& builder, const llvm::DataLayout& layout,
              const WarpExchange& exchange, const SharedLoads& shared)
      : builder_(builder), layout_(layout), exchange_(exchange), shared_(shared) {}

  /// The shuffle operand the region's exit did not store.
  llvm::Value* operand() const { return operand_; }

  void define(const llvm::Value* value, Shape shape) { shapes_[value] = shape; }
  void setContext(const llvm::Value* context) { context_ = context; }
  void setRowWidth(uint32_t width) { rowWidth_ = width; }

  /// The lanes the following instructions run for (<32 x i1>; null: every lane), and whether
  /// some lane certainly does (`someLane`): a load from an address they share is then one
  /// scalar load, as the program reads that address.
  void setMask(llvm::Value* mask, bool someLane = false) {
    mask_ = mask;
    someLane_ = someLane;
    records_.clear();
  }

  /// After `block` was emitted on a path from `skipped` that `ran` ends, which a warp takes only
  /// when some lane runs the block: each value the block defined becomes a phi, poison where
  /// it was skipped (no lane reads it there). Returns the phi for any other value, likewise.
  void joinSkipped(const llvm::BasicBlock& block, llvm::BasicBlock* ran,
                   llvm::BasicBlock* skipped) {
    forgetUnwrapped(block);
    for (const llvm::Instruction& instruction : block) {
      if (auto found = shapes_.find(&instruction); found != shapes_.end()) {
        found->second.scalar = join(found->second.scalar, ran, skipped);
        found->second.vector = join(found->second.vector, ran, skipped);
      }
    }
  }
  llvm::Value* join(llvm::Value* value, llvm::BasicBlock* ran, llvm::BasicBlock* skipped,
                    llvm::Value* otherwise = nullptr) {
    if (!value || llvm::isa<llvm::Constant>(value))
      return value;
    llvm::PHINode* phi = builder_.CreatePHI(value->getType(), 2);
    phi->addIncoming(value, ran);
    phi->addIncoming(otherwise ? otherwise : llvm::PoisonValue::get(value->getType()), skipped);
    return phi;
  }
  void setOperand(llvm::Value* operand) { operand_ = operand; }

  /// Leaves the values of `block` their exact lanes only, where the emitted code branches
  /// around it (a skipped block, a loop no lane may enter): an affine shape's scalar and test
  /// would not reach past the join.
  void forgetUnwrapped(const llvm::BasicBlock& block) {
    for (const llvm::Instruction& instruction : block)
      unwrappedAffine_.erase(&instruction);
  }

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
    std::optional<Shape> affine = guarded ? std::nullopt : affineShape(instruction);
    if (affine && !affine->unwrapped) {
      define(&instruction, *affine);
      return;
    }
    if (!guarded && !affine && llvm::any_of(instruction.operands(), [&](const llvm::Use& use) {
          return unwrappedAffine_.contains(use.get());
        })) {
      viewUnwrapped_ = true;
      affine = affineShape(instruction);
      viewUnwrapped_ = false;
    }
    if (affine)
      unwrappedAffine_[&instruction] = *affine;
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
    if (viewUnwrapped_)
      if (auto found = unwrappedAffine_.find(value); found != unwrappedAffine_.end())
        return found->second;
    return shapes_.at(value);
  }

  /// Every lane's value of `value`.
  llvm::Value* vectorOf(const llvm::Value* value) { return vectorOf(shapeOf(value)); }
  llvm::Value* vectorOf(const Shape& shape) {
    if (shape.vector)
      return shape.vector;
    llvm::Value* splat = builder_.CreateVectorSplat(kWarpLanes, shape.scalar);
    if (shape.isUniform())
      return splat;
    if (shape.scalar->getType()->isPointerTy())
      return builder_.CreateGEP(builder_.getInt8Ty(), splat,
                                laneOffsets(builder_.getInt64Ty(), shape.stride));
    return builder_.CreateAdd(splat, laneOffsets(shape.scalar->getType(), shape.stride));
  }

  /// `value`'s affine shape that holds only where its test does, if it has one, else its shape.
  Shape shapeIfUnwrapped(const llvm::Value* value) const {
    auto found = unwrappedAffine_.find(value);
    return found != unwrappedAffine_.end() ? found->second : shapeOf(value);
  }
  /// Gives `value` (defined with its exact lanes) an affine shape that holds where
  /// `shape.unwrapped` does.
  void defineIfUnwrapped(const llvm::Value* value, const Shape& shape) {
    unwrappedAffine_[value] = shape;
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
    case llvm::Instruction::Or:
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

  /// The shape of integer and address arithmetic that keeps lanes a constant step apart, and
  /// what it assumes of lane 0's values (its operands' assumptions and its own).
  std::optional<Shape> affineShape(const llvm::Instruction& instruction) {
    wrapTest_ = nullptr;
    std::optional<Shape> shape = affineStep(instruction);
    if (!shape)
      return std::nullopt;
    llvm::Value* unwrapped = wrapTest_;
    for (const llvm::Use& use : instruction.operands())
      if (llvm::Value* test = shapeOf(use.get()).unwrapped)
        unwrapped = bothHold(builder_, unwrapped, test);
    shape->unwrapped = unwrapped;
    return shape;
  }

  /// Whether no lane's value of `value` (an affine integer) wraps as a `isSigned` number: lane
  /// 0's value and the steps to lane 31 stay within the type's range. Null where some lane
  /// always does.
  llvm::Value* staysUnwrapped(const Shape& value, bool isSigned) {
    auto* type = llvm::cast<llvm::IntegerType>(value.scalar->getType());
    unsigned bits = type->getBitWidth();
    llvm::APInt span = llvm::APInt(64, uint64_t(31 * std::abs(value.stride))).zextOrTrunc(bits);
    if (bits < 64 && uint64_t(31 * std::abs(value.stride)) >> bits)
      return nullptr;
    llvm::APInt low = isSigned ? llvm::APInt::getSignedMinValue(bits) : llvm::APInt(bits, 0);
    llvm::APInt high =
        isSigned ? llvm::APInt::getSignedMaxValue(bits) : llvm::APInt::getMaxValue(bits);
    if (value.stride > 0) {
      llvm::Value* limit = llvm::ConstantInt::get(type, high - span);
      return isSigned ? builder_.CreateICmpSLE(value.scalar, limit)
                      : builder_.CreateICmpULE(value.scalar, limit);
    }
    llvm::Value* limit = llvm::ConstantInt::get(type, low + span);
    return isSigned ? builder_.CreateICmpSGE(value.scalar, limit)
                    : builder_.CreateICmpUGE(value.scalar, limit);
  }

  std::optional<Shape> affineStep(const llvm::Instruction& instruction) {
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
        if (index.isStruct() || index.getSequentialElementStride(layout_).isScalable())
          return std::nullopt;
        if (index.getOperand()->getType()->getIntegerBitWidth() < 64 && !offset.noSignedWrap &&
            !offset.staysWithinAlignment()) {
          llvm::Value* test = staysUnwrapped(offset, /*isSigned=*/true);
          if (!test)
            return std::nullopt;
          wrapTest_ = bothHold(builder_, wrapTest_, test);
        }
        result.stride +=
            offset.stride * int64_t(index.getSequentialElementStride(layout_).getFixedValue());
      }
    } else if (auto* binary = llvm::dyn_cast<llvm::BinaryOperator>(&instruction)) {
      Shape left = shapeOf(binary->getOperand(0)), right = shapeOf(binary->getOperand(1));
      auto* constant = llvm::dyn_cast<llvm::ConstantInt>(binary->getOperand(1));
      auto* leftConstant = llvm::dyn_cast<llvm::ConstantInt>(binary->getOperand(0));
      switch (binary->getOpcode()) {
      case llvm::Instruction::Or: // with no bit set on both sides, an addition that cannot wrap
        if (!llvm::cast<llvm::PossiblyDisjointInst>(binary)->isDisjoint())
          return std::nullopt;
        result.stride = left.stride + right.stride;
        result.scalar = cloneForLaneZero(instruction);
        result.zeros = knownZeros(instruction);
        return result;
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
      case llvm::Instruction::ZExt: {
        // Without the lanes' no-wrap facts (PTX has none), the warp tests lane 0's value.
        bool isSigned = cast->getOpcode() == llvm::Instruction::SExt;
        if (!(isSigned ? source.noSignedWrap : source.noUnsignedWrap) &&
            !source.staysWithinAlignment() && !(wrapTest_ = staysUnwrapped(source, isSigned)))
          return std::nullopt;
        (isSigned ? result.noUnsignedWrap : result.noSignedWrap) = false;
        break;
      }
      case llvm::Instruction::Trunc:
        result.noSignedWrap = result.noUnsignedWrap = false;
        break;
      case llvm::Instruction::IntToPtr: // PTX's addresses are integers until they are used
      case llvm::Instruction::PtrToInt:
        if (layout_.getTypeSizeInBits(cast->getSrcTy()) !=
            layout_.getTypeSizeInBits(cast->getDestTy()))
          return std::nullopt;
        break;
      case llvm::Instruction::AddrSpaceCast: // global and generic: the same host address
        if (llvm::cast<llvm::AddrSpaceCastInst>(cast)->getSrcAddressSpace() ==
                kSharedAddressSpace ||
            llvm::cast<llvm::AddrSpaceCastInst>(cast)->getDestAddressSpace() == kSharedAddressSpace)
          return std::nullopt;
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

  /// k when lanes' elements lie k elements apart, 2 <= k <= 8: a span load or store costs less
  /// than a gather or scatter there.
  std::optional<unsigned> elementSpacing(const Shape& address, llvm::Type* type) const {
    if (!address.isAffine() || !hasWholeBytes(type, layout_))
      return std::nullopt;
    auto size = int64_t(layout_.getTypeAllocSize(type));
    if (address.stride % size != 0 || address.stride / size < 2 || address.stride / size > 8)
      return std::nullopt;
    return unsigned(address.stride / size);
  }
  static unsigned spanLength(unsigned spacing) { return (kWarpLanes - 1) * spacing + 1; }

  /// Which record of `spacing` elements of `size` bytes, counted from `root`, the element at
  /// `offset` from it is in, and which element of it; none for an element between two.
  static std::optional<std::pair<int64_t, unsigned>>
  recordAndField(const llvm::APInt& offset, unsigned spacing, uint64_t size) {
    auto bytes = int64_t(spacing * size);
    int64_t at = offset.getSExtValue();
    int64_t record = at >= 0 ? at / bytes : -((-at + bytes - 1) / bytes);
    int64_t within = at - record * bytes;
    if (within % int64_t(size) != 0)
      return std::nullopt;
    return std::pair(record, unsigned(within / int64_t(size)));
  }

  /// The lanes' whole records (`spacing` elements each, from the one `load` reads back to the
  /// record's start), loaded once for all the block's loads of them, when those loads together
  /// read every element of a record: then no element is read that a lane does not read.
  /// Records are counted from the address the loads are constant offsets from, so an unrolled
  /// loop's loads at several records' distance each find their own. `first` is `load`'s element
  /// in its record.
  llvm::Value* recordsLoad(const llvm::LoadInst& load, const Shape& address, unsigned spacing,
                           unsigned& first) {
    llvm::APInt offset(64, 0);
    const llvm::Value* root = baseOf(load.getPointerOperand(), offset);
    auto size = uint64_t(layout_.getTypeAllocSize(load.getType()));
    std::optional<std::pair<int64_t, unsigned>> place = recordAndField(offset, spacing, size);
    if (!place)
      return nullptr;
    auto [record, field] = *place;
    auto key = std::make_tuple(root, record, mask_);
    if (auto found = records_.find(key); found != records_.end()) {
      first = field;
      return found->second;
    }
    std::vector<bool> read(spacing);
    for (const llvm::Instruction& other : *load.getParent()) {
      auto* sibling = llvm::dyn_cast<llvm::LoadInst>(&other);
      llvm::APInt at(64, 0);
      if (!sibling || !sibling->isSimple() || sibling->getType() != load.getType() ||
          baseOf(sibling->getPointerOperand(), at) != root)
        continue;
      if (std::optional<std::pair<int64_t, unsigned>> its = recordAndField(at, spacing, size);
          its && its->first == record)
        read[its->second] = true;
    }
    if (!std::ranges::all_of(read, [](bool element) { return element; }))
      return nullptr;
    first = field;
    // Lane 0's record starts `first` elements before its element.
    llvm::Value* start = builder_.CreateGEP(builder_.getInt8Ty(), address.scalar,
                                            builder_.getInt64(-int64_t(first * size)));
    auto* type = llvm::FixedVectorType::get(load.getType(), kWarpLanes * spacing);
    llvm::Instruction* wide = nullptr;
    if (mask_) {
      std::vector<int> owner;
      for (unsigned element = 0; element < kWarpLanes * spacing; ++element)
        owner.push_back(int(element / spacing));
      wide = builder_.CreateMaskedLoad(type, start, llvm::Align(size),
                                       builder_.CreateShuffleVector(mask_, owner), nullptr);
    } else {
      wide = builder_.CreateAlignedLoad(type, start, llvm::Align(size));
    }
    keepScopes(wide, load);
    records_[key] = wide;
    return wide;
  }

  /// The span's elements that are lanes' (every spacing-th), for the lanes under the mask.
  llvm::Value* spanMask(unsigned spacing) {
    std::vector<int> owner;
    std::vector<llvm::Constant*> isLane;
    for (unsigned element = 0; element < spanLength(spacing); ++element) {
      owner.push_back(int(element / spacing));
      isLane.push_back(builder_.getInt1(element % spacing == 0));
    }
    llvm::Value* lanes = llvm::ConstantVector::get(isLane);
    return bothHold(builder_, mask_ ? builder_.CreateShuffleVector(mask_, owner) : nullptr, lanes);
  }

  /// Stores of every field of the lanes' records, one after the other in a block with no other
  /// memory access between them: the fields' vectors are kept until the last, which stores all
  /// the records at once. Whether `store` was taken so.
  bool storesRecord(const llvm::StoreInst& store, const Shape& address, unsigned spacing) {
    llvm::Type* type = store.getValueOperand()->getType();
    auto size = uint64_t(layout_.getTypeAllocSize(type));
    const llvm::Value* root = rootOf(store);
    auto fieldOf = [&](const llvm::Instruction& instruction) -> std::optional<unsigned> {
      auto* other = llvm::dyn_cast<llvm::StoreInst>(&instruction);
      if (!other || !other->isSimple() || other->getValueOperand()->getType() != type)
        return std::nullopt;
      llvm::APInt offset(64, 0);
      const llvm::Value* base = baseOf(other->getPointerOperand(), offset);
      if (base != root || offset.isNegative() || offset.getZExtValue() % size != 0 ||
          offset.getZExtValue() / size >= spacing)
        return std::nullopt;
      return unsigned(offset.getZExtValue() / size);
    };
    if (!pendingRecords_.contains(root)) {
      // The run of stores from this one: every field once, nothing else touching memory.
      std::vector<bool> stored(spacing);
      unsigned count = 0;
      for (const llvm::Instruction* at = &store; at && count < spacing; at = at->getNextNode()) {
        std::optional<unsigned> field = fieldOf(*at);
        if (!field) {
          if (at->mayReadOrWriteMemory())
            return false;
          continue;
        }
        if (stored[*field])
          return false;
        stored[*field] = true;
        ++count;
      }
      if (count < spacing || (spacing & (spacing - 1)) != 0)
        return false;
      pendingRecords_[root] = std::vector<llvm::Value*>(spacing, nullptr);
    }
    std::vector<llvm::Value*>& fields = pendingRecords_[root];
    unsigned field = *fieldOf(store);
    fields[field] = vectorOf(store.getValueOperand());
    if (llvm::any_of(fields, [](llvm::Value* value) { return !value; }))
      return true;
    // The fields side by side, then interleaved: element lane * spacing + f is field f of lane.
    std::vector<llvm::Value*> parts = fields;
    while (parts.size() > 1) {
      std::vector<llvm::Value*> joined;
      for (size_t i = 0; i + 1 < parts.size(); i += 2) {
        unsigned length = llvm::cast<llvm::FixedVectorType>(parts[i]->getType())->getNumElements();
        std::vector<int> both(2 * length);
        std::iota(both.begin(), both.end(), 0);
        joined.push_back(builder_.CreateShuffleVector(parts[i], parts[i + 1], both));
      }
      parts = joined;
    }
    std::vector<int> order, owner;
    for (unsigned element = 0; element < kWarpLanes * spacing; ++element) {
      order.push_back(int(element % spacing * kWarpLanes + element / spacing));
      owner.push_back(int(element / spacing));
    }
    llvm::Value* records = builder_.CreateShuffleVector(parts[0], order);
    llvm::Value* start = builder_.CreateGEP(builder_.getInt8Ty(), address.scalar,
                                            builder_.getInt64(-int64_t(field * size)));
    llvm::Instruction* emitted = nullptr;
    if (mask_)
      emitted = builder_.CreateMaskedStore(records, start, llvm::Align(size),
                                           builder_.CreateShuffleVector(mask_, owner));
    else
      emitted = builder_.CreateAlignedStore(records, start, llvm::Align(size));
    keepScopes(emitted, store);
    pendingRecords_.erase(root);
    return true;
  }

  const llvm::Value* rootOf(const llvm::StoreInst& store) const {
    llvm::APInt offset(64, 0);
    return baseOf(store.getPointerOperand(), offset);
  }

  /// The address `pointer` is a constant `offset` from. Offsets that are not inbounds count too
  /// (the scalarized elements of a vector load): the address is the base's plus them either way.
  const llvm::Value* baseOf(const llvm::Value* pointer, llvm::APInt& offset) const {
    return pointer->stripAndAccumulateConstantOffsets(layout_, offset, /*AllowNonInbounds=*/true);
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
    if (auto known = shared_.find(&load); known != shared_.end()) {
      define(&load, uniform(known->second));
      return;
    }
    if (rowWidth_ && isBlockWidth(load)) {
      Shape shape = uniform(llvm::ConstantInt::get(load.getType(), rowWidth_));
      shape.zeros = unsigned(std::countr_zero(rowWidth_));
      define(&load, shape);
      return;
    }
    Shape address = shapeOf(load.getPointerOperand());
    if (unwrappedAffine_.contains(load.getPointerOperand())) {
      define(&load, {.vector = eitherWay(load.getPointerOperand(), [&](const Shape& at) {
                       return vectorOf(loadAt(load, at));
                     })});
      return;
    }
    define(&load, loadAt(load, address));
  }

  /// For an address with an affine shape that holds only unwrapped: `access` at that shape
  /// where it holds, else at every lane's address; the value it gives (a vector, or null for a
  /// store) either way. Records loaded whole stay within their way.
  llvm::Value* eitherWay(const llvm::Value* address,
                         const std::function<llvm::Value*(const Shape&)>& access) {
    const Shape& unwrapped = unwrappedAffine_.at(address);
    llvm::LLVMContext& context = builder_.getContext();
    llvm::Function* function = builder_.GetInsertBlock()->getParent();
    auto* affine = llvm::BasicBlock::Create(context, "unwrapped", function);
    auto* perLane = llvm::BasicBlock::Create(context, "wrapped", function);
    auto* joined = llvm::BasicBlock::Create(context, "unwrapped.joined", function);
    builder_.CreateCondBr(unwrapped.unwrapped, affine, perLane);
    auto records = records_;
    builder_.SetInsertPoint(affine);
    llvm::Value* fast = access(unwrapped);
    llvm::BasicBlock* fastEnd = builder_.GetInsertBlock();
    builder_.CreateBr(joined);
    records_ = records;
    builder_.SetInsertPoint(perLane);
    llvm::Value* slow = access(shapeOf(address));
    llvm::BasicBlock* slowEnd = builder_.GetInsertBlock();
    builder_.CreateBr(joined);
    records_ = records;
    builder_.SetInsertPoint(joined);
    if (!fast)
      return nullptr;
    llvm::PHINode* value = builder_.CreatePHI(fast->getType(), 2);
    value->addIncoming(fast, fastEnd);
    value->addIncoming(slow, slowEnd);
    return value;
  }

  /// `load`'s value for the lanes under the mask, from `address`.
  Shape loadAt(const llvm::LoadInst& load, const Shape& address) {
    if (address.isUniform() && (!mask_ || someLane_ || contextOffset(load))) {
      Shape shape = uniform(cloneForLaneZero(load));
      if (isBlockWidth(load))
        shape.zeros = kWarpZeros;
      return shape;
    }
    auto* type = llvm::FixedVectorType::get(load.getType(), kWarpLanes);
    llvm::Instruction* vector = nullptr;
    if (isConsecutive(address, load.getType()) && !mask_)
      vector = builder_.CreateAlignedLoad(type, address.scalar, load.getAlign(), load.getName());
    else if (isConsecutive(address, load.getType()))
      vector = builder_.CreateMaskedLoad(type, address.scalar, load.getAlign(), mask_, nullptr,
                                         load.getName());
    else if (std::optional<unsigned> spacing = elementSpacing(address, load.getType())) {
      // Lanes a few elements apart (a float4 read as four floats): when the block's loads read
      // every element of each lane's record, one load of all the records, else one of the
      // span that reads only the lanes' elements; then their elements picked out of it.
      unsigned first = 0;
      llvm::Value* wide = recordsLoad(load, address, *spacing, first);
      if (!wide) {
        auto* span = llvm::FixedVectorType::get(load.getType(), spanLength(*spacing));
        wide = builder_.CreateMaskedLoad(span, address.scalar, load.getAlign(), spanMask(*spacing),
                                         nullptr);
        keepScopes(llvm::cast<llvm::Instruction>(wide), load);
      }
      std::vector<int> picks;
      for (unsigned lane = 0; lane < kWarpLanes; ++lane)
        picks.push_back(int(first + lane * *spacing));
      return {.vector = builder_.CreateShuffleVector(wide, picks, load.getName())};
    } else
      vector = builder_.CreateMaskedGather(type, vectorOf(load.getPointerOperand()),
                                           load.getAlign(), mask_, nullptr, load.getName());
    keepScopes(vector, load);
    return {.vector = vector};
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
    if (unwrappedAffine_.contains(store.getPointerOperand())) {
      eitherWay(store.getPointerOperand(), [&](const Shape& at) {
        storeAt(store, at, /*wholeRecords=*/false);
        return nullptr;
      });
      return;
    }
    storeAt(store, shapeOf(store.getPointerOperand()), /*wholeRecords=*/true);
  }

  /// Stores `store`'s value for the lanes under the mask at `address`; `wholeRecords`: the
  /// fields of records may wait for the last one (storesRecord).
  void storeAt(const llvm::StoreInst& store, const Shape& address, bool wholeRecords) {
    const llvm::Value* value = store.getValueOperand();
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
    } else if (std::optional<unsigned> spacing = elementSpacing(address, value->getType());
               spacing && wholeRecords && storesRecord(store, address, *spacing)) {
      return;
    } else if (spacing) {
      // Lanes a few elements apart: one masked store of the span that writes only theirs.
      std::vector<int> spread(spanLength(*spacing), -1);
      for (unsigned lane = 0; lane < kWarpLanes; ++lane)
        spread[lane * *spacing] = int(lane);
      emitted = builder_.CreateMaskedStore(builder_.CreateShuffleVector(vectorOf(value), spread),
                                           address.scalar, store.getAlign(), spanMask(*spacing));
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
  // Affine shapes that hold only where their `unwrapped` test does (shapes_ has the value's
  // exact lanes): PTX computes indices in 32 bits without no-wrap flags and widens them
  // (mul.wide, cvt), where clang's nsw says they cannot wrap. A load or store at such an
  // address tests once and goes the affine way when it may. shapeOf sees them while
  // viewUnwrapped_ is set.
  llvm::DenseMap<const llvm::Value*, Shape> unwrappedAffine_;
  bool viewUnwrapped_ = false;
  llvm::Value* wrapTest_ = nullptr; // affineStep's own test, if it needs one
  llvm::Value* mask_ = nullptr;
  bool someLane_ = false;
  uint32_t rowWidth_ = 0;
  const llvm::Value* context_ = nullptr;
  const WarpExchange& exchange_;
  const SharedLoads& shared_;
  llvm::Value* operand_ = nullptr;
  // Fields of records stored whole (storesRecord) until the last one, by where they start.
  std::map<const llvm::Value*, std::vector<llvm::Value*>> pendingRecords_;
  // Records loaded whole (recordsLoad), by where they start and the mask they were loaded under.
  std::map<std::tuple<const llvm::Value*, int64_t, llvm::Value*>, llvm::Value*> records_;
};

/// The loops of a region and the order its blocks are emitted in: a topological order of the
/// branches but the loops' back edges, each loop's blocks together after its header.
class RegionLoops {
public:
  explicit RegionLoops(const llvm::Function& region)
      : tree_(const_cast<llvm::Function&>(region)), loops_(tree_) {
    llvm::ReversePostOrderTraversal<const llvm::Function*> traversal(&region);
    std::vector<const llvm::BasicBlock*> reverse(traversal.begin(), traversal.end());
    llvm::SmallPtrSet<const llvm::BasicBlock*, 16> placed;
    if (!place(nullptr, reverse, placed))
      return;
    llvm::DenseMap<const llvm::BasicBlock*, size_t> position;
    for (size_t i = 0; i < order_.size(); ++i)
      position[order_[i]] = i;
    for (size_t i = 0; i < order_.size(); ++i)
      for (const llvm::BasicBlock* next : llvm::successors(order_[i]))
        if (position.at(next) <= i && !isBackEdge(order_[i], next))
          return;
    valid_ = true;
  }

  /// The blocks in emission order, if every loop is one emitRegionForWarp can run.
  std::optional<std::vector<const llvm::BasicBlock*>> order() const {
    return valid_ ? std::optional(order_) : std::nullopt;
  }
  /// The loop directly inside `context` (null: the region) that holds `block`, if any.
  const llvm::Loop* childLoop(const llvm::BasicBlock* block, const llvm::Loop* context) const {
    const llvm::Loop* loop = loops_.getLoopFor(block);
    while (loop && loop->getParentLoop() != context)
      loop = loop->getParentLoop();
    return loop;
  }
  bool isBackEdge(const llvm::BasicBlock* from, const llvm::BasicBlock* to) const {
    const llvm::Loop* loop = loops_.getLoopFor(to);
    return loop && loop->getHeader() == to && loop->getLoopLatch() == from;
  }

private:
  /// Appends the blocks of `context` (null: the region) in reverse post order, each loop inside
  /// it together after its header. Fails for a loop with several latches or entered elsewhere.
  bool place(const llvm::Loop* context, const std::vector<const llvm::BasicBlock*>& reverse,
             llvm::SmallPtrSet<const llvm::BasicBlock*, 16>& placed) {
    for (const llvm::BasicBlock* block : reverse) {
      if (placed.contains(block) || (context && !context->contains(block)))
        continue;
      const llvm::Loop* loop = childLoop(block, context);
      if (!loop) {
        order_.push_back(block);
        placed.insert(block);
        continue;
      }
      if (!loop->getLoopLatch() || block != loop->getHeader())
        return false;
      order_.push_back(block);
      placed.insert(block);
      if (!place(loop, reverse, placed))
        return false;
    }
    return true;
  }

  llvm::DominatorTree tree_;
  llvm::LoopInfo loops_;
  std::vector<const llvm::BasicBlock*> order_;
  bool valid_ = false;
};

/// Emits a region's blocks for a warp: branches under masks, loops as vector loops that run
/// while any lane is in them.
class RegionEmitter {
public:
  RegionEmitter(llvm::IRBuilder<>& builder, WarpEmitter& emitter, const RegionLoops& loops)
      : builder_(builder), emitter_(emitter), loops_(loops) {}

  llvm::Value* emit(const std::vector<const llvm::BasicBlock*>& order, llvm::Value* lanes) {
    lanes_ = lanes;
    if (lanes)
      someLane_.insert(lanes);
    emitBlocks(nullptr, order);
    return statuses_;
  }

private:
  /// Emits `blocks`, the blocks of `context` (null: the region) but its header, in order; each
  /// loop inside it as a vector loop.
  void emitBlocks(const llvm::Loop* context, const std::vector<const llvm::BasicBlock*>& blocks) {
    std::set<const llvm::BasicBlock*> emitted;
    for (size_t i = 0; i < blocks.size(); ++i) {
      if (emitted.contains(blocks[i]))
        continue;
      const llvm::Loop* loop = loops_.childLoop(blocks[i], context);
      if (!loop) {
        std::vector<const llvm::BasicBlock*> tail = endingTail(blocks, i, context);
        if (tail.empty()) {
          emitSkippableBlock(*blocks[i]);
        } else {
          emitSkippableTail(tail);
          emitted.insert(tail.begin(), tail.end());
        }
        continue;
      }
      size_t end = i;
      while (end < blocks.size() && loop->contains(blocks[end]))
        ++end;
      emitLoop(*loop, {blocks.begin() + long(i), blocks.begin() + long(end)});
      i = end - 1;
    }
  }

  /// The blocks from blocks[i] on that only it leads to and that all end the region, in order,
  /// when blocks[i] is behind a branch on a condition the lanes share or a range test (the
  /// `if (threadIdx.x < 32) { ...; return; }` after a block's warps wrote their partial sums),
  /// and none is in a loop; else none. No value they define is used elsewhere, so a warp whose
  /// lanes all go the other way skips them with no join but its statuses.
  std::vector<const llvm::BasicBlock*>
  endingTail(const std::vector<const llvm::BasicBlock*>& blocks, size_t i,
             const llvm::Loop* context) {
    const llvm::BasicBlock* first = blocks[i];
    const llvm::Value* condition = soleCondition(*first);
    if (!condition || (!emitter_.shapeOf(condition).isUniform() && !isRangeTest(condition)))
      return {};
    std::set<const llvm::BasicBlock*> tail{first};
    std::vector<const llvm::BasicBlock*> work{first};
    while (!work.empty()) {
      const llvm::BasicBlock* block = work.back();
      work.pop_back();
      for (const llvm::BasicBlock* next : llvm::successors(block))
        if (tail.insert(next).second)
          work.push_back(next);
    }
    auto enteredFromTail = [&](const llvm::BasicBlock* block) {
      return llvm::all_of(llvm::predecessors(block), [&](const llvm::BasicBlock* predecessor) {
        return tail.contains(predecessor);
      });
    };
    for (const llvm::BasicBlock* block : tail)
      if (loops_.childLoop(block, context) || (block != first && !enteredFromTail(block)))
        return {};
    std::vector<const llvm::BasicBlock*> ordered;
    for (size_t j = i; j < blocks.size(); ++j)
      if (tail.contains(blocks[j]))
        ordered.push_back(blocks[j]);
    if (ordered.size() != tail.size()) // it leaves the loop `blocks` belong to
      return {};
    return ordered;
  }

  /// Emits an endingTail, skipped by a warp none of whose lanes reach its first block.
  void emitSkippableTail(const std::vector<const llvm::BasicBlock*>& tail) {
    llvm::Value* mask = entryMask(*tail.front());
    assert(mask && "a conditional branch's edges have masks");
    unlessNoLane(mask, [&] {
      emitBlock(*tail.front(), mask, false, /*someLane=*/true);
      for (size_t i = 1; i < tail.size(); ++i)
        emitSkippableBlock(*tail[i]);
    });
  }

  /// Emits `body` behind a test that some lane of `mask` runs it, then joins the statuses and
  /// the shuffle operand after it. Returns the block the body ended in and the one it was
  /// skipped from, for the caller's other joins.
  std::pair<llvm::BasicBlock*, llvm::BasicBlock*> unlessNoLane(llvm::Value* mask,
                                                               const std::function<void()>& body) {
    llvm::LLVMContext& context = builder_.getContext();
    llvm::Function* function = builder_.GetInsertBlock()->getParent();
    llvm::BasicBlock* skipped = builder_.GetInsertBlock();
    llvm::BasicBlock* run = llvm::BasicBlock::Create(context, "lanes.some", function);
    llvm::BasicBlock* after = llvm::BasicBlock::Create(context, "lanes.joined", function);
    builder_.CreateCondBr(builder_.CreateOrReduce(mask), run, after);
    builder_.SetInsertPoint(run);
    llvm::Value* statuses = statuses_;
    llvm::Value* operand = emitter_.operand();
    body();
    llvm::BasicBlock* ran = builder_.GetInsertBlock();
    builder_.CreateBr(after);
    builder_.SetInsertPoint(after);
    if (statuses_ != statuses)
      statuses_ = emitter_.join(statuses_, ran, skipped, statuses);
    if (emitter_.operand() != operand)
      emitter_.setOperand(emitter_.join(emitter_.operand(), ran, skipped, operand));
    return {ran, skipped};
  }

  /// The condition of the branch that alone leads to `block`, if one does.
  static const llvm::Value* soleCondition(const llvm::BasicBlock& block) {
    const llvm::BasicBlock* from = block.getSinglePredecessor();
    auto* branch = from ? llvm::dyn_cast<llvm::BranchInst>(from->getTerminator()) : nullptr;
    return branch && branch->isConditional() ? branch->getCondition() : nullptr;
  }

  /// Whether `block` writes memory and defines no value used elsewhere (a phi's incoming value
  /// counts as used elsewhere), so that skipping it needs no join of values.
  static bool onlyWritesMemory(const llvm::BasicBlock& block) {
    auto usedElsewhere = [&](const llvm::Instruction& instruction) {
      return std::ranges::any_of(instruction.users(), [&](const llvm::User* user) {
        auto* use = llvm::cast<llvm::Instruction>(user);
        return use->getParent() != &block || llvm::isa<llvm::PHINode>(use);
      });
    };
    auto writes = [](const llvm::Instruction& instruction) {
      return instruction.mayWriteToMemory();
    };
    return std::ranges::any_of(block, writes) && std::ranges::none_of(block, usedElsewhere);
  }

  /// Whether the lanes' `condition` orders values the lanes share or step through
  /// (`threadIdx.x < 32`, `t < stride`): it splits at most one warp of a block, so most warps
  /// run all or none of the code behind it. (An equality picks one lane, often in every warp,
  /// as `lane == 0` does.)
  bool isRangeTest(const llvm::Value* condition) {
    auto* compare = llvm::dyn_cast<llvm::ICmpInst>(condition);
    if (!compare || compare->isEquality())
      return false;
    Shape left = emitter_.shapeOf(compare->getOperand(0));
    Shape right = emitter_.shapeOf(compare->getOperand(1));
    return left.scalar && right.scalar && (left.isAffine() || right.isAffine());
  }

  /// A block behind a branch on a condition the lanes share runs only when any lane reaches it:
  /// a warp skips the other side of a uniform branch, and a range test's side that no lane of
  /// the warp takes where it only writes memory (the tree reduction's `if (t < stride)
  /// s[t] += s[t + stride]`). Skipping other divergent code cost more than it saved: the test,
  /// and joins that turn a masked value (`i < n ? in[i] : 0`) into a masked store and reload;
  /// behind `lane == 0` some lane always runs the block.
  void emitSkippableBlock(const llvm::BasicBlock& block) {
    llvm::Value* mask = entryMask(block);
    const llvm::Value* condition = soleCondition(block);
    if (!mask || !condition ||
        (!emitter_.shapeOf(condition).isUniform() &&
         !(isRangeTest(condition) && onlyWritesMemory(block)))) {
      emitBlock(block, mask, false);
      return;
    }
    auto [ran, skipped] =
        unlessNoLane(mask, [&] { emitBlock(block, mask, false, /*someLane=*/true); });
    emitter_.joinSkipped(block, ran, skipped);
    for (const llvm::BasicBlock* next : llvm::successors(&block))
      if (auto found = edges_.find({&block, next}); found != edges_.end())
        found->second = emitter_.join(found->second, ran, skipped,
                                      llvm::ConstantInt::getFalse(found->second->getType()));
  }

  /// The lanes that reach `block` along its edges (but a loop's back edge); null: every lane.
  llvm::Value* entryMask(const llvm::BasicBlock& block) {
    if (&block == &block.getParent()->getEntryBlock())
      return lanes_;
    llvm::Value* mask = nullptr;
    bool first = true;
    std::vector<const llvm::BasicBlock*> from(llvm::pred_begin(&block), llvm::pred_end(&block));
    std::ranges::sort(from);
    from.erase(std::unique(from.begin(), from.end()), from.end());
    for (const llvm::BasicBlock* predecessor : from) {
      if (loops_.isBackEdge(predecessor, &block))
        continue;
      llvm::Value* edge = edges_.at({predecessor, &block});
      if (!edge)
        return nullptr;
      mask = first ? edge : builder_.CreateOr(mask, edge);
      first = false;
    }
    return mask;
  }

  /// Each lane's value of `phi` from the edge it came along (but a loop's back edge).
  llvm::Value* merge(const llvm::PHINode& phi) {
    llvm::Value* merged = nullptr;
    for (unsigned i = 0; i < phi.getNumIncomingValues(); ++i) {
      if (loops_.isBackEdge(phi.getIncomingBlock(i), phi.getParent()))
        continue;
      llvm::Value* value = emitter_.vectorOf(phi.getIncomingValue(i));
      llvm::Value* edge = edges_.at({phi.getIncomingBlock(i), phi.getParent()});
      merged = merged && edge ? builder_.CreateSelect(edge, value, merged) : value;
    }
    return merged;
  }

  /// Where `phi`'s values on its edges (but a loop's back edge) step alike from lane to lane:
  /// the affine shape of the one edge's value, which holds where the lanes reaching the phi all
  /// came along one edge (nvcc's remainder loop starting where the lanes left its unrolled
  /// loop, or where that loop would have started when no lane ran it).
  std::optional<Shape> mergedIfOneEdge(const llvm::PHINode& phi) {
    Shape merged;
    llvm::Value* someBefore = nullptr;
    bool first = true;
    for (unsigned i = 0; i < phi.getNumIncomingValues(); ++i) {
      if (loops_.isBackEdge(phi.getIncomingBlock(i), phi.getParent()))
        continue;
      Shape value = emitter_.shapeIfUnwrapped(phi.getIncomingValue(i));
      llvm::Value* edge = edges_.at({phi.getIncomingBlock(i), phi.getParent()});
      if (!value.isAffine() || !edge || (!first && value.stride != merged.stride))
        return std::nullopt;
      llvm::Value* some = builder_.CreateOrReduce(edge);
      // A value's own test matters only where some lane comes along its edge.
      llvm::Value* test =
          value.unwrapped ? builder_.CreateOr(builder_.CreateNot(some), value.unwrapped) : nullptr;
      if (first) {
        merged = {.scalar = value.scalar,
                  .stride = value.stride,
                  .noSignedWrap = false,
                  .noUnsignedWrap = false,
                  .zeros = value.zeros};
        someBefore = some;
      } else {
        merged.scalar = builder_.CreateSelect(some, value.scalar, merged.scalar);
        merged.zeros = std::min(merged.zeros, value.zeros);
        llvm::Value* oneEdge = builder_.CreateNot(builder_.CreateAnd(some, someBefore));
        test = bothHold(builder_, test, oneEdge);
        someBefore = builder_.CreateOr(someBefore, some);
      }
      merged.unwrapped = bothHold(builder_, merged.unwrapped, test);
      first = false;
    }
    if (!merged.unwrapped)
      return std::nullopt; // one edge, and a value with no test: shapes_ has it already
    return merged;
  }

  /// `someLane`: some lane is known to run the block; so are lanes_ and a loop's active lanes,
  /// and any block whose mask is one of them (reached along unconditional edges only).
  void emitBlock(const llvm::BasicBlock& block, llvm::Value* mask, bool phisDone,
                 bool someLane = false) {
    emitter_.setMask(mask, someLane || !mask || someLane_.contains(mask));
    for (const llvm::Instruction& instruction : block) {
      if (auto* phi = llvm::dyn_cast<llvm::PHINode>(&instruction)) {
        if (phisDone)
          continue;
        // One value on every edge (an edge the copy kept of several): that value's shape.
        if (const llvm::Value* same = phi->hasConstantValue()) {
          emitter_.define(phi, emitter_.shapeOf(same));
        } else {
          emitter_.define(phi, {.vector = merge(*phi)});
          if (std::optional<Shape> shape = mergedIfOneEdge(*phi))
            emitter_.defineIfUnwrapped(phi, *shape);
        }
      } else if (!instruction.isTerminator()) {
        emitter_.emit(instruction);
      }
    }
    auto lanesWhere = [&](llvm::Value* condition) { return bothHold(builder_, mask, condition); };
    if (auto* ret = llvm::dyn_cast<llvm::ReturnInst>(block.getTerminator())) {
      llvm::Value* status = builder_.CreateVectorSplat(kWarpLanes, ret->getReturnValue());
      statuses_ = statuses_ && mask ? builder_.CreateSelect(mask, status, statuses_) : status;
    } else if (auto* branch = llvm::dyn_cast<llvm::BranchInst>(block.getTerminator());
               branch->isUnconditional() || branch->getSuccessor(0) == branch->getSuccessor(1)) {
      edges_[{&block, branch->getSuccessor(0)}] = mask;
    } else {
      llvm::Value* condition = emitter_.vectorOf(branch->getCondition());
      edges_[{&block, branch->getSuccessor(0)}] = lanesWhere(condition);
      edges_[{&block, branch->getSuccessor(1)}] = lanesWhere(builder_.CreateNot(condition));
    }
  }

  /// A loop runs as a vector loop while any lane is in it. Lanes leave along exit edges; each
  /// value used after the loop is kept per lane as it was when the lane left, and stays affine
  /// where it was and every lane left in the same iteration (tested when the warp runs). A header
  /// phi that adds a uniform step to a value the lanes share or step through stays scalar (lane
  /// 0's).
  void emitLoop(const llvm::Loop& loop, const std::vector<const llvm::BasicBlock*>& blocks) {
    llvm::LLVMContext& context = builder_.getContext();
    const llvm::BasicBlock* header = loop.getHeader();
    const llvm::BasicBlock* latch = loop.getLoopLatch();
    auto* maskType = llvm::FixedVectorType::get(builder_.getInt1Ty(), kWarpLanes);
    llvm::Value* entering = entryMask(*header);
    // Header phis' values from before the loop, computed before it.
    std::vector<std::pair<const llvm::PHINode*, Shape>> initial;
    for (const llvm::PHINode& phi : header->phis()) {
      const llvm::Value* value = nullptr;
      unsigned outside = 0;
      for (unsigned i = 0; i < phi.getNumIncomingValues(); ++i)
        if (!loops_.isBackEdge(phi.getIncomingBlock(i), header))
          ++outside, value = phi.getIncomingValue(i);
      initial.emplace_back(&phi,
                           outside == 1 ? emitter_.shapeOf(value) : Shape{.vector = merge(phi)});
      // Every lane's first value, in case the phi does not stay scalar.
      if (!initial.back().second.vector)
        initial.back().second.vector = emitter_.vectorOf(value);
    }
    llvm::Function* function = builder_.GetInsertBlock()->getParent();
    llvm::BasicBlock* before = builder_.GetInsertBlock();
    llvm::BasicBlock* body = llvm::BasicBlock::Create(context, "lanes.loop", function);
    llvm::BasicBlock* after = llvm::BasicBlock::Create(context, "lanes.loop.end", function);
    // A loop no lane enters is skipped (the other side of a uniform branch, a remainder loop).
    if (entering)
      builder_.CreateCondBr(builder_.CreateOrReduce(entering), body, after);
    else
      builder_.CreateBr(body);
    builder_.SetInsertPoint(body);
    llvm::PHINode* active = builder_.CreatePHI(maskType, 2, "lanes.active");
    active->addIncoming(entering ? entering : llvm::ConstantInt::getTrue(maskType), before);
    someLane_.insert(active); // the loop runs while any lane is in it
    struct Carried {
      const llvm::PHINode* phi;
      llvm::PHINode* emitted;
      bool scalar;
    };
    std::vector<Carried> carried;
    std::vector<std::pair<const llvm::PHINode*, llvm::PHINode*>> unwrappedSteps;
    for (auto [phi, start] : initial) {
      const llvm::Value* next = phi->getIncomingValueForBlock(latch);
      std::optional<Shape> step = uniformStep(*phi, next, loop);
      if (start.scalar && step) {
        llvm::PHINode* scalar = builder_.CreatePHI(phi->getType(), 2, phi->getName());
        scalar->addIncoming(start.scalar, before);
        emitter_.define(phi, {.scalar = scalar,
                              .stride = start.stride,
                              .noSignedWrap = start.isUniform(),
                              .noUnsignedWrap = start.isUniform(),
                              .zeros = std::min(start.zeros, step->zeros)});
        carried.push_back({phi, scalar, true});
        continue;
      }
      llvm::Value* initialVector = start.vector;
      llvm::PHINode* vector = builder_.CreatePHI(
          llvm::FixedVectorType::get(phi->getType(), kWarpLanes), 2, phi->getName());
      vector->addIncoming(initialVector, before);
      emitter_.define(phi, {.vector = vector});
      carried.push_back({phi, vector, false});
      // A start affine where its test holds steps on as such, next to the exact lanes.
      Shape unwrapped =
          outsideValue(*phi) ? emitter_.shapeIfUnwrapped(outsideValue(*phi)) : Shape{};
      if (step && unwrapped.isAffine() && unwrapped.unwrapped) {
        llvm::PHINode* scalar = builder_.CreatePHI(phi->getType(), 2, phi->getName());
        scalar->addIncoming(unwrapped.scalar, before);
        unwrapped.scalar = scalar;
        unwrapped.noSignedWrap = unwrapped.noUnsignedWrap = false;
        unwrapped.zeros = std::min(unwrapped.zeros, step->zeros);
        emitter_.defineIfUnwrapped(phi, unwrapped);
        unwrappedSteps.push_back({phi, scalar});
      }
    }
    // Values used after the loop, and the lanes that left to each exit.
    std::vector<const llvm::Instruction*> used;
    for (const llvm::BasicBlock* block : blocks)
      for (const llvm::Instruction& instruction : *block)
        if (llvm::any_of(instruction.users(), [&](const llvm::User* user) {
              return !loop.contains(llvm::cast<llvm::Instruction>(user)->getParent());
            }))
          used.push_back(&instruction);
    std::vector<llvm::PHINode*> kept;
    for (const llvm::Instruction* value : used) {
      auto* type = llvm::FixedVectorType::get(value->getType(), kWarpLanes);
      kept.push_back(builder_.CreatePHI(type, 2, value->getName() + ".out"));
      kept.back()->addIncoming(llvm::PoisonValue::get(type), before);
    }
    // Whether some lane left in an earlier iteration than others: if none did, the values the
    // lanes keep are those of one iteration, affine where they were.
    llvm::PHINode* leftBefore = builder_.CreatePHI(builder_.getInt1Ty(), 2, "lanes.left.before");
    leftBefore->addIncoming(builder_.getFalse(), before);
    llvm::SmallVector<llvm::Loop::Edge, 4> exits;
    loop.getExitEdges(exits);
    std::map<const llvm::BasicBlock*, llvm::PHINode*> left;
    for (auto [from, to] : exits)
      if (!left.contains(to)) {
        left[to] = builder_.CreatePHI(maskType, 2, "lanes.left");
        left[to]->addIncoming(llvm::ConstantInt::getFalse(maskType), before);
      }
    emitBlock(*header, active, /*phisDone=*/true);
    emitBlocks(&loop, {blocks.begin() + 1, blocks.end()});
    // The iteration's end: who leaves, what they keep, who goes round again.
    llvm::BasicBlock* end = builder_.GetInsertBlock();
    llvm::Value* leaving = llvm::ConstantInt::getFalse(maskType);
    std::map<const llvm::BasicBlock*, llvm::Value*> leftNow;
    for (auto [from, to] : exits) {
      llvm::Value* edge = edges_.at({from, to});
      leaving = builder_.CreateOr(leaving, edge);
      leftNow[to] = builder_.CreateOr(leftNow.contains(to) ? leftNow[to] : left[to], edge);
    }
    std::vector<llvm::Value*> keptNow;
    std::vector<Shape> lastShapes; // the last iteration's, affine ones tested if so
    for (size_t i = 0; i < used.size(); ++i) {
      keptNow.push_back(builder_.CreateSelect(leaving, emitter_.vectorOf(used[i]), kept[i]));
      lastShapes.push_back(emitter_.shapeIfUnwrapped(used[i]));
    }
    for (const Carried& value : carried) {
      const llvm::Value* next = value.phi->getIncomingValueForBlock(latch);
      value.emitted->addIncoming(
          value.scalar ? emitter_.shapeOf(next).scalar : emitter_.vectorOf(next), end);
    }
    for (auto [phi, scalar] : unwrappedSteps) {
      Shape next = emitter_.shapeIfUnwrapped(phi->getIncomingValueForBlock(latch));
      assert(next.scalar && "a uniform step keeps the start's shape");
      scalar->addIncoming(next.scalar, end);
    }
    llvm::Value* again = edges_.at({latch, header});
    active->addIncoming(again, end);
    llvm::Value* leftNowBefore =
        builder_.CreateOr(leftBefore, builder_.CreateAnd(builder_.CreateOrReduce(leaving),
                                                         builder_.CreateOrReduce(again)));
    leftBefore->addIncoming(leftNowBefore, end);
    llvm::Value* leftTogether = builder_.CreateNot(leftNowBefore);
    for (size_t i = 0; i < used.size(); ++i)
      kept[i]->addIncoming(keptNow[i], end);
    for (auto& [to, phi] : left)
      phi->addIncoming(leftNow[to], end);
    builder_.CreateCondBr(builder_.CreateOrReduce(again), body, after);
    builder_.SetInsertPoint(after);
    // What the loop leaves, also when it was skipped: no lane left it, nothing kept.
    auto afterLoop = [&](llvm::Value* value, llvm::Value* skipped) {
      if (!entering)
        return value;
      llvm::PHINode* merged = builder_.CreatePHI(value->getType(), 2);
      merged->addIncoming(value, end);
      merged->addIncoming(skipped, before);
      return static_cast<llvm::Value*>(merged);
    };
    for (size_t i = 0; i < used.size(); ++i)
      emitter_.define(used[i], {.vector = afterLoop(
                                    keptNow[i], llvm::PoisonValue::get(keptNow[i]->getType()))});
    for (const llvm::BasicBlock* block : blocks)
      emitter_.forgetUnwrapped(*block);
    llvm::Value* together = afterLoop(leftTogether, builder_.getFalse());
    for (size_t i = 0; i < used.size(); ++i) {
      Shape last = lastShapes[i];
      if (!last.isAffine())
        continue;
      llvm::Value* test =
          bothHold(builder_, together,
                   last.unwrapped ? afterLoop(last.unwrapped, builder_.getFalse()) : nullptr);
      emitter_.defineIfUnwrapped(
          used[i],
          {.scalar = afterLoop(last.scalar, llvm::PoisonValue::get(last.scalar->getType())),
           .stride = last.stride,
           .noSignedWrap = false,
           .noUnsignedWrap = false,
           .zeros = last.zeros,
           .unwrapped = test});
    }
    // Every exit's lanes arrive along its first exit edge.
    std::set<const llvm::BasicBlock*> seen;
    std::map<const llvm::BasicBlock*, llvm::Value*> arrived;
    for (auto& [to, lanes] : leftNow)
      arrived[to] = afterLoop(lanes, llvm::ConstantInt::getFalse(maskType));
    for (auto [from, to] : exits)
      edges_[{from, to}] =
          seen.insert(to).second ? arrived[to] : llvm::ConstantInt::getFalse(maskType);
  }

  /// The header phi's one value from outside the loop, if it has only one.
  const llvm::Value* outsideValue(const llvm::PHINode& phi) const {
    const llvm::Value* value = nullptr;
    for (unsigned i = 0; i < phi.getNumIncomingValues(); ++i)
      if (!loops_.isBackEdge(phi.getIncomingBlock(i), phi.getParent())) {
        if (value && value != phi.getIncomingValue(i))
          return nullptr;
        value = phi.getIncomingValue(i);
      }
    return value;
  }

  /// The shape of the step `next` adds to header phi `phi` each iteration, when it is
  /// `phi + u`, `phi - u` or a GEP of `phi` by u, with u uniform and from outside the loop; the
  /// phi then keeps its first shape's step from lane to lane.
  std::optional<Shape> uniformStep(const llvm::PHINode& phi, const llvm::Value* next,
                                   const llvm::Loop& loop) const {
    auto outsideUniform = [&](const llvm::Value* value) -> std::optional<Shape> {
      auto* instruction = llvm::dyn_cast<llvm::Instruction>(value);
      if (instruction && loop.contains(instruction->getParent()))
        return std::nullopt;
      Shape shape = emitter_.shapeOf(value);
      return shape.isUniform() ? std::optional(shape) : std::nullopt;
    };
    // The step is taken in the loop itself, not in a loop inside it (whose values leave it
    // per lane).
    auto* step = llvm::dyn_cast<llvm::Instruction>(next);
    if (!step || loops_.childLoop(step->getParent(), &loop))
      return std::nullopt;
    if (auto* binary = llvm::dyn_cast<llvm::BinaryOperator>(next)) {
      if (binary->getOpcode() == llvm::Instruction::Add && binary->getOperand(1) == &phi)
        return outsideUniform(binary->getOperand(0));
      if ((binary->getOpcode() == llvm::Instruction::Add ||
           binary->getOpcode() == llvm::Instruction::Sub) &&
          binary->getOperand(0) == &phi)
        return outsideUniform(binary->getOperand(1));
    }
    if (auto* gep = llvm::dyn_cast<llvm::GetElementPtrInst>(next);
        gep && gep->getPointerOperand() == &phi && gep->getNumIndices() == 1)
      return outsideUniform(gep->getOperand(1));
    return std::nullopt;
  }

  llvm::IRBuilder<>& builder_;
  WarpEmitter& emitter_;
  const RegionLoops& loops_;
  llvm::Value* lanes_ = nullptr;
  std::set<const llvm::Value*> someLane_; // masks with at least one lane
  llvm::Value* statuses_ = nullptr;
  llvm::DenseMap<std::pair<const llvm::BasicBlock*, const llvm::BasicBlock*>, llvm::Value*> edges_;
};

} // namespace

std::optional<std::set<int32_t>> warpVectorStatuses(const llvm::Function& region) {
  // Its vector code would be larger still, next to the loop over the threads the block keeps
  // for other block shapes, and the optimizer's time grows faster than the code: a region of
  // 16,384 mixing steps (BarrierTest's long_region) took its test from 4 to 20 s.
  constexpr unsigned kLargestRegion = 4000;
  if (region.getInstructionCount() > kLargestRegion)
    return std::nullopt;
  std::optional<std::vector<const llvm::BasicBlock*>> order = RegionLoops(region).order();
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

namespace {

/// The step function's parameters as the lanes see them:
/// i32 step(params..., ptr context, ptr thread, ptr frames, i32 tx, i32 ty, i32 tz).
void defineArguments(WarpEmitter& emitter, const llvm::Function& region,
                     const WarpArguments& arguments) {
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
  emitter.setRowWidth(arguments.rowWidth);
}

/// Whether `value` decides, within its region, where memory is accessed or which way a branch
/// goes, directly or through what is computed from it.
bool decidesAddressOrBranch(const llvm::Value* value) {
  std::vector<const llvm::Value*> work{value};
  std::set<const llvm::Value*> seen{value};
  while (!work.empty()) {
    const llvm::Value* current = work.back();
    work.pop_back();
    for (const llvm::User* user : current->users()) {
      if (llvm::isa<llvm::BranchInst, llvm::SwitchInst>(user) ||
          llvm::getLoadStorePointerOperand(user) == current)
        return true;
      if (llvm::isa<llvm::BinaryOperator, llvm::CastInst, llvm::CmpInst, llvm::SelectInst,
                    llvm::GetElementPtrInst, llvm::PHINode>(user) &&
          seen.insert(user).second)
        work.push_back(user);
    }
  }
  return false;
}

/// Loads from the thread's frame (the values live across sites) that every lane entering
/// `region` runs first, before anything writes memory, and whose values place memory accesses
/// or decide branches. A value the lanes share (a loop's bound, a row's pointer) is kept per
/// lane in the frame, so the region alone would see it as varying: gathers where there were
/// vector loads, masks where there was a branch.
std::vector<const llvm::LoadInst*> frameLoadsWorthChecking(const llvm::Function& region,
                                                           const llvm::Value* frames) {
  const llvm::BasicBlock& entry = region.getEntryBlock();
  auto* branch = llvm::dyn_cast<llvm::BranchInst>(entry.getTerminator());
  // The check runs the entry's computations once more: they must write nothing.
  if (!branch || branch->isConditional() ||
      llvm::any_of(entry, [](const llvm::Instruction& i) { return i.mayWriteToMemory(); }))
    return {};
  // The region's first block, run once (not a loop's header).
  const llvm::BasicBlock* start = branch->getSuccessor(0);
  if (start->getSinglePredecessor() != &entry)
    return {};
  std::vector<const llvm::LoadInst*> loads;
  for (const llvm::Instruction& instruction : *start) {
    if (instruction.mayWriteToMemory())
      break;
    auto* load = llvm::dyn_cast<llvm::LoadInst>(&instruction);
    if (!load || !load->isSimple() || !isLaneType(load->getType()) ||
        llvm::getUnderlyingObject(load->getPointerOperand()) != frames)
      continue;
    auto* address = llvm::dyn_cast<llvm::Instruction>(load->getPointerOperand());
    if ((!address || address->getParent() == &entry) && decidesAddressOrBranch(load))
      loads.push_back(load);
  }
  return loads;
}

WarpRegion emitOnce(llvm::IRBuilder<>& builder, const llvm::Function& region,
                    const WarpArguments& arguments, llvm::Value* lanes,
                    const WarpExchange& exchange, const SharedLoads& shared) {
  WarpEmitter emitter(builder, region.getParent()->getDataLayout(), exchange, shared);
  defineArguments(emitter, region, arguments);
  RegionLoops loops(region);
  llvm::Value* statuses = RegionEmitter(builder, emitter, loops).emit(*loops.order(), lanes);
  return {statuses, emitter.operand()};
}

} // namespace

WarpRegion emitRegionForWarp(llvm::IRBuilder<>& builder, const llvm::Function& region,
                             const WarpArguments& arguments, llvm::Value* lanes,
                             const WarpExchange& exchange) {
  size_t uniforms = arguments.uniform.size();
  std::vector<const llvm::LoadInst*> checked =
      frameLoadsWorthChecking(region, region.getArg(unsigned(uniforms + 1)));
  const SharedLoads none;
  if (checked.empty())
    return emitOnce(builder, region, arguments, lanes, exchange, none);
  // Load them for the lanes that enter, and run the region with each one scalar where every
  // such lane has the same value; otherwise as it is.
  const WarpExchange nothing;
  WarpEmitter probe(builder, region.getParent()->getDataLayout(), nothing, none);
  defineArguments(probe, region, arguments);
  probe.setMask(lanes);
  for (const llvm::Instruction& instruction : region.getEntryBlock())
    if (!instruction.isTerminator())
      probe.emit(instruction);
  llvm::Value* first = builder.getInt32(0);
  if (lanes)
    first = builder.CreateBinaryIntrinsic(llvm::Intrinsic::cttz,
                                          builder.CreateBitCast(lanes, builder.getInt32Ty()),
                                          builder.getTrue());
  llvm::Value* alike = builder.getTrue();
  SharedLoads known;
  for (const llvm::LoadInst* load : checked) {
    probe.emit(*load);
    llvm::Value* values = probe.vectorOf(load);
    // Floats alike to the bit (NaNs and signed zeros too).
    llvm::Value* bits = values;
    if (load->getType()->isFloatingPointTy())
      bits = builder.CreateBitCast(
          values,
          llvm::FixedVectorType::get(
              builder.getIntNTy(unsigned(load->getType()->getPrimitiveSizeInBits())), kWarpLanes));
    llvm::Value* firstBits = builder.CreateExtractElement(bits, first);
    llvm::Value* same =
        builder.CreateICmpEQ(bits, builder.CreateVectorSplat(kWarpLanes, firstBits));
    if (lanes)
      same = builder.CreateOr(same, builder.CreateNot(lanes));
    alike = builder.CreateAnd(alike, builder.CreateAndReduce(same));
    llvm::Value* value = builder.CreateBitCast(firstBits, load->getType());
    known[load] = value;
  }
  llvm::LLVMContext& context = builder.getContext();
  llvm::Function* function = builder.GetInsertBlock()->getParent();
  llvm::BasicBlock* shared = llvm::BasicBlock::Create(context, "frame.alike", function);
  llvm::BasicBlock* perLane = llvm::BasicBlock::Create(context, "frame.per.lane", function);
  llvm::BasicBlock* joined = llvm::BasicBlock::Create(context, "frame.joined", function);
  builder.CreateCondBr(alike, shared, perLane);
  builder.SetInsertPoint(shared);
  WarpRegion fast = emitOnce(builder, region, arguments, lanes, exchange, known);
  llvm::BasicBlock* fastEnd = builder.GetInsertBlock();
  builder.CreateBr(joined);
  builder.SetInsertPoint(perLane);
  WarpRegion general = emitOnce(builder, region, arguments, lanes, exchange, none);
  llvm::BasicBlock* generalEnd = builder.GetInsertBlock();
  builder.CreateBr(joined);
  builder.SetInsertPoint(joined);
  auto join = [&](llvm::Value* a, llvm::Value* b) -> llvm::Value* {
    if (!a || !b)
      return nullptr;
    llvm::PHINode* phi = builder.CreatePHI(a->getType(), 2);
    phi->addIncoming(a, fastEnd);
    phi->addIncoming(b, generalEnd);
    return phi;
  };
  return {join(fast.statuses, general.statuses), join(fast.operand, general.operand)};
}

} // namespace drawbridge::backend::cpu

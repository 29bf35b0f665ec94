#include "LaneAddresses.h"

#include <cstdlib>
#include <llvm/Analysis/ValueTracking.h>
#include <llvm/IR/GetElementPtrTypeIterator.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/IntrinsicsNVPTX.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Operator.h>
#include <llvm/Support/KnownBits.h>

namespace drawbridge::backend::cpu {
namespace {

/// Special registers every thread of a block reads alike.
bool isBlockUniformRegister(llvm::Intrinsic::ID id) {
  switch (id) {
  case llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_x:
  case llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_y:
  case llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_z:
  case llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_x:
  case llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_y:
  case llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_z:
  case llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_x:
  case llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_y:
  case llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_z:
    return true;
  default:
    return false;
  }
}

/// Where divergence starts: values that may differ between the threads of a block whatever
/// their operands are.
bool startsDivergence(const llvm::Instruction& instruction) {
  if (llvm::isa<llvm::AllocaInst, llvm::AtomicRMWInst, llvm::AtomicCmpXchgInst>(instruction))
    return true;
  if (auto* load = llvm::dyn_cast<llvm::LoadInst>(&instruction)) {
    // Parameters (a struct passed by value too) and constant memory hold the same in every
    // thread; other memory may change between one thread's load and the next's.
    unsigned space = load->getPointerAddressSpace();
    auto* parameter =
        llvm::dyn_cast<llvm::Argument>(llvm::getUnderlyingObject(load->getPointerOperand()));
    bool fixed = space == 4 || space == 101 || (parameter && parameter->hasByValAttr());
    return !fixed || load->isVolatile();
  }
  if (auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction)) {
    if (auto* intrinsic = llvm::dyn_cast<llvm::IntrinsicInst>(call)) {
      if (isBlockUniformRegister(intrinsic->getIntrinsicID()))
        return false;
      if (intrinsic->getCalledFunction()->getName().starts_with("llvm.nvvm.read.ptx.sreg."))
        return true;
    }
    return !llvm::isa<llvm::IntrinsicInst>(call) || call->isConvergent() ||
           call->mayReadOrWriteMemory();
  }
  return false;
}

bool readsTidX(const llvm::Value* value) {
  auto* intrinsic = llvm::dyn_cast<llvm::IntrinsicInst>(value);
  return intrinsic && intrinsic->getIntrinsicID() == llvm::Intrinsic::nvvm_read_ptx_sreg_tid_x;
}

std::optional<int64_t> times(int64_t a, int64_t b) {
  int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product))
    return std::nullopt;
  return product;
}

/// first + factor * second, if nothing overflows.
std::optional<LaneLinear> combine(LaneLinear first, const LaneLinear& second, int64_t factor) {
  auto scaled = [&](int64_t value, int64_t& into) {
    std::optional<int64_t> product = times(value, factor);
    return product && !__builtin_add_overflow(into, *product, &into);
  };
  if (!scaled(second.tidX, first.tidX) || !scaled(second.constant, first.constant))
    return std::nullopt;
  for (auto [value, coefficient] : second.terms)
    if (!scaled(coefficient, first.terms[value]))
      return std::nullopt;
  return first;
}

std::optional<LaneLinear> scale(const LaneLinear& linear, int64_t factor) {
  return combine(LaneLinear{}, linear, factor);
}

} // namespace

std::optional<LaneLinear> subtract(const LaneLinear& later, const LaneLinear& earlier) {
  return combine(later, earlier, -1);
}

LaneAddresses::LaneAddresses(llvm::Function& kernel)
    : kernel_(kernel), dominators_(kernel), postDominators_(kernel), loops_(dominators_) {
  findDivergence();
}

void LaneAddresses::markDivergent(llvm::Value* value, std::vector<llvm::Value*>& work) {
  if (!value->getType()->isVoidTy() && divergent_.insert(value).second)
    work.push_back(value);
}

/// A branch whose threads may go different ways: the phis where its paths meet again, up to its
/// immediate post-dominator, may differ between threads; so may every value a loop it leaves
/// computed, where it is used after the loop (threads left in different iterations).
void LaneAddresses::divergentBranch(llvm::Instruction& branch, std::vector<llvm::Value*>& work) {
  llvm::BasicBlock* from = branch.getParent();
  llvm::DomTreeNode* node = postDominators_.getNode(from);
  llvm::BasicBlock* meet =
      node && node->getIDom() ? node->getIDom()->getBlock() : nullptr; // null: the exit
  std::vector<llvm::BasicBlock*> blocks(llvm::succ_begin(from), llvm::succ_end(from));
  llvm::DenseSet<llvm::BasicBlock*> seen(blocks.begin(), blocks.end());
  while (!blocks.empty()) {
    llvm::BasicBlock* block = blocks.back();
    blocks.pop_back();
    for (llvm::PHINode& phi : block->phis())
      markDivergent(&phi, work);
    if (block == meet)
      continue;
    for (llvm::BasicBlock* next : llvm::successors(block))
      if (seen.insert(next).second)
        blocks.push_back(next);
  }
  for (llvm::Loop* loop = loops_.getLoopFor(from); loop; loop = loop->getParentLoop()) {
    if (llvm::all_of(llvm::successors(from),
                     [&](llvm::BasicBlock* next) { return loop->contains(next); }))
      continue;
    for (llvm::BasicBlock* block : loop->blocks())
      for (llvm::Instruction& instruction : *block)
        for (llvm::User* user : instruction.users())
          if (auto* use = llvm::dyn_cast<llvm::Instruction>(user); use && !loop->contains(use))
            markDivergent(use, work);
  }
}

void LaneAddresses::findDivergence() {
  std::vector<llvm::Value*> work;
  for (llvm::BasicBlock& block : kernel_)
    for (llvm::Instruction& instruction : block)
      if (startsDivergence(instruction))
        markDivergent(&instruction, work);
  while (!work.empty()) {
    llvm::Value* value = work.back();
    work.pop_back();
    for (llvm::User* user : value->users()) {
      auto* instruction = llvm::dyn_cast<llvm::Instruction>(user);
      if (!instruction)
        continue;
      if (instruction->isTerminator())
        divergentBranch(*instruction, work);
      else
        markDivergent(instruction, work);
    }
  }
}

std::optional<LaneLinear> LaneAddresses::linear(llvm::Value* value) {
  if (auto found = linear_.find(value); found != linear_.end())
    return found->second;
  std::optional<LaneLinear> result;
  auto operand = [&](unsigned index) {
    return linear(llvm::cast<llvm::User>(value)->getOperand(index));
  };
  auto constantOperand = [&](unsigned index) -> std::optional<int64_t> {
    auto* constant =
        llvm::dyn_cast<llvm::ConstantInt>(llvm::cast<llvm::User>(value)->getOperand(index));
    if (!constant || constant->getBitWidth() > 64)
      return std::nullopt;
    return constant->getSExtValue();
  };
  auto* op = llvm::dyn_cast<llvm::Operator>(value);
  unsigned opcode = op ? op->getOpcode() : 0;
  if (auto* constant = llvm::dyn_cast<llvm::ConstantInt>(value);
      constant && constant->getBitWidth() <= 64) {
    result = LaneLinear{};
    result->constant = constant->getSExtValue();
  } else if (readsTidX(value)) {
    result = LaneLinear{};
    result->tidX = 1;
  } else if (opcode == llvm::Instruction::Add || opcode == llvm::Instruction::Sub ||
             (opcode == llvm::Instruction::Or && llvm::isa<llvm::PossiblyDisjointInst>(value) &&
              llvm::cast<llvm::PossiblyDisjointInst>(value)->isDisjoint())) {
    std::optional<LaneLinear> left = operand(0), right = operand(1);
    if (left && right)
      result = combine(*left, *right, opcode == llvm::Instruction::Sub ? -1 : 1);
  } else if (opcode == llvm::Instruction::Mul || opcode == llvm::Instruction::Shl) {
    std::optional<int64_t> factor = constantOperand(1);
    if (opcode == llvm::Instruction::Shl)
      factor = factor && *factor >= 0 && *factor < 62 ? std::optional(int64_t(1) << *factor)
                                                      : std::nullopt;
    std::optional<LaneLinear> scaled = operand(0);
    if (factor && scaled)
      result = scale(*scaled, *factor);
  } else if (op && llvm::isa<llvm::GEPOperator>(op)) {
    auto* gep = llvm::cast<llvm::GEPOperator>(op);
    const llvm::DataLayout& layout = kernel_.getParent()->getDataLayout();
    result = linear(gep->getPointerOperand());
    for (auto index = llvm::gep_type_begin(gep); result && index != llvm::gep_type_end(gep);
         ++index) {
      if (llvm::StructType* record = index.getStructTypeOrNull()) {
        auto* field = llvm::dyn_cast<llvm::ConstantInt>(index.getOperand());
        if (!field) { // a vector of field numbers
          result = std::nullopt;
          break;
        }
        result->constant += int64_t(
            layout.getStructLayout(record)->getElementOffset(unsigned(field->getZExtValue())));
        continue;
      }
      llvm::TypeSize size = index.getSequentialElementStride(layout);
      std::optional<LaneLinear> step = linear(index.getOperand());
      result = step && !size.isScalable() ? combine(*result, *step, int64_t(size.getFixedValue()))
                                          : std::nullopt;
    }
  } else if (op && llvm::isa<llvm::CastInst, llvm::ConstantExpr>(value) &&
             llvm::Instruction::isCast(opcode) && !isUniform(value)) {
    // Taken not to wrap: see LaneLinear.
    result = operand(0);
  }
  if (auto* phi = llvm::dyn_cast<llvm::PHINode>(value); phi && !result && !isUniform(phi))
    return induction(*phi);
  if (!result && isUniform(value) && !llvm::isa<llvm::ConstantInt>(value)) {
    result = LaneLinear{};
    result->terms[value] = 1;
  }
  linear_[value] = result;
  if (journal_)
    journal_->push_back(value);
  return result;
}

std::optional<LaneLinear> LaneAddresses::induction(llvm::PHINode& phi) {
  auto memoize = [&](std::optional<LaneLinear> result) {
    linear_[&phi] = result;
    if (journal_)
      journal_->push_back(&phi);
    return result;
  };
  llvm::Loop* loop = loops_.getLoopFor(phi.getParent());
  if (!loop || loop->getHeader() != phi.getParent() || phi.getNumIncomingValues() != 2 ||
      loop->contains(phi.getIncomingBlock(0)) == loop->contains(phi.getIncomingBlock(1)))
    return memoize(std::nullopt);
  unsigned outside = loop->contains(phi.getIncomingBlock(0)) ? 1 : 0;
  std::optional<LaneLinear> initial = linear(phi.getIncomingValue(outside));
  if (!initial || initial->tidX == 0)
    return memoize(std::nullopt);
  // Assumed while the step is found; what was memoized meanwhile goes if there is none.
  LaneLinear assumed = *initial;
  assumed.terms[&phi] += 1;
  linear_[&phi] = assumed;
  std::vector<llvm::Value*> journal, *outer = journal_;
  journal_ = &journal;
  std::optional<LaneLinear> stepped = linear(phi.getIncomingValue(1 - outside));
  journal_ = outer;
  std::optional<LaneLinear> step = stepped ? subtract(*stepped, assumed) : std::nullopt;
  bool constantStep = step && step->tidX == 0 && step->constant != 0 &&
                      llvm::all_of(step->terms, [](const std::pair<llvm::Value*, int64_t>& term) {
                        return term.second == 0;
                      });
  if (!constantStep) {
    for (llvm::Value* value : journal)
      linear_.erase(value);
    return memoize(std::nullopt);
  }
  inductionSteps_[&phi] = step->constant;
  if (outer)
    outer->insert(outer->end(), journal.begin(), journal.end());
  return memoize(assumed);
}

bool LaneAddresses::holdsAt(const LaneLinear& linear, const llvm::Instruction& access) const {
  return llvm::all_of(linear.terms, [&](const std::pair<llvm::Value*, int64_t>& term) {
    if (term.second == 0 || !inductionSteps_.contains(term.first))
      return true;
    auto* phi = llvm::cast<llvm::PHINode>(term.first);
    return loops_.getLoopFor(phi->getParent())->contains(&access);
  });
}

bool isConstant(const LaneLinear& linear) {
  return linear.tidX == 0 &&
         llvm::all_of(linear.terms, [](const std::pair<llvm::Value*, int64_t>& term) {
           return term.second == 0;
         });
}

bool LaneAddresses::apartAcrossIterations(const LaneLinear& linear, int64_t offset,
                                          uint64_t size) const {
  if (linear.tidX <= 0 || size > uint64_t(linear.tidX) || offset % linear.tidX != 0)
    return false;
  std::optional<int64_t> moves;
  for (auto [value, coefficient] : linear.terms) {
    if (coefficient == 0)
      continue;
    if (auto step = inductionSteps_.find(value); step != inductionSteps_.end()) {
      if (moves)
        return false; // two induction terms could cancel
      moves = times(coefficient, step->second);
      if (!moves)
        return false;
      continue;
    }
    auto* instruction = llvm::dyn_cast<llvm::Instruction>(value);
    if (instruction && loops_.getLoopFor(instruction->getParent()))
      return false;
  }
  // In units of c = tidX, lane b's later access is at b + m * k + o, lane a's earlier one at a,
  // for some iteration difference k (any: the loops around may start over), m >= 32 lanes
  // each iteration and o = offset / c; accesses at most c wide meet only where b - a = -(m * k
  // + o), which is 0 or 32 and more for every k when o modulo m is 0 or a warp from both ends.
  if (!moves || *moves % linear.tidX != 0)
    return false;
  int64_t lanes = std::abs(*moves / linear.tidX);
  int64_t rest = ((offset / linear.tidX) % lanes + lanes) % lanes;
  return lanes >= 32 && (rest == 0 || (rest >= 32 && rest <= lanes - 32));
}

bool LaneAddresses::isKnownNonPositive(const LaneLinear& difference) {
  if (difference.tidX != 0 || difference.constant > 0)
    return false;
  const llvm::DataLayout& layout = kernel_.getParent()->getDataLayout();
  return llvm::all_of(difference.terms, [&](const std::pair<llvm::Value*, int64_t>& term) {
    auto [value, coefficient] = term;
    if (inductionSteps_.contains(value)) // stands for U, not for the phi's value
      return coefficient == 0;
    return coefficient == 0 || (coefficient < 0 && value->getType()->isIntegerTy() &&
                                llvm::computeKnownBits(value, layout).isNonNegative());
  });
}

} // namespace drawbridge::backend::cpu

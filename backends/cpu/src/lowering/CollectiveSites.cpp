// Finds the calls that are block barriers or warp collectives and gives each its own block, so
// the step function can return to the runtime there and resume after it.
#include "Lowering.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>

namespace drawbridge::backend::cpu {

std::optional<SiteKind> classifyCollective(const llvm::CallInst& call) {
  const llvm::Function* callee = call.getCalledFunction();
  if (!callee)
    return std::nullopt;
  llvm::StringRef name = callee->getName();
  if (!name.consume_front("llvm.nvvm."))
    return std::nullopt;
  static const std::pair<const char*, SiteKind> table[] = {
      {"barrier0", SiteKind::Barrier},
      {"barrier.n", SiteKind::Barrier},
      {"bar.sync", SiteKind::Barrier},
      {"barrier.sync", SiteKind::Barrier},
      {"barrier0.popc", SiteKind::BarrierPopc},
      {"barrier0.and", SiteKind::BarrierAnd},
      {"barrier0.or", SiteKind::BarrierOr},
      {"bar.warp.sync", SiteKind::WarpSync},
      {"shfl.sync.idx.i32", SiteKind::ShflIdx},
      {"shfl.sync.idx.f32", SiteKind::ShflIdx},
      {"shfl.sync.up.i32", SiteKind::ShflUp},
      {"shfl.sync.up.f32", SiteKind::ShflUp},
      {"shfl.sync.down.i32", SiteKind::ShflDown},
      {"shfl.sync.down.f32", SiteKind::ShflDown},
      {"shfl.sync.bfly.i32", SiteKind::ShflBfly},
      {"shfl.sync.bfly.f32", SiteKind::ShflBfly},
      // The `p` forms also return whether the source lane was in range (PTX's predicate).
      {"shfl.sync.idx.i32p", SiteKind::ShflIdx},
      {"shfl.sync.idx.f32p", SiteKind::ShflIdx},
      {"shfl.sync.up.i32p", SiteKind::ShflUp},
      {"shfl.sync.up.f32p", SiteKind::ShflUp},
      {"shfl.sync.down.i32p", SiteKind::ShflDown},
      {"shfl.sync.down.f32p", SiteKind::ShflDown},
      {"shfl.sync.bfly.i32p", SiteKind::ShflBfly},
      {"shfl.sync.bfly.f32p", SiteKind::ShflBfly},
      {"vote.all.sync", SiteKind::VoteAll},
      {"vote.any.sync", SiteKind::VoteAny},
      {"vote.uni.sync", SiteKind::VoteUni},
      {"vote.ballot.sync", SiteKind::VoteBallot},
      {"activemask", SiteKind::ActiveMask},
      {"match.any.sync.i32", SiteKind::MatchAny32},
      {"match.any.sync.i64", SiteKind::MatchAny64},
      {"match.all.sync.i32p", SiteKind::MatchAll32},
      {"match.all.sync.i64p", SiteKind::MatchAll64},
      {"redux.sync.add", SiteKind::ReduxAdd},
      {"redux.sync.min", SiteKind::ReduxMin},
      {"redux.sync.max", SiteKind::ReduxMax},
      {"redux.sync.umin", SiteKind::ReduxUmin},
      {"redux.sync.umax", SiteKind::ReduxUmax},
      {"redux.sync.and", SiteKind::ReduxAnd},
      {"redux.sync.or", SiteKind::ReduxOr},
      {"redux.sync.xor", SiteKind::ReduxXor},
      {"nanosleep", SiteKind::Yield},
  };
  for (const auto& [suffix, kind] : table)
    if (name == suffix)
      return kind;
  return std::nullopt;
}

/// Collectives whose semantics the runtime does not model; named in the error.
static bool isUnsupportedCollective(llvm::StringRef name) {
  return name.starts_with("llvm.nvvm.barrier.sync.cnt") || name == "llvm.nvvm.barrier" ||
         name.starts_with("llvm.nvvm.bar.arrive") || name.starts_with("llvm.nvvm.barrier.arrive") ||
         name.starts_with("llvm.nvvm.shfl.") || name.starts_with("llvm.nvvm.vote.") ||
         name.starts_with("llvm.nvvm.match.") || name.starts_with("llvm.nvvm.redux.");
}

llvm::Expected<std::vector<Site>> isolateSites(llvm::Function& step, llvm::Value* thread,
                                               llvm::Value* context) {
  std::vector<llvm::CallInst*> calls;
  for (llvm::BasicBlock& block : step)
    for (llvm::Instruction& instruction : block)
      if (auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction)) {
        if (classifyCollective(*call))
          calls.push_back(call);
        else if (call->getCalledFunction() &&
                 isUnsupportedCollective(call->getCalledFunction()->getName()))
          return llvm::createStringError("kernel '" + step.getName().str() + "' uses '" +
                                         call->getCalledFunction()->getName().str() +
                                         "', which the CPU backend does not support");
      }

  std::vector<Site> sites;
  for (llvm::CallInst* call : calls) {
    llvm::BasicBlock* head = call->getParent();
    if (call != &head->front())
      head = llvm::SplitBlock(head, call, static_cast<llvm::DominatorTree*>(nullptr));
    llvm::BasicBlock* resume =
        llvm::SplitBlock(head, call->getNextNode(), static_cast<llvm::DominatorTree*>(nullptr));
    if (!call->getType()->isVoidTy()) {
      llvm::IRBuilder<> builder(&resume->front());
      llvm::Value* slot = threadField(builder, thread, context, kResultField);
      llvm::LoadInst* bits = builder.CreateLoad(builder.getInt32Ty(), slot, "collective.result");
      markSiteField(*bits, kResultField);
      llvm::Type* type = call->getType();
      llvm::Value* result = nullptr;
      if (auto* pair = llvm::dyn_cast<llvm::StructType>(type)) { // shfl.sync.*p: {value, i1}
        llvm::LoadInst* predicate = builder.CreateLoad(
            builder.getInt32Ty(), threadField(builder, thread, context, kResultPredicateField),
            "collective.in_range");
        markSiteField(*predicate, kResultPredicateField);
        result = builder.CreateInsertValue(llvm::PoisonValue::get(pair),
                                           builder.CreateBitCast(bits, pair->getElementType(0)), 0);
        result = builder.CreateInsertValue(result,
                                           builder.CreateICmpNE(predicate, builder.getInt32(0)), 1);
      } else {
        result = type->isIntegerTy(1) ? builder.CreateICmpNE(bits, builder.getInt32(0))
                                      : builder.CreateBitCast(bits, type);
      }
      call->replaceAllUsesWith(result);
    }
    sites.push_back({*classifyCollective(*call), call, resume});
  }
  return sites;
}

void emitSiteExits(const std::vector<Site>& sites, llvm::Value* thread, llvm::Value* context) {
  for (size_t index = 0; index < sites.size(); ++index) {
    const Site& site = sites[index];
    llvm::CallInst* call = site.call;
    llvm::IRBuilder<> builder(call);
    auto store = [&](ThreadField field, llvm::Value* value) {
      if (value->getType()->isIntegerTy() && value->getType()->getIntegerBitWidth() < 32)
        value = builder.CreateZExt(value, builder.getInt32Ty());
      markSiteField(*builder.CreateStore(value, threadField(builder, thread, context, field)),
                    field);
    };
    auto bits32 = [&](llvm::Value* value) {
      return value->getType()->isFloatTy() ? builder.CreateBitCast(value, builder.getInt32Ty())
                                           : value;
    };
    llvm::Value* zero = builder.getInt32(0);
    switch (site.kind) {
    case SiteKind::Barrier:
    case SiteKind::ActiveMask:
    case SiteKind::Yield:
      break;
    case SiteKind::BarrierPopc:
    case SiteKind::BarrierAnd:
    case SiteKind::BarrierOr:
      store(kValueField, builder.CreateICmpNE(call->getArgOperand(0), zero));
      break;
    case SiteKind::WarpSync:
      store(kMaskField, call->getArgOperand(0));
      break;
    case SiteKind::ShflIdx:
    case SiteKind::ShflUp:
    case SiteKind::ShflDown:
    case SiteKind::ShflBfly:
      store(kMaskField, call->getArgOperand(0));
      store(kValueField, bits32(call->getArgOperand(1)));
      store(kBField, call->getArgOperand(2));
      store(kCField, call->getArgOperand(3));
      break;
    case SiteKind::VoteAll:
    case SiteKind::VoteAny:
    case SiteKind::VoteUni:
    case SiteKind::VoteBallot:
    case SiteKind::MatchAny32:
    case SiteKind::MatchAll32:
      store(kMaskField, call->getArgOperand(0));
      store(kValueField, call->getArgOperand(1));
      break;
    case SiteKind::MatchAny64:
    case SiteKind::MatchAll64: {
      llvm::Value* value = call->getArgOperand(1);
      store(kMaskField, call->getArgOperand(0));
      store(kValueField, builder.CreateTrunc(value, builder.getInt32Ty()));
      store(kValueHiField,
            builder.CreateTrunc(builder.CreateLShr(value, 32), builder.getInt32Ty()));
      break;
    }
    default: // redux.sync: value first, then mask
      store(kValueField, call->getArgOperand(0));
      store(kMaskField, call->getArgOperand(1));
      break;
    }
    llvm::BasicBlock* block = call->getParent();
    block->getTerminator()->eraseFromParent();
    call->eraseFromParent();
    llvm::ReturnInst::Create(block->getContext(), builder.getInt32(int32_t(index + 1)), block);
  }
}

} // namespace drawbridge::backend::cpu

// Turns a kernel into the function that runs one thread from its start or from the site it last
// stopped at, up to its next site, its exit or a trap (see Abi.h for what it returns).
#include "Lowering.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/Transforms/Utils/Cloning.h>

namespace drawbridge::backend::cpu {

namespace {

enum ExtraParam : unsigned { kContext, kThread, kFrame, kTidX, kTidY, kTidZ, kExtraParams };

llvm::Function* cloneWithThreadParams(llvm::Function& kernel) {
  llvm::LLVMContext& context = kernel.getContext();
  std::vector<llvm::Type*> params(kernel.getFunctionType()->param_begin(),
                                  kernel.getFunctionType()->param_end());
  auto* ptr = llvm::PointerType::get(context, 0);
  auto* i32 = llvm::Type::getInt32Ty(context);
  params.insert(params.end(), {ptr, ptr, ptr, i32, i32, i32});
  auto* type = llvm::FunctionType::get(i32, params, false);
  auto* step = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                      kernel.getName() + ".step", kernel.getParent());
  llvm::ValueToValueMapTy map;
  for (unsigned i = 0; i < kernel.arg_size(); ++i) {
    map[kernel.getArg(i)] = step->getArg(i);
    step->getArg(i)->setName(kernel.getArg(i)->getName());
  }
  llvm::SmallVector<llvm::ReturnInst*, 4> returns;
  llvm::CloneFunctionInto(step, &kernel, map, llvm::CloneFunctionChangeType::LocalChangesOnly,
                          returns);
  step->setCallingConv(llvm::CallingConv::C);
  step->setLinkage(llvm::GlobalValue::InternalLinkage);
  step->addFnAttr(llvm::Attribute::AlwaysInline);
  // A byval parameter is the callee's own copy; every thread gets one when the kernel may
  // write it (they all start from the launch's single copy of the arguments).
  llvm::IRBuilder<> entry(&*step->getEntryBlock().getFirstInsertionPt());
  for (unsigned i = 0; i < kernel.arg_size(); ++i) {
    llvm::Argument* argument = step->getArg(i);
    if (!argument->hasByValAttr() || argument->onlyReadsMemory())
      continue;
    llvm::Type* type = argument->getParamByValType();
    llvm::Align align = argument->getParamAlign().valueOrOne();
    llvm::AllocaInst* copy = entry.CreateAlloca(type, nullptr, argument->getName() + ".copy");
    copy->setAlignment(align);
    argument->replaceAllUsesWith(copy);
    entry.CreateMemCpy(copy, align, argument, align,
                       kernel.getParent()->getDataLayout().getTypeAllocSize(type));
  }
  for (llvm::ReturnInst* ret : returns) {
    llvm::ReturnInst::Create(context, llvm::ConstantInt::get(i32, kStepExited), ret);
    ret->eraseFromParent();
  }
  return step;
}

/// Moves every alloca into the block's frames, so its contents survive sites. Each alloca
/// becomes one slot array over the block's threads (structure of arrays: a value saved across a
/// site sits beside the other threads' copies, so loops over threads save and reload it as
/// vectors); thread t's copy is at frames + offset * nthreads + t * stride.
llvm::Expected<uint64_t> moveAllocasToFrame(llvm::Function& step, llvm::Instruction* where,
                                            llvm::Value* frames, llvm::Value* context,
                                            llvm::ArrayRef<llvm::Value*> tid) {
  const llvm::DataLayout& dataLayout = step.getParent()->getDataLayout();
  std::vector<llvm::AllocaInst*> allocas;
  for (llvm::BasicBlock& block : step)
    for (llvm::Instruction& instruction : block)
      if (auto* alloca = llvm::dyn_cast<llvm::AllocaInst>(&instruction))
        allocas.push_back(alloca);
  if (allocas.empty())
    return 0;
  llvm::IRBuilder<> at(where);
  AbiTypes abi = AbiTypes::get(step.getContext());
  auto ntid = [&](unsigned axis) {
    return at.CreateLoad(
        at.getInt32Ty(),
        at.CreateConstInBoundsGEP1_32(
            at.getInt32Ty(), at.CreateConstGEP2_32(abi.block, context, 0, kNtidField), axis));
  };
  llvm::Value* linear = linearThreadIndex(at, {ntid(0), ntid(1), ntid(2)}, tid);
  // Sign-extended: the index does not wrap (nsw), so this extension distributes over the block
  // function's x + row and the slot's address stays consecutive in a loop over x.
  llvm::Value* thread = at.CreateSExt(linear, at.getInt64Ty());
  llvm::Value* count = at.CreateZExt(
      at.CreateLoad(at.getInt32Ty(), at.CreateStructGEP(abi.block, context, kNthreadsField)),
      at.getInt64Ty());
  uint64_t size = 0;
  for (llvm::AllocaInst* alloca : allocas) {
    std::optional<llvm::TypeSize> bytes = alloca->getAllocationSize(dataLayout);
    if (!bytes || bytes->isScalable())
      return llvm::createStringError("kernel '" + step.getName().str() +
                                     "' allocates local memory of variable size, which the CPU "
                                     "backend does not support in kernels with barriers");
    uint64_t align = alloca->getAlign().value();
    uint64_t stride = llvm::alignTo(bytes->getFixedValue(), align);
    size = llvm::alignTo(size, align);
    llvm::Value* offset = at.CreateAdd(at.CreateMul(count, at.getInt64(size)),
                                       at.CreateMul(thread, at.getInt64(stride)));
    llvm::Value* slot = at.CreateInBoundsGEP(at.getInt8Ty(), frames, offset);
    slot = at.CreatePointerCast(slot, alloca->getType());
    alloca->replaceAllUsesWith(slot);
    alloca->eraseFromParent();
    size += stride;
  }
  return llvm::alignTo(size, 16);
}

// The operands of shuffle `site` that are constants; none for other collectives.
ConstantShuffleOperands constantShuffleOperands(const Site& site) {
  if (!isShuffle(site.kind))
    return {};
  auto constant = [&](unsigned operand) -> std::optional<uint32_t> {
    if (auto* value = llvm::dyn_cast<llvm::ConstantInt>(site.call->getArgOperand(operand)))
      return uint32_t(value->getZExtValue());
    return std::nullopt;
  };
  return {constant(0), constant(2), constant(3)};
}

} // namespace

llvm::Expected<StepFunction> buildStepFunction(llvm::Function& kernel) {
  StepFunction result;
  SharedLayout shared = layoutSharedMemory(*kernel.getParent(), kernel);
  result.staticShared = shared.staticSize;
  llvm::Function* step = cloneWithThreadParams(kernel);
  result.function = step;
  for (llvm::CallInst* call : callsWithPrefix(*step, "llvm.nvvm.read.ptx.sreg.tid."))
    result.readsRows |= !call->getCalledFunction()->getName().ends_with(".x");
  unsigned base = kernel.arg_size();
  llvm::Value* context = step->getArg(base + kContext);
  llvm::Value* thread = step->getArg(base + kThread);
  llvm::Value* frame = step->getArg(base + kFrame);
  llvm::Value* tid[3] = {step->getArg(base + kTidX), step->getArg(base + kTidY),
                         step->getArg(base + kTidZ)};
  context->setName("context");
  thread->setName("thread");
  frame->setName("frames");

  lowerTraps(*step, context, tid);
  lowerNvvmAtomics(*step);
  batchShuffles(*step);
  auto sites = isolateSites(*step, thread, context);
  if (!sites)
    return sites.takeError();

  // Values computed at `where` dominate every block: per-entry values (registers, shared and
  // frame addresses) go there.
  llvm::Instruction* where = nullptr;
  llvm::BasicBlock* start = &step->getEntryBlock();
  if (sites->empty()) {
    // A prologue block of its own, so the values survive the rewriting of the first block;
    // allocas move along to stay in the entry block, where the optimizer promotes them.
    llvm::BasicBlock* prologue =
        llvm::BasicBlock::Create(step->getContext(), "prologue", step, start);
    where = llvm::BranchInst::Create(start, prologue);
    for (llvm::Instruction& instruction : llvm::make_early_inc_range(*start))
      if (llvm::isa<llvm::AllocaInst>(instruction))
        instruction.moveBefore(where);
  } else {
    // A new entry dispatches on where the thread resumes. It runs on every entry, so what it
    // computes is never live across a site.
    llvm::BasicBlock* entry = llvm::BasicBlock::Create(step->getContext(), "dispatch", step, start);
    llvm::IRBuilder<> builder(entry);
    llvm::Value* resume = builder.CreateLoad(
        builder.getInt32Ty(), threadField(builder, thread, context, kResumeField), "resume");
    llvm::SwitchInst* dispatch = builder.CreateSwitch(resume, start, unsigned(sites->size()));
    for (size_t i = 0; i < sites->size(); ++i) {
      dispatch->addCase(builder.getInt32(uint32_t(i + 1)), (*sites)[i].resume);
      result.sites.push_back((*sites)[i].kind);
      result.shuffleOperands.push_back(constantShuffleOperands((*sites)[i]));
    }
    where = dispatch;
  }
  if (llvm::Error error = lowerSpecialRegisters(*step, where, context, tid))
    return std::move(error);
  llvm::Value* sharedBase = lowerSharedMemory(*step, shared, where, context);
  if (!sites->empty()) {
    recomputeOnEntry(*step, where, *sites);
    demoteValuesLiveAcrossSites(*step, *sites);
    auto frameSize = moveAllocasToFrame(*step, where, frame, context, tid);
    if (!frameSize)
      return frameSize.takeError();
    result.frameSize = *frameSize;
    scopeDisjointMemory(*step, {frame, thread, context, sharedBase});
  }
  emitSiteExits(*sites, thread, context);
  if (sites->empty())
    result.guard = findThreadGuard(*step, kernel.arg_size(), context, tid[0]);
  return result;
}

} // namespace drawbridge::backend::cpu

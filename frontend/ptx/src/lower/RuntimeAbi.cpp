#include "RuntimeAbi.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <vector>

namespace drawbridge::ptx {
namespace {

llvm::FunctionType* clangSignature(llvm::LLVMContext& ctx, llvm::StringRef name) {
  auto* ptr = llvm::PointerType::get(ctx, 0);
  auto* i32 = llvm::Type::getInt32Ty(ctx);
  auto* i64 = llvm::Type::getInt64Ty(ctx);
  auto* voidTy = llvm::Type::getVoidTy(ctx);
  if (name == "vprintf")
    return llvm::FunctionType::get(i32, {ptr, ptr}, false);
  if (name == "__assertfail")
    return llvm::FunctionType::get(voidTy, {ptr, ptr, i32, ptr, i64}, false);
  if (name == "malloc")
    return llvm::FunctionType::get(ptr, {i64}, false);
  if (name == "free")
    return llvm::FunctionType::get(voidTy, {ptr}, false);
  return nullptr;
}

llvm::Value* convert(llvm::IRBuilder<>& b, llvm::Value* value, llvm::Type* to) {
  if (value->getType() == to)
    return value;
  if (to->isPointerTy() && value->getType()->isIntegerTy())
    return b.CreateIntToPtr(value, to);
  if (to->isIntegerTy() && value->getType()->isPointerTy())
    return b.CreatePtrToInt(value, to);
  return b.CreateZExtOrTrunc(value, to);
}

} // namespace

void adoptRuntimeAbi(llvm::Module& ir) {
  for (const char* name : {"vprintf", "__assertfail", "malloc", "free"}) {
    llvm::Function* old = ir.getFunction(name);
    llvm::FunctionType* wanted = clangSignature(ir.getContext(), name);
    if (!old || old->getFunctionType() == wanted || old->arg_size() != wanted->getNumParams())
      continue;
    old->setName(std::string(name) + ".ptx");
    llvm::Function* fn = llvm::Function::Create(wanted, old->getLinkage(), name, ir);
    fn->copyAttributesFrom(old);
    std::vector<llvm::CallInst*> calls;
    for (llvm::User* user : old->users())
      if (auto* call = llvm::dyn_cast<llvm::CallInst>(user);
          call && call->getCalledOperand() == old)
        calls.push_back(call);
    for (llvm::CallInst* call : calls) {
      llvm::IRBuilder<> b(call);
      std::vector<llvm::Value*> args;
      for (unsigned i = 0; i < call->arg_size(); ++i)
        args.push_back(convert(b, call->getArgOperand(i), wanted->getParamType(i)));
      llvm::CallInst* replacement = b.CreateCall(fn, args);
      if (!call->getType()->isVoidTy())
        call->replaceAllUsesWith(convert(b, replacement, call->getType()));
      call->eraseFromParent();
    }
    if (old->use_empty())
      old->eraseFromParent();
    else
      old->replaceAllUsesWith(fn); // an address taken: keep one function under the name
  }
}

} // namespace drawbridge::ptx

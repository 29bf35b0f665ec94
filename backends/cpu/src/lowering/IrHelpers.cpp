// Small helpers shared by the lowering steps: the ABI struct types, thread state addresses and
// call collection.
#include "Lowering.h"

#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>

namespace drawbridge::backend::cpu {

std::vector<llvm::CallInst*> callsWithPrefix(llvm::Function& function, llvm::StringRef prefix) {
  std::vector<llvm::CallInst*> calls;
  for (llvm::BasicBlock& block : function)
    for (llvm::Instruction& instruction : block)
      if (auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction))
        if (call->getCalledFunction() && call->getCalledFunction()->getName().starts_with(prefix))
          calls.push_back(call);
  return calls;
}

AbiTypes AbiTypes::get(llvm::LLVMContext& context) {
  auto* i32 = llvm::Type::getInt32Ty(context);
  auto* ptr = llvm::PointerType::get(context, 0);
  auto* dim = llvm::ArrayType::get(i32, 3);
  AbiTypes types;
  types.thread = llvm::StructType::getTypeByName(context, "drawbridge.ThreadState");
  if (!types.thread) {
    std::vector<llvm::Type*> fields{dim};
    fields.resize(kThreadStateFields - 2, i32); // tid counts as three of the fields
    types.thread = llvm::StructType::create(context, fields, "drawbridge.ThreadState");
    types.block = llvm::StructType::create(
        context, {dim, dim, dim, i32, i32, ptr, ptr, ptr, ptr, ptr, i32, i32},
        "drawbridge.BlockContext");
  } else {
    types.block = llvm::StructType::getTypeByName(context, "drawbridge.BlockContext");
  }
  return types;
}

llvm::Value* threadField(llvm::IRBuilder<>& builder, llvm::Value* thread, llvm::Value* context,
                         ThreadField field) {
  AbiTypes abi = AbiTypes::get(builder.getContext());
  llvm::Value* count =
      builder.CreateLoad(builder.getInt32Ty(),
                         builder.CreateStructGEP(abi.block, context, kNthreadsField), "nthreads");
  llvm::Value* row = builder.CreateMul(builder.CreateZExt(count, builder.getInt64Ty()),
                                       builder.getInt64(field - kResumeField));
  return builder.CreateInBoundsGEP(builder.getInt32Ty(), thread, row);
}

bool isVolatileAccess(const llvm::Instruction& instruction) {
  if (auto* load = llvm::dyn_cast<llvm::LoadInst>(&instruction))
    return load->isVolatile();
  if (auto* store = llvm::dyn_cast<llvm::StoreInst>(&instruction))
    return store->isVolatile();
  auto* transfer = llvm::dyn_cast<llvm::MemIntrinsic>(&instruction);
  return transfer && transfer->isVolatile();
}

bool isLibraryMath(llvm::Intrinsic::ID id) {
  switch (id) {
  case llvm::Intrinsic::exp:
  case llvm::Intrinsic::exp2:
  case llvm::Intrinsic::exp10:
  case llvm::Intrinsic::log:
  case llvm::Intrinsic::log2:
  case llvm::Intrinsic::log10:
  case llvm::Intrinsic::sin:
  case llvm::Intrinsic::cos:
  case llvm::Intrinsic::tan:
  case llvm::Intrinsic::asin:
  case llvm::Intrinsic::acos:
  case llvm::Intrinsic::atan:
  case llvm::Intrinsic::sinh:
  case llvm::Intrinsic::cosh:
  case llvm::Intrinsic::tanh:
  case llvm::Intrinsic::pow:
  case llvm::Intrinsic::powi:
  case llvm::Intrinsic::ldexp:
    return true;
  default:
    return false;
  }
}

namespace {
constexpr const char* kSiteFieldKind = "drawbridge.site.field";
} // namespace

void markSiteField(llvm::Instruction& access, ThreadField field) {
  llvm::LLVMContext& context = access.getContext();
  access.setMetadata(
      context.getMDKindID(kSiteFieldKind),
      llvm::MDNode::get(context, llvm::ConstantAsMetadata::get(llvm::ConstantInt::get(
                                     llvm::Type::getInt32Ty(context), field))));
}

std::optional<ThreadField> siteField(const llvm::Instruction& access) {
  llvm::MDNode* node = access.getMetadata(kSiteFieldKind);
  if (!node || node->getNumOperands() != 1)
    return std::nullopt;
  auto* field = llvm::mdconst::dyn_extract<llvm::ConstantInt>(node->getOperand(0));
  return field ? std::optional<ThreadField>(ThreadField(field->getZExtValue())) : std::nullopt;
}

llvm::Value* linearThreadIndex(llvm::IRBuilder<>& builder, llvm::ArrayRef<llvm::Value*> ntid,
                               llvm::ArrayRef<llvm::Value*> tid) {
  auto add = [&](llvm::Value* a, llvm::Value* b) {
    return builder.CreateAdd(a, b, "", true, true);
  };
  auto mul = [&](llvm::Value* a, llvm::Value* b) {
    return builder.CreateMul(a, b, "", true, true);
  };
  return add(tid[0], mul(ntid[0], add(tid[1], mul(ntid[1], tid[2]))));
}

} // namespace drawbridge::backend::cpu

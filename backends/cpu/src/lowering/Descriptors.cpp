// Emits the ModuleDescriptor (Abi.h): the lowered module describes its kernels and globals
// itself, so an object file from the cache is usable without the IR it came from.
#include "Lowering.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/Module.h>

namespace drawbridge::backend::cpu {

namespace {

llvm::Constant* privateArray(llvm::Module& module, llvm::ArrayType* type,
                             llvm::ArrayRef<llvm::Constant*> elements, const llvm::Twine& name) {
  return new llvm::GlobalVariable(module, type, true, llvm::GlobalValue::PrivateLinkage,
                                  llvm::ConstantArray::get(type, elements), name);
}

llvm::Constant* u32Array(llvm::Module& module, llvm::ArrayRef<uint32_t> values,
                         const llvm::Twine& name) {
  auto* data = llvm::ConstantDataArray::get(module.getContext(), values);
  return new llvm::GlobalVariable(module, data->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                  data, name);
}

llvm::Constant* string(llvm::Module& module, llvm::StringRef text) {
  auto* data = llvm::ConstantDataArray::getString(module.getContext(), text);
  return new llvm::GlobalVariable(module, data->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                  data, ".drawbridge.name");
}

/// __device__ and __constant__ variables: the module's named, defined globals in the global
/// (1) or constant (4) address space.
bool isDeviceVariable(const llvm::GlobalVariable& global) {
  unsigned space = global.getAddressSpace();
  return (space == 1 || space == 4) && !global.isDeclaration() && global.hasName() &&
         !global.hasPrivateLinkage();
}

} // namespace

void emitModuleDescriptor(llvm::Module& module, const std::vector<LoweredKernel>& kernels) {
  llvm::LLVMContext& context = module.getContext();
  auto* ptr = llvm::PointerType::get(context, 0);
  auto* i32 = llvm::Type::getInt32Ty(context);
  auto* i64 = llvm::Type::getInt64Ty(context);
  auto* kernelType = llvm::StructType::get(context, {ptr, ptr, i32, i32, i32, ptr, i32, ptr, ptr});
  auto* globalType = llvm::StructType::get(context, {ptr, ptr, i64});
  auto* moduleType = llvm::StructType::get(context, {i32, i32, ptr, ptr});

  std::vector<llvm::Constant*> kernelEntries;
  for (const LoweredKernel& kernel : kernels) {
    std::vector<uint32_t> sites{0};
    for (SiteKind kind : kernel.step->sites)
      sites.push_back(uint32_t(kind));
    kernelEntries.push_back(llvm::ConstantStruct::get(
        kernelType, {string(module, kernel.name), kernel.block,
                     llvm::ConstantInt::get(i32, kernel.step->frameSize),
                     llvm::ConstantInt::get(i32, kernel.step->staticShared),
                     llvm::ConstantInt::get(i32, kernel.step->sites.size()),
                     u32Array(module, sites, kernel.name + ".sites"),
                     llvm::ConstantInt::get(i32, kernel.paramSizes.size()),
                     u32Array(module, kernel.paramSizes, kernel.name + ".params"),
                     u32Array(module, kernel.paramOffsets, kernel.name + ".offsets")}));
  }
  std::vector<llvm::Constant*> globalEntries;
  for (llvm::GlobalVariable& global : module.globals()) {
    if (!isDeviceVariable(global))
      continue;
    uint64_t size = module.getDataLayout().getTypeAllocSize(global.getValueType());
    globalEntries.push_back(
        llvm::ConstantStruct::get(globalType, {string(module, global.getName()),
                                               llvm::ConstantExpr::getAddrSpaceCast(&global, ptr),
                                               llvm::ConstantInt::get(i64, size)}));
  }
  auto* kernelArray = llvm::ArrayType::get(kernelType, kernelEntries.size());
  auto* globalArray = llvm::ArrayType::get(globalType, globalEntries.size());
  llvm::Constant* descriptor = llvm::ConstantStruct::get(
      moduleType, {llvm::ConstantInt::get(i32, kernelEntries.size()),
                   llvm::ConstantInt::get(i32, globalEntries.size()),
                   privateArray(module, kernelArray, kernelEntries, "drawbridge.kernels"),
                   privateArray(module, globalArray, globalEntries, "drawbridge.globals")});
  new llvm::GlobalVariable(module, moduleType, true, llvm::GlobalValue::ExternalLinkage, descriptor,
                           kModuleDescriptorSymbol);
}

} // namespace drawbridge::backend::cpu

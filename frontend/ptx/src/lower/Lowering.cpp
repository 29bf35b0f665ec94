// Module-level lowering: the target, module variables with their initializers, function
// signatures and linkage, kernel annotations as clang 19 writes them, then every body, then
// mem2reg so that PTX registers become SSA values.
#include "drawbridge/ptx/Lowering.h"

#include "FailedFunctions.h"
#include "FunctionLowering.h"
#include "RuntimeAbi.h"

#include <charconv>
#include <functional>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/PassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Transforms/Utils/PromoteMemToReg.h>
#include <unordered_set>

namespace drawbridge::ptx {
namespace {

using namespace nvvm;

constexpr const char* kDataLayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64";
constexpr const char* kTriple = "nvptx64-nvidia-cuda";

llvm::GlobalValue::LinkageTypes linkageOf(Linkage linkage) {
  switch (linkage) {
  case Linkage::Visible:
  case Linkage::Extern:
    return llvm::GlobalValue::ExternalLinkage;
  case Linkage::Weak:
    return llvm::GlobalValue::WeakAnyLinkage;
  case Linkage::Common:
    return llvm::GlobalValue::CommonLinkage;
  case Linkage::Internal:
    return llvm::GlobalValue::InternalLinkage;
  }
  return llvm::GlobalValue::InternalLinkage;
}

unsigned smOf(const Module& m, unsigned requested) {
  if (requested)
    return requested;
  unsigned sm = 0;
  std::string_view target = m.target;
  if (target.starts_with("sm_"))
    std::from_chars(target.data() + 3, target.data() + target.size(), sm);
  return sm ? sm : 80;
}

// The address of a variable or function as a 64-bit integer constant: in the symbol's own state
// space, or generic with generic() (functions' addresses are generic either way).
std::optional<llvm::Constant*> symbolAddress(ModuleState& state, const Variable::Initializer& init,
                                             llvm::Type* element) {
  llvm::GlobalValue* symbol = state.ir.getNamedValue(init.symbol);
  if (!symbol || !element->isIntegerTy(64))
    return std::nullopt;
  llvm::Constant* pointer = symbol;
  if (init.generic && symbol->getAddressSpace() != Generic)
    pointer = llvm::ConstantExpr::getAddrSpaceCast(
        symbol, llvm::PointerType::get(state.ir.getContext(), Generic));
  return llvm::ConstantExpr::getPtrToInt(pointer, element);
}

// The element constants of an initializer, in the variable's element type.
std::optional<llvm::Constant*> initializerOf(ModuleState& state, const Variable& v) {
  llvm::LLVMContext& ctx = state.ir.getContext();
  llvm::Type* t = variableType(ctx, v);
  if (v.initializer.empty())
    return v.space == StateSpace::Shared ? static_cast<llvm::Constant*>(llvm::UndefValue::get(t))
                                         : llvm::Constant::getNullValue(t);
  llvm::Type* element = llvmType(ctx, v.type);
  if (v.type == ScalarType::Pred)
    element = llvm::Type::getInt8Ty(ctx);
  uint64_t count = v.elementCount() * v.vectorWidth;
  if (v.initializer.size() > count && !(v.isArray() && v.elementCount() == 0))
    return std::nullopt;
  std::vector<llvm::Constant*> elements;
  for (uint64_t i = 0; i < count; ++i) {
    if (i >= v.initializer.size()) {
      elements.push_back(llvm::Constant::getNullValue(element));
      continue;
    }
    const auto& init = v.initializer[i];
    if (init.kind == Variable::Initializer::Kind::Symbol) {
      auto address = symbolAddress(state, init, element);
      if (!address)
        return std::nullopt;
      elements.push_back(*address);
      continue;
    }
    unsigned bits = state.ir.getDataLayout().getTypeSizeInBits(element);
    uint64_t mask = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
    llvm::APInt value(bits, init.bits & mask);
    elements.push_back(
        element->isIntegerTy()
            ? static_cast<llvm::Constant*>(llvm::ConstantInt::get(element, value))
            : llvm::ConstantFP::get(ctx, llvm::APFloat(element->getFltSemantics(), value)));
  }
  auto build = [&](llvm::Type* type, size_t& next, auto& self) -> llvm::Constant* {
    if (auto* array = llvm::dyn_cast<llvm::ArrayType>(type)) {
      std::vector<llvm::Constant*> items;
      for (uint64_t i = 0; i < array->getNumElements(); ++i)
        items.push_back(self(array->getElementType(), next, self));
      return llvm::ConstantArray::get(array, items);
    }
    if (auto* vec = llvm::dyn_cast<llvm::FixedVectorType>(type)) {
      std::vector<llvm::Constant*> items;
      for (unsigned i = 0; i < vec->getNumElements(); ++i)
        items.push_back(elements[next++]);
      return llvm::ConstantVector::get(items);
    }
    return elements[next++];
  };
  size_t next = 0;
  return build(t, next, build);
}

// Module variables are created first and initialized once every variable and function exists,
// since initializers may take their addresses.
void createGlobals(ModuleState& state) {
  llvm::LLVMContext& ctx = state.ir.getContext();
  for (const auto& v : state.ptx.globals) {
    // __constant__ and __device__ memory is written by the host (cudaMemcpyToSymbol) between
    // launches: never an LLVM constant (initializeGlobals marks it externally initialized).
    auto* g = new llvm::GlobalVariable(state.ir, variableType(ctx, v), /*isConstant=*/false,
                                       linkageOf(v.linkage), nullptr, v.name, nullptr,
                                       llvm::GlobalValue::NotThreadLocal, addressSpaceOf(v.space));
    g->setAlignment(variableAlign(state.ir.getDataLayout(), ctx, v));
    state.globals.push_back(g);
  }
}

std::optional<Error> initializeGlobals(ModuleState& state) {
  for (size_t i = 0; i < state.ptx.globals.size(); ++i) {
    const Variable& v = state.ptx.globals[i];
    if (v.linkage == Linkage::Extern)
      continue;
    auto value = initializerOf(state, v);
    if (!value)
      return Error{toString(v.loc) + ": unsupported initializer of '" + v.name +
                   "' (more values than elements, or an address in a non-64-bit element)"};
    state.globals[i]->setInitializer(*value);
    // Its initializer is only its value at load time: the host may write it before any launch.
    if (v.space == StateSpace::Const || v.space == StateSpace::Global)
      state.globals[i]->setExternallyInitialized(true);
  }
  return std::nullopt;
}

void annotate(llvm::Module& ir, llvm::Function* fn, const char* key, uint32_t value) {
  llvm::LLVMContext& ctx = ir.getContext();
  llvm::Metadata* ops[] = {
      llvm::ValueAsMetadata::get(fn), llvm::MDString::get(ctx, key),
      llvm::ConstantAsMetadata::get(llvm::ConstantInt::get(llvm::Type::getInt32Ty(ctx), value))};
  ir.getOrInsertNamedMetadata("nvvm.annotations")->addOperand(llvm::MDNode::get(ctx, ops));
}

void annotateKernel(llvm::Module& ir, llvm::Function* fn, const Function& f) {
  annotate(ir, fn, "kernel", 1);
  static constexpr const char* kMaxntid[] = {"maxntidx", "maxntidy", "maxntidz"};
  static constexpr const char* kReqntid[] = {"reqntidx", "reqntidy", "reqntidz"};
  for (size_t i = 0; i < f.maxntid.size() && i < 3; ++i)
    annotate(ir, fn, kMaxntid[i], f.maxntid[i]);
  for (size_t i = 0; i < f.reqntid.size() && i < 3; ++i)
    annotate(ir, fn, kReqntid[i], f.reqntid[i]);
  if (f.minnctapersm)
    annotate(ir, fn, "minctasm", *f.minnctapersm);
  if (f.maxnreg)
    annotate(ir, fn, "maxnreg", *f.maxnreg);
}

// LLVM, like ptxas, has no internal or weak function that is only declared: a function that
// another module defines is declared .extern (or .visible).
std::optional<Error> checkDeclaredFunctionsAreDefined(const Module& m) {
  std::unordered_set<std::string_view> defined;
  for (const auto& f : m.functions)
    if (f.hasBody)
      defined.insert(f.name);
  for (const auto& f : m.functions)
    if (!f.hasBody && f.linkage != Linkage::Extern && f.linkage != Linkage::Visible &&
        !defined.count(f.name))
      return Error{toString(f.loc) + ": function '" + f.name +
                   "' is declared but not defined in this module; declare it .extern if another "
                   "module defines it"};
  return std::nullopt;
}

std::optional<Error> declareFunctions(ModuleState& state) {
  if (auto error = checkDeclaredFunctionsAreDefined(state.ptx))
    return error;
  llvm::LLVMContext& ctx = state.ir.getContext();
  // PTX versions LLVM 19's NVPTX backend knows go up to 8.5.
  std::string features =
      "+ptx" + std::to_string(std::min(85u, state.ptx.versionMajor * 10 + state.ptx.versionMinor));
  for (const auto& f : state.ptx.functions) {
    if (f.isKernel && !f.returns.empty())
      return Error{toString(f.loc) + ": kernel '" + f.name + "' cannot return values"};
    llvm::Function* fn = state.ir.getFunction(f.name);
    if (!fn) {
      fn = llvm::Function::Create(signatureType(ctx, f.returns, f.params), linkageOf(f.linkage),
                                  f.name, state.ir);
      fn->addFnAttr("target-cpu", "sm_" + std::to_string(state.sm));
      fn->addFnAttr("target-features", features);
      fn->addFnAttr(llvm::Attribute::NoUnwind);
    } else if (fn->getFunctionType() != signatureType(ctx, f.returns, f.params)) {
      return Error{toString(f.loc) + ": '" + f.name +
                   "' is declared twice with different parameters"};
    }
    if (f.hasBody)
      fn->setLinkage(linkageOf(f.linkage));
    if (f.isKernel && f.hasBody)
      annotateKernel(state.ir, fn, f);
    state.functions.push_back(fn);
  }
  return std::nullopt;
}

// Runs the pipeline `build` makes, with every analysis manager set up.
void runPipeline(llvm::Module& ir,
                 const std::function<llvm::ModulePassManager(llvm::PassBuilder&)>& build) {
  llvm::PassBuilder pb;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cam;
  llvm::ModuleAnalysisManager mam;
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cam, mam);
  build(pb).run(ir, mam);
}

// mem2reg on every function: PTX registers (entry-block allocas) become SSA values. Called
// directly rather than through a pass pipeline, whose set-up would cost more than the work.
void promoteRegisters(llvm::Module& ir) {
  for (llvm::Function& fn : ir) {
    if (fn.isDeclaration())
      continue;
    std::vector<llvm::AllocaInst*> promotable;
    for (llvm::Instruction& inst : fn.getEntryBlock())
      if (auto* slot = llvm::dyn_cast<llvm::AllocaInst>(&inst);
          slot && llvm::isAllocaPromotable(slot))
        promotable.push_back(slot);
    if (promotable.empty())
      continue;
    llvm::DominatorTree dominators(fn);
    llvm::PromoteMemToReg(promotable, dominators);
  }
}

} // namespace

std::optional<Error> verify(const llvm::Module& ir) {
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (!llvm::verifyModule(ir, &os))
    return std::nullopt;
  return Error{"the NVVM IR does not verify (a PTX frontend bug; please report it with the "
               "PTX):\n" +
               problems};
}

void optimize(llvm::Module& module, llvm::OptimizationLevel level) {
  runPipeline(module,
              [&](llvm::PassBuilder& pb) { return pb.buildPerModuleDefaultPipeline(level); });
}

namespace nvvm {
const Registry& registry() {
  static const Registry table = [] {
    Registry r;
    registerArithmetic(r);
    registerCarry(r);
    registerDotProduct(r);
    registerBitwise(r);
    registerCompare(r);
    registerConvert(r);
    registerMemory(r);
    registerAtomics(r);
    registerWarp(r);
    registerMatrix(r);
    registerWmma(r);
    registerTextures(r);
    registerAsyncBarriers(r);
    registerClusters(r);
    registerSm90a(r);
    registerMath(r);
    registerControl(r);
    return r;
  }();
  return table;
}
} // namespace nvvm

Expected<std::unique_ptr<llvm::Module>> lower(const Module& module, llvm::LLVMContext& context,
                                              const LoweringOptions& options) {
  if (module.addressSize != 64)
    return Error{"unsupported .address_size " + std::to_string(module.addressSize) +
                 " (only 64-bit PTX is supported)"};
  auto ir = std::make_unique<llvm::Module>("ptx", context);
  ir->setDataLayout(kDataLayout);
  ir->setTargetTriple(kTriple);
  ModuleState state{module, *ir, {}, {}, smOf(module, options.sm), !options.promoteRegisters};
  createGlobals(state);
  if (auto error = declareFunctions(state))
    return std::move(*error);
  if (auto error = initializeGlobals(state))
    return std::move(*error);
  FailedFunctions failed;
  for (size_t i = 0; i < module.functions.size(); ++i) {
    const Function& f = module.functions[i];
    if (!f.hasBody)
      continue;
    if (auto error = FunctionLowering(state, f, state.functions[i]).run()) {
      if (!options.failedKernels)
        return std::move(*error);
      failed.add(state.functions[i], error->message);
    }
  }
  if (options.failedKernels)
    failed.leaveOut(state, *options.failedKernels);
  adoptRuntimeAbi(*ir);
  if (options.promoteRegisters)
    promoteRegisters(*ir);
  return ir;
}

} // namespace drawbridge::ptx

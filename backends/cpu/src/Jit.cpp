#include "Jit.h"

#include "CompilerBuiltins.h"
#include "HostRounding.h"
#include "ImageAccess.h"
#include "Runtime.h"

#include <dlfcn.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/Mangling.h>

namespace drawbridge::backend::cpu {

namespace {

/// clang built the kernels with -nocudalib, so CUDA math functions arrive as calls to
/// libdevice's __nv_<name>; the host C library has most of them as <name>.
class LibdeviceGenerator : public llvm::orc::DefinitionGenerator {
public:
  llvm::Error tryToGenerate(llvm::orc::LookupState&, llvm::orc::LookupKind,
                            llvm::orc::JITDylib& library, llvm::orc::JITDylibLookupFlags,
                            const llvm::orc::SymbolLookupSet& names) override {
    llvm::orc::SymbolMap found;
    for (const auto& [name, flags] : names) {
      llvm::StringRef text = *name;
      if (!text.consume_front("__nv_"))
        continue;
      if (void* address = dlsym(RTLD_DEFAULT, text.str().c_str()))
        found[name] = {llvm::orc::ExecutorAddr::fromPtr(address), llvm::JITSymbolFlags::Exported};
    }
    if (found.empty())
      return llvm::Error::success();
    return library.define(llvm::orc::absoluteSymbols(std::move(found)));
  }
};

} // namespace

Outcome<std::unique_ptr<Jit>> Jit::create() {
  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit)
    return failure(StatusCode::NotSupported,
                   "cannot start the LLVM JIT: " + llvm::toString(jit.takeError()));
  std::unique_ptr<Jit> result(new Jit(std::move(*jit)));
  result->jit_->getExecutionSession().setErrorReporter([jit = result.get()](llvm::Error error) {
    jit->sessionErrors_ += llvm::toString(std::move(error)) + "; ";
  });
  return result;
}

llvm::Error Jit::addRuntimeSymbols(llvm::orc::JITDylib& library) {
  llvm::orc::MangleAndInterner mangle(jit_->getExecutionSession(), jit_->getDataLayout());
  llvm::orc::SymbolMap hooks;
  for (auto table :
       {runtimeSymbols(), hostRoundingSymbols(), imageSymbols(), compilerBuiltinSymbols()})
    for (const RuntimeSymbol& symbol : table)
      hooks[mangle(symbol.name)] = {llvm::orc::ExecutorAddr::fromPtr(symbol.address),
                                    llvm::JITSymbolFlags::Exported};
  if (llvm::Error error = library.define(llvm::orc::absoluteSymbols(std::move(hooks))))
    return error;
  library.addGenerator(std::make_unique<LibdeviceGenerator>());
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      jit_->getDataLayout().getGlobalPrefix());
  if (!process)
    return process.takeError();
  library.addGenerator(std::move(*process));
  return llvm::Error::success();
}

Outcome<Jit::Loaded> Jit::load(std::unique_ptr<llvm::MemoryBuffer> object, std::string_view name,
                               llvm::orc::JITDylib* links) {
  std::lock_guard lock(mutex_);
  auto library = jit_->createJITDylib("module" + std::to_string(nextLibrary_++));
  if (!library)
    return failure(StatusCode::Unknown, llvm::toString(library.takeError()));
  if (links) {
    // Right after the library itself, before the process: a kernel's variables are its
    // module's, whatever the process defines under the same name. Hidden symbols count.
    llvm::orc::JITDylibSearchOrder order;
    library->withLinkOrderDo(
        [&](const llvm::orc::JITDylibSearchOrder& current) { order = current; });
    order.insert(order.begin() + 1, {links, llvm::orc::JITDylibLookupFlags::MatchAllSymbols});
    library->setLinkOrder(std::move(order), /*LinkAgainstThisJITDylibFirst=*/false);
  } else if (llvm::Error error = addRuntimeSymbols(*library)) {
    release(*library);
    return failure(StatusCode::Unknown, llvm::toString(std::move(error)));
  }

  if (llvm::Error error = jit_->addObjectFile(*library, std::move(object))) {
    release(*library);
    return failure(StatusCode::InvalidSource, "cannot load the object code of '" +
                                                  std::string(name) +
                                                  "': " + llvm::toString(std::move(error)));
  }
  sessionErrors_.clear();
  auto descriptor = jit_->lookup(*library, kModuleDescriptorSymbol);
  if (!descriptor) {
    std::string message = sessionErrors_ + llvm::toString(descriptor.takeError());
    release(*library);
    return failure(StatusCode::InvalidSource,
                   "cannot link '" + std::string(name) + "': " + message);
  }
  return Loaded{&*library, descriptor->toPtr<const ModuleDescriptor*>()};
}

void Jit::unload(llvm::orc::JITDylib& library) {
  std::lock_guard lock(mutex_);
  release(library);
}

void Jit::release(llvm::orc::JITDylib& library) {
  // Failing to release JIT memory leaves it allocated; nothing else depends on it.
  llvm::consumeError(jit_->getExecutionSession().removeJITDylib(library));
}

} // namespace drawbridge::backend::cpu

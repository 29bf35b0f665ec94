// Loads compiled objects into the process with ORC LLJIT, one JITDylib per object. A module's
// globals object gets the runtime's hooks, vprintf, libdevice-style math (__nv_*) and the
// process's own symbols; each kernel's object links against it (ModuleSplit.h).
#pragma once

#include "Abi.h"
#include "drawbridge/backend/Status.h"

#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/Support/MemoryBuffer.h>
#include <memory>
#include <mutex>
#include <string>

namespace drawbridge::backend::cpu {

class Jit {
public:
  static Outcome<std::unique_ptr<Jit>> create();

  struct Loaded {
    llvm::orc::JITDylib* library;
    const ModuleDescriptor* descriptor;
  };
  /// Without `links`, the library resolves the runtime's symbols itself; with it, it resolves
  /// what it does not define there (a kernel against its module's globals).
  Outcome<Loaded> load(std::unique_ptr<llvm::MemoryBuffer> object, std::string_view name,
                       llvm::orc::JITDylib* links = nullptr);
  void unload(llvm::orc::JITDylib& library);

private:
  explicit Jit(std::unique_ptr<llvm::orc::LLJIT> jit) : jit_(std::move(jit)) {}
  void release(llvm::orc::JITDylib& library);
  llvm::Error addRuntimeSymbols(llvm::orc::JITDylib& library);

  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::mutex mutex_;
  // What ORC reported while materializing (e.g. the names of unresolved symbols), which its
  // lookup error does not repeat; guarded by mutex_ like every load.
  std::string sessionErrors_;
  uint64_t nextLibrary_ = 0;
};

} // namespace drawbridge::backend::cpu

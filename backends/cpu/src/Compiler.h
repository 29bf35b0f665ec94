// NVVM IR in, host object code out: parse, lower (lowering/), optimize at O3 for this CPU,
// emit an object file. One TargetMachine for the host, shared and guarded.
#pragma once

#include "drawbridge/backend/Status.h"
#include "drawbridge/backend/cpu/CpuBackend.h"

#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Target/TargetMachine.h>
#include <memory>
#include <mutex>
#include <span>
#include <string>

namespace drawbridge::backend::cpu {

class Compiler {
public:
  static Outcome<std::unique_ptr<Compiler>> create(Arithmetic arithmetic);

  /// Identifies everything besides the IR that changes the object code: LLVM version, the
  /// lowering's version, whose arithmetic, host CPU and features. Part of the cache key.
  const std::string& configuration() const { return configuration_; }

  /// NVVM IR (text or bitcode) parsed into `context` and verified.
  static Outcome<std::unique_ptr<llvm::Module>>
  parse(std::span<const std::byte> ir, std::string_view name, llvm::LLVMContext& context);

  /// Lowers `module` in place, optimizes and emits it; `name` appears in messages.
  Outcome<std::unique_ptr<llvm::MemoryBuffer>> compile(llvm::Module& module, std::string_view name);

private:
  Compiler(std::unique_ptr<llvm::TargetMachine> target, Arithmetic arithmetic,
           std::string configuration)
      : target_(std::move(target)), arithmetic_(arithmetic),
        configuration_(std::move(configuration)) {}

  std::unique_ptr<llvm::TargetMachine> target_;
  Arithmetic arithmetic_;
  std::string configuration_;
  std::mutex mutex_; // TargetMachine code generation is not reentrant
};

} // namespace drawbridge::backend::cpu

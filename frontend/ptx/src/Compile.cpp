#include "drawbridge/ptx/Compile.h"

#include "drawbridge/ptx/Lowering.h"
#include "drawbridge/ptx/Parser.h"

#include <cstring>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/Linker/Linker.h>
#include <llvm/Support/raw_ostream.h>

namespace drawbridge::ptx {

Expected<std::vector<std::byte>> compileToNvvmBitcode(std::span<const PtxSource> sources,
                                                      std::vector<FunctionFailure>* failedKernels) {
  if (sources.empty())
    return Error{"no PTX to compile"};
  llvm::LLVMContext context;
  // Names of blocks, arguments and instructions only help a reader of the IR; the backends never
  // look at them, and creating them is about a tenth of the lowering's time (perf).
  context.setDiscardValueNames(true);
  std::unique_ptr<llvm::Module> linked;
  for (const auto& source : sources) {
    auto parsed = parse(source.text);
    if (!parsed)
      return Error{source.name + ": " + parsed.error().message};
    size_t firstFailure = failedKernels ? failedKernels->size() : 0;
    auto lowered = lower(*parsed, context, {.failedKernels = failedKernels});
    if (!lowered)
      return Error{source.name + ": " + lowered.error().message};
    if (failedKernels)
      for (size_t i = firstFailure; i < failedKernels->size(); ++i)
        (*failedKernels)[i].message = source.name + ": " + (*failedKernels)[i].message;
    if (!linked) {
      linked = std::move(*lowered);
      continue;
    }
    // -rdc programs: a unit's extern functions and variables resolve against the others.
    std::string problems;
    llvm::raw_string_ostream os(problems);
    context.setDiagnosticHandlerCallBack(
        [](const llvm::DiagnosticInfo* info, void* out) {
          llvm::DiagnosticPrinterRawOStream printer(*static_cast<llvm::raw_ostream*>(out));
          info->print(printer);
          *static_cast<llvm::raw_ostream*>(out) << "\n";
        },
        &os);
    if (llvm::Linker::linkModules(*linked, std::move(*lowered)))
      return Error{source.name + ": cannot be linked with the modules before it: " + problems};
  }
  if (auto error = verify(*linked))
    return Error{sources.front().name + ": " + error->message};
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream out(buffer);
  llvm::WriteBitcodeToFile(*linked, out);
  std::vector<std::byte> bitcode(buffer.size());
  std::memcpy(bitcode.data(), buffer.data(), buffer.size());
  return bitcode;
}

} // namespace drawbridge::ptx

// `drawbridge ptx FILE.ptx`: parses a PTX module and prints its NVVM IR, or the first error with
// its position; the tool to reach for when a kernel will not load.
#include "Command.h"
#include "drawbridge/ptx/Lowering.h"
#include "drawbridge/ptx/Parser.h"

#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

namespace drawbridge::cli {
namespace {

namespace cl = llvm::cl;

cl::SubCommand Ptx("ptx", "Translate a PTX module to NVVM IR (LLVM IR for the NVPTX target)");
cl::opt<std::string> PtxInput(cl::Positional, cl::Required, cl::desc("<file.ptx>"), cl::sub(Ptx));
cl::opt<std::string> PtxOutput("o", cl::desc("Write the IR to <file> ('-' for stdout)"),
                               cl::value_desc("file"), cl::init("-"), cl::sub(Ptx));
cl::opt<unsigned> PtxSm("sm", cl::desc("SM version the IR is for (default: the module's .target)"),
                        cl::init(0), cl::sub(Ptx));
cl::opt<bool> PtxVerify("verify", cl::desc("Run LLVM's verifier on the result and report problems"),
                        cl::sub(Ptx));
cl::opt<bool> PtxBitcode("bitcode", cl::desc("Write LLVM bitcode instead of text"), cl::sub(Ptx));
cl::opt<bool> PtxNoPromote("no-promote", cl::desc("Keep PTX registers as allocas (skip mem2reg)"),
                           cl::sub(Ptx));

// "file:line:col: message" when the message starts with a position, as compilers print them;
// "file: message" otherwise.
std::string located(const std::string& message) {
  bool positioned = !message.empty() && message[0] >= '0' && message[0] <= '9';
  return PtxInput + (positioned ? ":" : ": ") + message;
}

int runPtx() {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(PtxInput);
  if (!buffer)
    return fail("ptx", "cannot read '" + PtxInput + "': " + buffer.getError().message());
  auto module = ptx::parse((*buffer)->getBuffer());
  if (!module)
    return fail("ptx", located(module.error().message));
  llvm::LLVMContext context;
  ptx::LoweringOptions options;
  options.sm = PtxSm;
  options.promoteRegisters = !PtxNoPromote;
  auto ir = ptx::lower(*module, context, options);
  if (!ir)
    return fail("ptx", located(ir.error().message));
  if (PtxVerify)
    if (auto problem = ptx::verify(**ir))
      return fail("ptx", PtxInput + ": " + problem->message);
  std::error_code ec;
  llvm::raw_fd_ostream out(PtxOutput, ec,
                           PtxBitcode ? llvm::sys::fs::OF_None : llvm::sys::fs::OF_Text);
  if (ec)
    return fail("ptx", "cannot write '" + PtxOutput + "': " + ec.message());
  if (PtxBitcode)
    llvm::WriteBitcodeToFile(**ir, out);
  else
    (*ir)->print(out, nullptr);
  return 0;
}

const bool registered = registerCommand(Ptx, runPtx);

} // namespace
} // namespace drawbridge::cli

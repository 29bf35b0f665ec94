// libFuzzer entry: any bytes, parsed as PTX text (with the symbol and operand passes) and, when
// that succeeds, lowered to NVVM IR. Malformed input must produce an error, never a crash, a hang
// or a sanitizer report; IR that LLVM's verifier rejects is a frontend bug and aborts the run.
#include "drawbridge/ptx/Lowering.h"
#include "drawbridge/ptx/Parser.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto module = drawbridge::ptx::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!module)
    return 0;
  llvm::LLVMContext context;
  drawbridge::ptx::LoweringOptions options;
  options.promoteRegisters = false; // mem2reg is LLVM's code, not what is being fuzzed
  auto ir = drawbridge::ptx::lower(*module, context, options);
  if (!ir)
    return 0;
  if (auto problem = drawbridge::ptx::verify(**ir)) {
    std::fprintf(stderr, "%s\n", problem->message.c_str());
    std::abort();
  }
  return 0;
}

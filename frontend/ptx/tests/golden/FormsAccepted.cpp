// Which instruction forms the PTX frontend accepts, for the golden suite's coverage check
// (coverage.py): every accepted arithmetic form must have goldens.
//
//   ptx_forms_accepted            reads `name<TAB>kernel body` lines on stdin and prints the
//                                 name of each body the frontend parses and lowers
//   ptx_forms_accepted --opcodes  prints every opcode the lowering has a handler for
//
// Each body is lowered as a kernel of its own (in a module of its own), so one rejected form
// says nothing about the others.
#include "drawbridge/ptx/Lowering.h"
#include "drawbridge/ptx/Parser.h"
#include "lower/FunctionLowering.h"

#include <cstring>
#include <iostream>
#include <string>

namespace {

// Registers of every width a form's operands take; bit-size registers go with any type of
// their size, as in nvcc's PTX.
constexpr const char* kPrologue = ".version 9.0\n.target sm_90\n.address_size 64\n"
                                  ".visible .entry form()\n{\n"
                                  ".reg .b16 %h<40>; .reg .b32 %r<40>; .reg .b64 %rd<40>; "
                                  ".reg .pred %p<8>;\n";

bool accepted(const std::string& body, llvm::LLVMContext& context) {
  auto module = drawbridge::ptx::parse(kPrologue + body + "\nret;\n}\n");
  if (!module)
    return false;
  auto ir = drawbridge::ptx::lower(*module, context);
  return ir && !drawbridge::ptx::verify(**ir);
}

} // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--opcodes") == 0) {
    for (const auto& [opcode, handler] : drawbridge::ptx::nvvm::registry())
      std::cout << opcode << "\n";
    return 0;
  }
  llvm::LLVMContext context;
  std::string line;
  while (std::getline(std::cin, line)) {
    size_t tab = line.find('\t');
    if (tab == std::string::npos) {
      std::cerr << "ptx_forms_accepted: expected NAME<TAB>BODY, got: " << line << "\n";
      return 2;
    }
    if (accepted(line.substr(tab + 1), context))
      std::cout << line.substr(0, tab) << "\n";
  }
  return 0;
}

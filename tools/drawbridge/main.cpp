#include "Command.h"

#include <llvm/Support/InitLLVM.h>
#include <llvm/Support/WithColor.h>
#include <llvm/Support/raw_ostream.h>
#include <vector>

namespace drawbridge::cli {
namespace {
std::vector<Command>& commands() {
  static std::vector<Command> registered;
  return registered;
}
} // namespace

bool registerCommand(llvm::cl::SubCommand& subcommand, std::function<int()> run) {
  commands().push_back({&subcommand, std::move(run)});
  return true;
}

int fail(llvm::StringRef command, llvm::StringRef message) {
  llvm::WithColor::error(llvm::errs(), "drawbridge " + command.str()) << message << "\n";
  return 1;
}

} // namespace drawbridge::cli

int main(int argc, char** argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "Drawbridge: run CUDA programs on other hardware, translate CUDA to HIP, and prove it\n");
  for (const auto& command : drawbridge::cli::commands())
    if (*command.subcommand)
      return command.run();
  llvm::cl::PrintHelpMessage();
  return 2;
}

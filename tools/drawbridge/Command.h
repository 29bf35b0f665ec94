// Each `drawbridge` subcommand registers itself here; main() dispatches to the one chosen.
#pragma once

#include <functional>
#include <llvm/Support/CommandLine.h>

namespace drawbridge::cli {

struct Command {
  llvm::cl::SubCommand* subcommand;
  std::function<int()> run;
};

/// Registers a command at static-initialisation time; returns true for use as an initializer.
bool registerCommand(llvm::cl::SubCommand& subcommand, std::function<int()> run);

/// Reports a failure the way every command does ("drawbridge <cmd>: error: ..."); returns 1.
int fail(llvm::StringRef command, llvm::StringRef message);

} // namespace drawbridge::cli

// `drawbridge record [--native] [-o TRACE] PROGRAM [ARGS...]`: runs the program with
// libdrawbridge_record.so preloaded, writing one line per CUDA runtime call (result, and a
// digest of what copies brought back to the host). By default the program runs on Drawbridge's
// runtime (through `drawbridge run`); --native leaves it on NVIDIA's.
#include "Command.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Program.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace drawbridge::cli {
namespace {

namespace cl = llvm::cl;

cl::SubCommand Record("record", "Record the CUDA runtime calls a program makes");
cl::opt<std::string> Output("o", cl::desc("Trace file (default: drawbridge.trace)"),
                            cl::value_desc("file"), cl::init("drawbridge.trace"), cl::sub(Record));
cl::opt<bool> Native("native", cl::desc("Run on NVIDIA's libcudart instead of Drawbridge's"),
                     cl::sub(Record));
cl::opt<std::string> Program(cl::Positional, cl::Required, cl::desc("<program>"), cl::sub(Record));
cl::list<std::string> ProgramArgs(cl::ConsumeAfter, cl::desc("<program arguments>..."),
                                  cl::sub(Record));

int recordProgram() {
  std::string self = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  llvm::SmallString<256> library(llvm::sys::path::parent_path(llvm::sys::path::parent_path(self)));
  llvm::sys::path::append(library, "lib", "libdrawbridge_record.so");
  if (!llvm::sys::fs::exists(library))
    return fail("record", "the recorder " + library.str().str() +
                              " is missing; build Drawbridge (tools/build.sh) or reinstall it");
  llvm::SmallString<256> trace(Output.getValue());
  llvm::sys::fs::make_absolute(trace);
  ::setenv("DRAWBRIDGE_RECORD", trace.c_str(), 1);
  ::setenv("LD_PRELOAD", library.c_str(), 1);

  // Drawbridge's runtime is reached through `drawbridge run`, NVIDIA's by starting the program.
  std::vector<std::string> command;
  if (!Native)
    command = {self, "run"};
  command.push_back(Program);
  command.insert(command.end(), ProgramArgs.begin(), ProgramArgs.end());
  auto path = Native ? llvm::sys::findProgramByName(Program) : llvm::ErrorOr<std::string>(self);
  if (!path)
    return fail("record", "cannot find an executable program '" + Program + "'");
  std::vector<char*> argv;
  for (auto& word : command)
    argv.push_back(word.data());
  argv.push_back(nullptr);
  ::execv(path->c_str(), argv.data());
  return fail("record", "cannot start '" + *path + "': " + std::strerror(errno));
}

const bool registered = registerCommand(Record, recordProgram);

} // namespace
} // namespace drawbridge::cli

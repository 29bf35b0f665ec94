// `drawbridge run [options] -- PROGRAM [ARGS...]`: starts an unmodified nvcc-built program with
// Drawbridge's libcudart/libcublas ahead of NVIDIA's on the library path.
#include "Command.h"
#include "RunPreflight.h"

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

cl::SubCommand Run("run", "Run an nvcc-built program on a Drawbridge backend");
cl::opt<std::string> Backend("backend",
                             cl::desc("Backend to run on (default: $DRAWBRIDGE_BACKEND, or cpu)"),
                             cl::value_desc("cpu"), cl::sub(Run));
cl::opt<bool> Trace("trace", cl::desc("Log every CUDA API call (DRAWBRIDGE_TRACE=1)"),
                    cl::sub(Run));
cl::opt<bool> Profile("profile",
                      cl::desc("Print a per-kernel time table at exit "
                               "(DRAWBRIDGE_PROFILE=1)"),
                      cl::sub(Run));
cl::opt<std::string> CpuArithmetic(
    "cpu-arithmetic",
    cl::desc("Whose floating-point results the CPU backend gives where x86's differ: nvidia "
             "(canonical NaNs, -0 below +0, bf16 subnormals kept; the default) or host "
             "(faster, not NVIDIA's bits) (DRAWBRIDGE_CPU_ARITHMETIC)"),
    cl::value_desc("nvidia|host"), cl::sub(Run));
cl::opt<unsigned> CpuThreads("cpu-threads",
                             cl::desc("Worker threads of the CPU backend, the device's "
                                      "multiprocessors (default: the host's cores) "
                                      "(DRAWBRIDGE_CPU_THREADS)"),
                             cl::value_desc("N"), cl::sub(Run));
cl::opt<unsigned> CpuSpinMicroseconds(
    "cpu-spin-us",
    cl::desc("How long an idle CPU worker watches for the next launch before it sleeps "
             "(default 100; 0 sleeps at once) (DRAWBRIDGE_CPU_SPIN_US)"),
    cl::value_desc("microseconds"), cl::sub(Run));
cl::opt<std::string> Program(cl::Positional, cl::Required, cl::desc("<program>"), cl::sub(Run));
cl::list<std::string> ProgramArgs(cl::ConsumeAfter, cl::desc("<program arguments>..."),
                                  cl::sub(Run));

constexpr const char* kBackends[] = {"cpu"};

// Drawbridge installs its shims in ../lib beside this executable, as the build tree does too.
std::string shimDirectory() {
  std::string self = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(llvm::sys::path::parent_path(self)));
  llvm::sys::path::append(dir, "lib");
  return dir.str().str();
}

void setVariable(const char* name, const std::string& value) {
  ::setenv(name, value.c_str(), 1);
}

int runProgram() {
  std::string backend = Backend;
  if (backend.empty())
    backend = std::getenv("DRAWBRIDGE_BACKEND") ? std::getenv("DRAWBRIDGE_BACKEND") : "cpu";
  if (std::find(std::begin(kBackends), std::end(kBackends), backend) == std::end(kBackends))
    return fail("run", "unknown backend '" + backend + "'; this build of Drawbridge has: cpu");

  if (!CpuArithmetic.empty() && CpuArithmetic != "nvidia" && CpuArithmetic != "host")
    return fail("run", "--cpu-arithmetic is '" + CpuArithmetic + "': use nvidia or host");

  if (CpuThreads.getNumOccurrences() && (CpuThreads == 0 || CpuThreads > 4096))
    return fail("run", "--cpu-threads is " + std::to_string(CpuThreads) + ": use 1 to 4096");
  if (CpuSpinMicroseconds > 1'000'000)
    return fail("run",
                "--cpu-spin-us is " + std::to_string(CpuSpinMicroseconds) + ": use 0 to 1000000");

  auto path = llvm::sys::findProgramByName(Program); // a name with a '/' is taken as a path
  if (!path || !llvm::sys::fs::can_execute(*path))
    return fail("run", "cannot find an executable program '" + Program + "'");
  if (auto problem = preflightProblem(*path))
    return fail("run", *problem);

  std::string shims = shimDirectory();
  if (!llvm::sys::fs::exists(shims + "/libcudart.so.13"))
    return fail("run", "Drawbridge's libcudart.so.13 is missing from " + shims +
                           "; build Drawbridge (tools/build.sh) or reinstall it");
  const char* old = std::getenv("LD_LIBRARY_PATH");
  setVariable("LD_LIBRARY_PATH", old && *old ? shims + ":" + old : shims);
  setVariable("DRAWBRIDGE_BACKEND", backend);
  if (Trace)
    setVariable("DRAWBRIDGE_TRACE", "1");
  if (Profile)
    setVariable("DRAWBRIDGE_PROFILE", "1");
  if (!CpuArithmetic.empty())
    setVariable("DRAWBRIDGE_CPU_ARITHMETIC", CpuArithmetic);
  if (CpuThreads.getNumOccurrences())
    setVariable("DRAWBRIDGE_CPU_THREADS", std::to_string(CpuThreads));
  if (CpuSpinMicroseconds.getNumOccurrences())
    setVariable("DRAWBRIDGE_CPU_SPIN_US", std::to_string(CpuSpinMicroseconds));

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(Program.getValue().c_str()));
  for (auto& arg : ProgramArgs)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  ::execv(path->c_str(), argv.data());
  return fail("run", "cannot start '" + *path + "': " + std::strerror(errno));
}

const bool registered = registerCommand(Run, runProgram);

} // namespace
} // namespace drawbridge::cli

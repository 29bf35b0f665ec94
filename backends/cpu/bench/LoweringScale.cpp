// Seconds and peak memory of the CPU backend's compilation (lowering, O3, code generation; no
// cache) of one kernel at a time: a synthetic kernel of growing size (`barriers`
// __syncthreads, each followed by a branch that updates `values` floats, all of them live across
// every barrier), or each kernel of a real PTX module (the largest first, or those named).
// Each compilation runs in a fresh process (this program run again with --compile) that
// reports its own peak resident memory, so the figure is that compilation's alone, not the
// frontend's or this process's; a compilation past the time or memory limit is stopped.
//
// Usage: cpu_bench_lowering_scale [--max-seconds S] [--max-mib M] [values [barriers...]]
//        cpu_bench_lowering_scale [--max-seconds S] [--max-mib M] --ptx FILE.ptx [KERNEL...]
#include "BenchSupport.h"
#include "drawbridge/ptx/Lowering.h"
#include "drawbridge/ptx/Parser.h"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/Support/raw_ostream.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace drawbridge::backend;
using namespace drawbridge::backend::cpu;
using namespace drawbridge::backend::cpu::bench;

namespace {

/// NVVM IR of the kernel `big(in, out)`: thread t reads in[t*values + j], and after all the
/// barriers writes the updated values to out[t*values + j].
std::string syntheticKernel(int values, int barriers) {
  std::ostringstream ir;
  ir << "target triple = \"nvptx64-nvidia-cuda\"\n"
        "declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()\n"
        "declare void @llvm.nvvm.barrier0()\n"
        "define ptx_kernel void @big(ptr addrspace(1) %in, ptr addrspace(1) %out) {\n"
        "entry:\n"
        "  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()\n"
        "  %t = zext i32 %tid to i64\n"
     << "  %base = mul i64 %t, " << values << "\n";
  for (int j = 0; j < values; ++j)
    ir << "  %p" << j << " = getelementptr float, ptr addrspace(1) %in, i64 %base\n"
       << "  %q" << j << " = getelementptr float, ptr addrspace(1) %p" << j << ", i64 " << j << "\n"
       << "  %v0_" << j << " = load float, ptr addrspace(1) %q" << j << "\n";
  ir << "  br label %s0\n";
  for (int i = 0; i < barriers; ++i) {
    ir << "s" << i << ":\n  call void @llvm.nvvm.barrier0()\n"
       << "  %c" << i << " = icmp ult i32 %tid, " << i % 32 << "\n"
       << "  br i1 %c" << i << ", label %a" << i << ", label %j" << i << "\n"
       << "a" << i << ":\n";
    for (int j = 0; j < values; ++j)
      ir << "  %w" << i << "_" << j << " = fmul float %v" << i << "_" << j << ", 1.5\n";
    ir << "  br label %j" << i << "\nj" << i << ":\n";
    for (int j = 0; j < values; ++j)
      ir << "  %v" << i + 1 << "_" << j << " = phi float [ %w" << i << "_" << j << ", %a" << i
         << " ], [ %v" << i << "_" << j << ", %s" << i << " ]\n";
    ir << "  br label %s" << i + 1 << "\n";
  }
  ir << "s" << barriers << ":\n";
  for (int j = 0; j < values; ++j)
    ir << "  %o" << j << " = getelementptr float, ptr addrspace(1) %out, i64 %base\n"
       << "  %r" << j << " = getelementptr float, ptr addrspace(1) %o" << j << ", i64 " << j << "\n"
       << "  store float %v" << barriers << "_" << j << ", ptr addrspace(1) %r" << j << "\n";
  ir << "  ret void\n}\n";
  return ir.str();
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// This process's peak resident memory (VmHWM). Unlike getrusage's ru_maxrss, which carries
/// the parent's peak over fork and exec, it counts only what this program has touched.
double peakMiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmHWM:"))
      return std::atof(line.c_str() + 6) / 1024.0;
  return 0;
}

/// The --compile mode, in the fresh process: compiles `kernel` of the IR in `path` and prints
/// "<seconds> <peak MiB> <peak MiB before compiling>" for the parent.
int compileOne(const char* path, const char* kernel) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> ir(text.size());
  std::memcpy(ir.data(), text.data(), text.size());
  auto backend = createCpuBackend({.threads = 1, .cacheDirectory = std::filesystem::path()});
  if (!backend)
    check(backend.status(), "create backend");
  Device* device = (*backend)->device(0);
  double base = peakMiB();
  auto start = std::chrono::steady_clock::now();
  // Loading compiles only the module's variables; the kernel compiles when first asked for.
  auto module = device->loadModule(ir, kernel);
  if (!module)
    check(module.status(), "load");
  auto compiled = device->getKernel(*module, kernel);
  if (!compiled) {
    std::printf("failed: %s\n", compiled.status().message.c_str());
    return 1;
  }
  double seconds = secondsSince(start);
  std::printf("%.3f %.1f %.1f\n", seconds, peakMiB(), base);
  return 0;
}

struct Limits {
  int seconds = 600;
  long mib = 8000;
};

/// Runs `self --compile path kernel` under the limits; returns its line of output, or why it
/// stopped.
std::string compileInChild(const char* self, const std::string& path, const std::string& kernel,
                           const Limits& limits) {
  int pipeEnds[2];
  if (pipe(pipeEnds) != 0)
    return "cannot create a pipe";
  std::fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    dup2(pipeEnds[1], STDOUT_FILENO);
    close(pipeEnds[0]);
    rlimit memory{rlim_t(limits.mib) << 20, rlim_t(limits.mib) << 20};
    setrlimit(RLIMIT_AS, &memory);
    // SIGXCPU at the soft limit; the hard one only if that signal is ignored.
    rlimit cpu{rlim_t(limits.seconds), rlim_t(limits.seconds) + 10};
    setrlimit(RLIMIT_CPU, &cpu);
    execl(self, self, "--compile", path.c_str(), kernel.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  close(pipeEnds[1]);
  std::string output;
  char chunk[512];
  for (ssize_t n; (n = read(pipeEnds[0], chunk, sizeof chunk)) > 0;)
    output.append(chunk, size_t(n));
  close(pipeEnds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!output.empty() && output.back() == '\n')
    output.pop_back();
  if (WIFSIGNALED(status))
    return WTERMSIG(status) == SIGXCPU ? "stopped: over " + std::to_string(limits.seconds) + " s"
                                       : "stopped by signal " + std::to_string(WTERMSIG(status)) +
                                             " (over " + std::to_string(limits.mib) + " MiB?)";
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return output.empty() ? "failed (out of memory under " + std::to_string(limits.mib) + " MiB?)"
                          : output;
  return output;
}

/// A temporary file holding `bytes`, removed when this goes.
struct TemporaryFile {
  std::string path;
  explicit TemporaryFile(std::string_view bytes) {
    char name[] = "/tmp/drawbridge-lowering-scale-XXXXXX";
    int fd = mkstemp(name);
    path = name;
    for (size_t done = 0; fd >= 0 && done < bytes.size();) {
      ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0)
        break;
      done += size_t(n);
    }
    close(fd);
  }
  ~TemporaryFile() { std::filesystem::remove(path); }
};

/// Prints "seconds peak base": the base is the fresh process's memory before it compiled.
void printResult(const std::string& result) {
  double seconds = 0, peak = 0, base = 0;
  if (std::sscanf(result.c_str(), "%lf %lf %lf", &seconds, &peak, &base) == 3)
    std::printf(" %10.3f %10.1f %10.1f", seconds, peak, base);
  else
    std::printf("  %s", result.c_str());
}

void measure(const char* self, int values, int barriers, const Limits& limits) {
  std::string text = syntheticKernel(values, barriers);
  TemporaryFile ir(text);
  std::string result = compileInChild(self, ir.path, "big", limits);
  std::printf("  %8d %6d %10zu", barriers, values, text.size());
  printResult(result);
  std::printf("\n");
  std::fflush(stdout);
}

/// The PTX frontend's module with only `kernel` left as a kernel: the others become internal
/// functions that nothing calls, and LLVM drops them when the module is written out.
std::vector<std::byte> onlyKernel(llvm::Module& ir, const std::string& kernel) {
  for (llvm::Function& f : ir)
    if (f.getCallingConv() == llvm::CallingConv::PTX_Kernel && f.getName() != kernel) {
      f.deleteBody();
      f.setCallingConv(llvm::CallingConv::C);
    }
  if (llvm::NamedMDNode* annotations = ir.getNamedMetadata("nvvm.annotations")) {
    std::vector<llvm::MDNode*> kept;
    for (llvm::MDNode* node : annotations->operands()) {
      auto* value = node->getNumOperands()
                        ? llvm::dyn_cast_or_null<llvm::ValueAsMetadata>(node->getOperand(0).get())
                        : nullptr;
      if (!value || value->getValue()->getName() == kernel)
        kept.push_back(node);
    }
    annotations->clearOperands();
    for (llvm::MDNode* node : kept)
      annotations->addOperand(node);
  }
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream out(buffer);
  llvm::WriteBitcodeToFile(ir, out);
  std::vector<std::byte> bitcode(buffer.size());
  std::memcpy(bitcode.data(), buffer.data(), buffer.size());
  return bitcode;
}

/// Each kernel of a PTX module compiled on its own. The frontend lowers the whole module once;
/// the backend's compilation of each kernel runs in a fresh process.
int measurePtx(const char* self, const std::string& path, std::vector<std::string> kernels,
               const Limits& limits) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto parsed = drawbridge::ptx::parse(text);
  if (!parsed) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), parsed.error().message.c_str());
    return 1;
  }
  if (kernels.empty()) {
    // Every kernel, the largest (most instructions) first.
    std::vector<std::pair<size_t, std::string>> sized;
    for (const auto& f : parsed->functions)
      if (f.isKernel && f.hasBody)
        sized.emplace_back(f.body.size(), f.name);
    std::sort(sized.rbegin(), sized.rend());
    for (auto& [size, name] : sized)
      kernels.push_back(name);
  }
  auto start = std::chrono::steady_clock::now();
  llvm::LLVMContext context;
  context.setDiscardValueNames(true);
  auto lowered = drawbridge::ptx::lower(*parsed, context);
  if (!lowered) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), lowered.error().message.c_str());
    return 1;
  }
  std::printf("each kernel of %s compiled on its own (no cache); the frontend took %.3f s for "
              "the module\n",
              path.c_str(), secondsSince(start));
  llvm::SmallVector<char, 0> whole;
  llvm::raw_svector_ostream wholeStream(whole);
  llvm::WriteBitcodeToFile(**lowered, wholeStream);
  std::printf("  %10s %10s %10s %10s  %s\n", "PTX stmts", "seconds", "peak MiB", "base MiB",
              "kernel");
  for (const std::string& kernel : kernels) {
    size_t statements = 0;
    for (const auto& f : parsed->functions)
      if (f.name == kernel)
        statements = f.body.size();
    // Each kernel from a fresh parse of the frontend's output: onlyKernel strips the others.
    llvm::LLVMContext copyContext;
    auto copy = llvm::parseBitcodeFile(
        llvm::MemoryBufferRef(llvm::StringRef(whole.data(), whole.size()), kernel), copyContext);
    if (!copy) {
      std::printf("  %10zu  %s: %s\n", statements, kernel.c_str(),
                  llvm::toString(copy.takeError()).c_str());
      continue;
    }
    std::vector<std::byte> bitcode = onlyKernel(**copy, kernel);
    TemporaryFile ir(
        std::string_view(reinterpret_cast<const char*>(bitcode.data()), bitcode.size()));
    std::string result = compileInChild(self, ir.path, kernel, limits);
    std::printf("  %10zu", statements);
    printResult(result);
    std::printf("  %s\n", kernel.c_str());
    std::fflush(stdout);
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string_view(argv[1]) == "--compile")
    return compileOne(argv[2], argv[3]);
  Limits limits;
  std::vector<std::string> args(argv + 1, argv + argc);
  while (args.size() >= 2 && (args[0] == "--max-seconds" || args[0] == "--max-mib")) {
    if (args[0] == "--max-seconds")
      limits.seconds = std::atoi(args[1].c_str());
    else
      limits.mib = std::atol(args[1].c_str());
    args.erase(args.begin(), args.begin() + 2);
  }
  if (args.size() >= 2 && args[0] == "--ptx")
    return measurePtx(argv[0], args[1], std::vector<std::string>(args.begin() + 2, args.end()),
                      limits);
  int values = !args.empty() ? std::atoi(args[0].c_str()) : 16;
  std::vector<int> sizes;
  for (size_t i = 1; i < args.size(); ++i)
    sizes.push_back(std::atoi(args[i].c_str()));
  if (sizes.empty())
    sizes = {32, 64, 128, 256, 512, 1024};
  std::printf("compilation of one kernel with N barriers and M values live across each (no "
              "cache)\n");
  std::printf("  %8s %6s %10s %10s %10s %10s\n", "N", "M", "IR bytes", "seconds", "peak MiB",
              "base MiB");
  for (int barriers : sizes)
    measure(argv[0], values, barriers, limits);
  return 0;
}

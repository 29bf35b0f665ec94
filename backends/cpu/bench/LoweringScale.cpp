// Seconds and peak memory to load (lower and compile, no cache) one synthetic kernel of growing
// size: `barriers` __syncthreads, each followed by a branch that updates `values` floats, all of
// them live across every barrier; or, with --ptx, each kernel of a real PTX module on its own
// (the largest first, or those named). Each kernel runs in a forked child, so its peak resident
// memory is its own. Usage: cpu_bench_lowering_scale [values [barriers...]]
//                           cpu_bench_lowering_scale --ptx FILE.ptx [KERNEL...]
#include "BenchSupport.h"
#include "drawbridge/ptx/Lowering.h"
#include "drawbridge/ptx/Parser.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
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

/// Loads the kernel in a child process; prints seconds and the child's peak resident memory.
void measure(int values, int barriers) {
  std::fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    std::string text = syntheticKernel(values, barriers);
    std::vector<std::byte> ir(text.size());
    std::memcpy(ir.data(), text.data(), text.size());
    auto backend = createCpuBackend({.threads = 1, .cacheDirectory = std::filesystem::path()});
    if (!backend)
      check(backend.status(), "create backend");
    Device* device = (*backend)->device(0);
    auto start = std::chrono::steady_clock::now();
    auto module = device->loadModule(ir, "big");
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!module)
      check(module.status(), "load");
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("  %8d %6d %10zu %10.3f %10.1f\n", barriers, values, text.size(), seconds,
                double(usage.ru_maxrss) / 1024.0);
    std::fflush(stdout);
    std::_Exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    std::printf("  %8d %6d  failed\n", barriers, values);
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Runs `body` in a child process, which prints its own line; reports a child that failed.
template <typename Body> void inChild(const std::string& what, Body body) {
  std::fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    body();
    std::fflush(stdout);
    std::_Exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    std::printf("  %s failed\n", what.c_str());
}

double peakMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;
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

/// Each kernel of a PTX module loaded on its own: the frontend's parse and lowering of the whole
/// module, then the CPU backend's lowering and compilation of the one kernel.
int measurePtx(const std::string& path, std::vector<std::string> kernels) {
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
  std::printf("load of each kernel of %s on its own (no cache)\n", path.c_str());
  std::printf("  %10s %10s %10s %10s  %s\n", "PTX stmts", "frontend", "backend", "peak MiB",
              "kernel");
  for (const std::string& kernel : kernels)
    inChild(kernel, [&] {
      size_t statements = 0;
      for (const auto& f : parsed->functions)
        if (f.name == kernel)
          statements = f.body.size();
      auto start = std::chrono::steady_clock::now();
      llvm::LLVMContext context;
      context.setDiscardValueNames(true);
      auto lowered = drawbridge::ptx::lower(*parsed, context);
      if (!lowered) {
        std::printf("  %s: %s\n", kernel.c_str(), lowered.error().message.c_str());
        return;
      }
      double frontend = secondsSince(start);
      std::vector<std::byte> bitcode = onlyKernel(**lowered, kernel);
      auto backend = createCpuBackend({.threads = 1, .cacheDirectory = std::filesystem::path()});
      if (!backend)
        check(backend.status(), "create backend");
      start = std::chrono::steady_clock::now();
      auto module = (*backend)->device(0)->loadModule(bitcode, kernel);
      double seconds = secondsSince(start);
      if (!module) {
        std::printf("  %s: %s\n", kernel.c_str(), module.status().message.c_str());
        return;
      }
      std::printf("  %10zu %10.3f %10.3f %10.1f  %s\n", statements, frontend, seconds, peakMiB(),
                  kernel.c_str());
    });
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc > 2 && std::string_view(argv[1]) == "--ptx")
    return measurePtx(argv[2], std::vector<std::string>(argv + 3, argv + argc));
  int values = argc > 1 ? std::atoi(argv[1]) : 16;
  std::vector<int> sizes;
  for (int i = 2; i < argc; ++i)
    sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty())
    sizes = {32, 64, 128, 256, 512, 1024};
  std::printf("load of one kernel with N barriers and M values live across each (no cache)\n");
  std::printf("  %8s %6s %10s %10s %10s\n", "N", "M", "IR bytes", "seconds", "peak MiB");
  for (int barriers : sizes)
    measure(values, barriers);
  return 0;
}

// Seconds and peak memory to load (lower and compile, no cache) one synthetic kernel of growing
// size: `barriers` __syncthreads, each followed by a branch that updates `values` floats, all of
// them live across every barrier. Each size runs in a forked child, so its peak resident memory
// is its own. Usage: cpu_bench_lowering_scale [values [barriers...]]
#include "BenchSupport.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
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

} // namespace

int main(int argc, char** argv) {
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

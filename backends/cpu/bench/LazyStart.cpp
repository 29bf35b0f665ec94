// Start-up of a program with many kernels (issue 12): a generated PTX module of N elementwise
// kernels (default 1,000) goes through the PTX frontend, is loaded, and one kernel is launched,
// as a program that uses few of its kernels starts. Lazy loading (CUDA's default) compiles the
// launched kernel only; eager loading (CUDA_MODULE_LOADING=EAGER) compiles every kernel first.
// Each is timed with a cold disk cache (compiled and stored) and a warm one (objects read back).
#include "BenchSupport.h"
#include "drawbridge/ptx/Compile.h"

#include <bit>
#include <filesystem>
#include <unistd.h>

using namespace drawbridge;
using namespace drawbridge::backend;
using namespace drawbridge::backend::cpu;
using namespace drawbridge::backend::cpu::bench;

namespace {

std::string kernelName(int index) {
  return "scale" + std::to_string(index);
}

/// out[i] = in[i] * index * gain, with `gain` a __device__ variable every kernel reads, as
/// nvcc writes such a kernel.
std::string generatePtx(int kernels) {
  std::string text = ".version 8.0\n.target sm_80\n.address_size 64\n"
                     ".visible .global .align 4 .f32 gain = 0f3F800000;\n";
  char factor[16];
  for (int k = 0; k < kernels; ++k) {
    std::snprintf(factor, sizeof factor, "0f%08X", std::bit_cast<uint32_t>(float(k)));
    text += ".visible .entry " + kernelName(k) +
            "(.param .u64 out, .param .u64 in, .param .u32 n)\n{\n"
            "  .reg .pred %p<2>;\n  .reg .b32 %r<6>;\n  .reg .f32 %f<5>;\n  .reg .b64 %rd<8>;\n"
            "  ld.param.u64 %rd1, [out];\n  ld.param.u64 %rd2, [in];\n"
            "  ld.param.u32 %r1, [n];\n  mov.u32 %r2, %ctaid.x;\n  mov.u32 %r3, %ntid.x;\n"
            "  mov.u32 %r4, %tid.x;\n  mad.lo.s32 %r5, %r2, %r3, %r4;\n"
            "  setp.ge.s32 %p1, %r5, %r1;\n  @%p1 bra done;\n"
            "  cvta.to.global.u64 %rd3, %rd2;\n  mul.wide.s32 %rd4, %r5, 4;\n"
            "  add.s64 %rd5, %rd3, %rd4;\n  ld.global.f32 %f1, [%rd5];\n"
            "  ld.global.f32 %f2, [gain];\n  mul.f32 %f3, %f1, " +
            factor +
            ";\n  mul.f32 %f4, %f3, %f2;\n  cvta.to.global.u64 %rd6, %rd1;\n"
            "  add.s64 %rd7, %rd6, %rd4;\n  st.global.f32 [%rd7], %f4;\n"
            "done:\n  ret;\n}\n";
  }
  return text;
}

struct StartUp {
  double seconds;
  bool correct;
};

/// Module load, every kernel looked up when `eager`, then one launch of the last kernel.
StartUp startUp(std::span<const std::byte> ir, int kernels, const std::filesystem::path& cache,
                bool eager) {
  auto backend = createCpuBackend({.threads = 1, .cacheDirectory = cache});
  if (!backend)
    check(backend.status(), "create backend");
  Device* device = (*backend)->device(0);
  constexpr int n = 64;
  auto memory = device->allocate(2 * n * sizeof(float), MemoryKind::Device);
  if (!memory)
    check(memory.status(), "allocate");
  float* in = static_cast<float*>(*memory);
  float* out = in + n;
  for (int i = 0; i < n; ++i)
    in[i] = float(i);

  auto start = std::chrono::steady_clock::now();
  auto module = device->loadModule(ir, "scale kernels");
  if (!module)
    check(module.status(), "load");
  if (eager)
    for (int k = 0; k < kernels; ++k)
      if (auto kernel = device->getKernel(*module, kernelName(k)); !kernel)
        check(kernel.status(), "eager load");
  auto kernel = device->getKernel(*module, kernelName(kernels - 1));
  if (!kernel)
    check(kernel.status(), "kernel");
  int count = n;
  void* args[] = {&out, &in, &count};
  check(device->launch(*kernel, {{1}, {n}, 0}, args, nullptr), "launch");
  check(device->synchronize(), "synchronize");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  bool correct = true;
  for (int i = 0; i < n; ++i)
    correct = correct && out[i] == float(i) * float(kernels - 1);
  return {seconds, correct};
}

} // namespace

int main(int argc, char** argv) {
  int kernels = argc > 1 ? std::atoi(argv[1]) : 1000;
  if (kernels < 1)
    return 2;
  ptx::PtxSource source{"generated", generatePtx(kernels)};
  std::vector<std::byte> ir;
  double frontend = fastest(3, [&] {
    auto compiled = ptx::compileToNvvmBitcode(std::span(&source, 1));
    if (!compiled) {
      std::fprintf(stderr, "frontend: %s\n", compiled.error().message.c_str());
      std::exit(1);
    }
    ir = std::move(*compiled);
  });
  std::filesystem::path directory = std::filesystem::temp_directory_path() /
                                    ("drawbridge-bench-lazy-" + std::to_string(getpid()));
  std::printf("start-up of a %d-kernel module: load, then one launch (%zu KiB of PTX)\n", kernels,
              source.text.size() / 1024);
  std::printf("  PTX frontend (whole module)  %10.1f ms\n", frontend * 1e3);
  bool correct = true;
  for (bool eager : {false, true}) {
    std::filesystem::remove_all(directory);
    StartUp cold = startUp(ir, kernels, directory, eager);
    StartUp warm = startUp(ir, kernels, directory, eager);
    correct = correct && cold.correct && warm.correct;
    std::printf("  %-6s cold cache %10.1f ms   warm cache %8.1f ms\n", eager ? "eager" : "lazy",
                cold.seconds * 1e3, warm.seconds * 1e3);
  }
  std::filesystem::remove_all(directory);
  if (!correct)
    std::printf("WRONG RESULTS\n");
  return correct ? 0 : 1;
}

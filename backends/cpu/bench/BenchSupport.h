// Shared by the CPU backend's benchmark programs: a backend with the bench kernels loaded,
// launching, and timing.
#pragma once

#include "drawbridge/backend/cpu/CpuBackend.h"
#include "drawbridge/ptx/Compile.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace drawbridge::backend::cpu::bench {

inline void check(const Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, status.message.c_str());
    std::exit(1);
  }
}

inline std::string readKernelFile(const std::string& name) {
  std::ifstream in(std::string(DRAWBRIDGE_BENCH_KERNEL_DIR) + "/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::vector<std::byte> bytesOf(std::string_view text) {
  std::vector<std::byte> bytes(text.size());
  for (size_t i = 0; i < text.size(); ++i)
    bytes[i] = std::byte(text[i]);
  return bytes;
}

/// Which compiler made the kernels: clang (NVVM IR, as the tests' first path), or nvcc (PTX,
/// through the PTX frontend, as a program run through the shims brings them).
enum class KernelSource { Clang, Nvcc };

struct Session {
  std::unique_ptr<Backend> backend;
  Device* device = nullptr;
  Module* module = nullptr;
  Module* nvccModule = nullptr; // only where `withNvcc`

  explicit Session(const std::string& stem, CpuOptions options = {}, bool withNvcc = false) {
    auto created = createCpuBackend(options);
    if (!created)
      check(created.status(), "create backend");
    backend = std::move(*created);
    device = backend->device(0);
    module = load(bytesOf(readKernelFile(stem + ".ll")), stem);
    if (withNvcc) {
      ptx::PtxSource source{stem + ".ptx", readKernelFile(stem + ".ptx")};
      auto bitcode = ptx::compileToNvvmBitcode(std::span(&source, 1));
      if (!bitcode) {
        std::fprintf(stderr, "%s.ptx: %s\n", stem.c_str(), bitcode.error().message.c_str());
        std::exit(1);
      }
      nvccModule = load(*bitcode, stem + ".ptx");
    }
  }

  Module* load(const std::vector<std::byte>& image, const std::string& name) {
    auto loaded = device->loadModule(image, name);
    if (!loaded)
      check(loaded.status(), "load module");
    return *loaded;
  }

  Kernel* kernel(const char* name, KernelSource source = KernelSource::Clang) {
    auto found = device->getKernel(source == KernelSource::Nvcc ? nvccModule : module, name);
    if (!found)
      check(found.status(), name);
    return *found;
  }

  template <typename T> T* allocate(size_t count) {
    auto memory = device->allocate(count * sizeof(T), MemoryKind::Device);
    if (!memory)
      check(memory.status(), "allocate");
    return static_cast<T*>(*memory);
  }

  template <typename... Args>
  void launch(Kernel* kernel, Dim3 grid, Dim3 block, Stream* stream, Args... args) {
    void* pointers[] = {static_cast<void*>(&args)..., nullptr};
    check(device->launch(kernel, {grid, block, 0}, pointers, stream), "launch");
  }
};

/// Sizes of the launches of kernels/bench.cu's kernels.
struct BenchShapes {
  int triad, reduction, matrix, rows, cols, gemvRows, gemvCols;
};

/// The launch of bench.cu's kernel `name` (`kernel`) on inputs x and y with output out, as its
/// own benchmark makes it (blocks of 256 threads; the reductions' partial sums, the matmul's c and
/// each row kernel's rows in out), chosen once so that running it does no lookup; it does not
/// wait. Empty for a kernel it has no launch for.
inline std::function<void()> benchLaunch(Session& session, Kernel* kernel, const std::string& name,
                                         const BenchShapes& shape, float* x, float* y, float* out) {
  constexpr unsigned block = 256;
  auto blocks = [](int threads) { return unsigned((threads + block - 1) / block); };
  Session* s = &session;
  if (name == "triad")
    return [=] {
      s->launch(kernel, {blocks(shape.triad)}, {block}, nullptr, out, x, y, 3.0f, shape.triad);
    };
  if (name == "shared_reduce" || name == "shuffle_reduce")
    return [=] {
      s->launch(kernel, {blocks(shape.reduction)}, {block}, nullptr, x, out, shape.reduction);
    };
  if (name == "tiled_matmul")
    return [=] {
      s->launch(kernel, {unsigned(shape.matrix / 16), unsigned(shape.matrix / 16)}, {16, 16},
                nullptr, x, y, out, shape.matrix);
    };
  if (name == "softmax_rows")
    return [=] { s->launch(kernel, {unsigned(shape.rows)}, {block}, nullptr, x, out, shape.cols); };
  if (name == "rmsnorm_rows")
    return [=] {
      s->launch(kernel, {unsigned(shape.rows)}, {block}, nullptr, x, y, out, shape.cols, 1e-5f);
    };
  if (name == "gemv_warp_rows")
    return [=] {
      s->launch(kernel, {unsigned(shape.gemvRows) / (block / 32)}, {block}, nullptr, x, y, out,
                shape.gemvRows, shape.gemvCols);
    };
  return {};
}

/// Seconds of the fastest of `repeats` runs of `work`.
template <typename Work> double fastest(int repeats, Work&& work) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    work();
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

/// The C++ baseline's parallel loop: [0, n) split into one contiguous range per thread, as
/// OpenMP's static schedule does. (clang's OpenMP runtime, libomp, is not installed here, and
/// clang does not target GCC's libgomp.) body(begin, end, thread) runs each range.
template <typename Body> void parallelRanges(unsigned threads, int64_t n, Body&& body) {
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&, t] { body(n * t / threads, n * (t + 1) / threads, t); });
  for (std::thread& worker : workers)
    worker.join();
}

} // namespace drawbridge::backend::cpu::bench

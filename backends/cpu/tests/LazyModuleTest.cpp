// Lazy, per-kernel compilation: a module's kernels compile when first asked for, share the
// module's variables and device functions, and one that cannot be compiled or linked fails
// only itself.
#include "KernelFixture.h"

#include <filesystem>
#include <thread>

namespace drawbridge::backend::cpu::test {
namespace {

namespace fs = std::filesystem;

// `store` and `load` share @counter (and the device function @address_of_slot) across kernel
// modules; @uses_inline_ptx and @calls_missing cannot run on the CPU, for different reasons.
// @llvm.used names a bad kernel, as clang's lists name what must be kept: it must not drag the
// kernel into what the module loads.
const char* kModule = R"(
target triple = "nvptx64-nvidia-cuda"
declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare void @missing_function(ptr)
@counter = internal addrspace(1) global [32 x i32] zeroinitializer, align 4
@visible = addrspace(1) externally_initialized global i32 7, align 4
@llvm.used = appending global [1 x ptr] [ptr @uses_inline_ptx], section "llvm.metadata"

define internal ptr addrspace(1) @address_of_slot() {
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %slot = getelementptr [32 x i32], ptr addrspace(1) @counter, i32 0, i32 %t
  ret ptr addrspace(1) %slot
}

define ptx_kernel void @store(i32 %value) {
  %slot = call ptr addrspace(1) @address_of_slot()
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %v = add i32 %value, %t
  store i32 %v, ptr addrspace(1) %slot
  ret void
}

define ptx_kernel void @load(ptr addrspace(1) %out) {
  %slot = call ptr addrspace(1) @address_of_slot()
  %v = load i32, ptr addrspace(1) %slot
  %w = load i32, ptr addrspace(1) @visible
  %sum = add i32 %v, %w
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %to = getelementptr i32, ptr addrspace(1) %out, i32 %t
  store i32 %sum, ptr addrspace(1) %to
  ret void
}

define ptx_kernel void @uses_inline_ptx(ptr addrspace(1) %out) {
  %v = call i32 asm sideeffect "mbarrier.pending_count.b64 $0, 0;", "=r"()
  store i32 %v, ptr addrspace(1) %out
  ret void
}

define ptx_kernel void @calls_missing(ptr addrspace(1) %out) {
  call void @missing_function(ptr addrspace(1) %out)
  ret void
}
)";

std::span<const std::byte> moduleBytes() {
  return std::as_bytes(std::span(std::string_view(kModule)));
}

class LazyModuleTest : public ::testing::Test {
protected:
  void SetUp() override {
    directory = fs::temp_directory_path() /
                ("drawbridge-lazy-test-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory);
    auto created = createCpuBackend({.threads = 2, .cacheDirectory = directory});
    ASSERT_TRUE(created) << created.status().message;
    backend = std::move(*created);
    device = backend->device(0);
    auto loaded = device->loadModule(moduleBytes(), "lazy");
    ASSERT_TRUE(loaded) << loaded.status().message;
    module = *loaded;
    out = static_cast<int*>(*device->allocate(32 * sizeof(int), MemoryKind::Device));
  }
  void TearDown() override {
    backend.reset();
    fs::remove_all(directory);
  }

  size_t cacheEntries() const {
    size_t count = 0;
    for (const auto& entry : fs::directory_iterator(directory))
      count += entry.path().extension() == ".o";
    return count;
  }

  Status launch(const char* name, void* argument) {
    auto kernel = device->getKernel(module, name);
    if (!kernel)
      return kernel.status();
    void* args[] = {argument};
    if (Status status = device->launch(*kernel, {{1}, {32}, 0}, args, nullptr); !status.ok())
      return status;
    return device->synchronize();
  }

  void expectStoredThenLoaded(int value) {
    ASSERT_TRUE(launch("store", &value).ok());
    ASSERT_TRUE(launch("load", &out).ok());
    for (int i = 0; i < 32; ++i)
      EXPECT_EQ(out[i], value + i + 7) << i;
  }

  fs::path directory;
  std::unique_ptr<Backend> backend;
  Device* device = nullptr;
  Module* module = nullptr;
  int* out = nullptr;
};

TEST_F(LazyModuleTest, GoodKernelsRunBesideOnesThatCannotCompileOrLink) {
  auto inlinePtx = device->getKernel(module, "uses_inline_ptx");
  ASSERT_FALSE(inlinePtx);
  EXPECT_EQ(inlinePtx.status().code, StatusCode::InvalidSource);
  EXPECT_NE(inlinePtx.status().message.find("kernel 'uses_inline_ptx'"), std::string::npos)
      << inlinePtx.status().message;
  EXPECT_NE(inlinePtx.status().message.find("mbarrier.pending_count"), std::string::npos)
      << inlinePtx.status().message;

  auto missing = device->getKernel(module, "calls_missing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code, StatusCode::InvalidSource);
  EXPECT_NE(missing.status().message.find("kernel 'calls_missing'"), std::string::npos)
      << missing.status().message;
  EXPECT_NE(missing.status().message.find("missing_function"), std::string::npos)
      << missing.status().message;

  // The failures are not the device's: the other kernels compile, share @counter, and run.
  expectStoredThenLoaded(100);
  EXPECT_TRUE(device->synchronize().ok());
  // Asking again gives the same answer, without compiling again.
  auto again = device->getKernel(module, "uses_inline_ptx");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.status().message, inlinePtx.status().message);
  EXPECT_EQ(device->getKernel(module, "no_such_kernel").status().code, StatusCode::SymbolNotFound);
}

TEST_F(LazyModuleTest, VariablesAreThereBeforeAnyKernelCompiles) {
  auto visible = device->getGlobal(module, "visible");
  ASSERT_TRUE(visible) << visible.status().message;
  EXPECT_EQ(visible->size, sizeof(int));
  EXPECT_EQ(*static_cast<int*>(visible->address), 7);
  *static_cast<int*>(visible->address) = 1000; // cudaMemcpyToSymbol before the first launch
  int value = 5;
  ASSERT_TRUE(launch("store", &value).ok());
  ASSERT_TRUE(launch("load", &out).ok());
  EXPECT_EQ(out[3], 5 + 3 + 1000);
  EXPECT_EQ(cacheEntries(), 3u); // the globals and the two kernels launched
}

TEST_F(LazyModuleTest, CacheHoldsOnlyTheKernelsAskedForAndIsReadBack) {
  EXPECT_EQ(cacheEntries(), 1u); // the module's variables
  ASSERT_TRUE(device->getKernel(module, "store"));
  EXPECT_EQ(cacheEntries(), 2u);
  ASSERT_FALSE(device->getKernel(module, "uses_inline_ptx"));
  EXPECT_EQ(cacheEntries(), 2u);

  // A fresh process-like backend reads both back and compiles `load`, and only it.
  auto created = createCpuBackend({.threads = 2, .cacheDirectory = directory});
  ASSERT_TRUE(created);
  backend = std::move(*created);
  device = backend->device(0);
  auto loaded = device->loadModule(moduleBytes(), "lazy");
  ASSERT_TRUE(loaded);
  module = *loaded;
  out = static_cast<int*>(*device->allocate(32 * sizeof(int), MemoryKind::Device));
  expectStoredThenLoaded(40);
  EXPECT_EQ(cacheEntries(), 3u);
}

TEST_F(LazyModuleTest, KernelsCompileOnceWhenManyThreadsAskAtOnce) {
  constexpr int kThreads = 8;
  std::vector<Kernel*> found(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      auto kernel = device->getKernel(module, t % 2 ? "store" : "load");
      found[t] = kernel ? *kernel : nullptr;
    });
  for (auto& thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_NE(found[t], nullptr) << t;
    EXPECT_EQ(found[t], found[t % 2]) << "one kernel object per kernel";
  }
  EXPECT_EQ(cacheEntries(), 3u);
  expectStoredThenLoaded(9);
}

} // namespace
} // namespace drawbridge::backend::cpu::test

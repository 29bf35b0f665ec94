// NVVM IR as other producers write it (the PTX frontend, newer clang): the ptx_kernel calling
// convention instead of nvvm.annotations, and pointers in the global address space.
#include "KernelFixture.h"

#include <fstream>
#include <iterator>

namespace drawbridge::backend::cpu::test {
namespace {

const char* kModule = R"(
target triple = "nvptx64-nvidia-cuda"
declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare void @llvm.nvvm.barrier0()
@tile = internal addrspace(3) global [64 x i32] undef, align 4

define ptx_kernel void @reverse(ptr addrspace(1) %data) {
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %slot = getelementptr i32, ptr addrspace(1) %data, i32 %t
  %v = load i32, ptr addrspace(1) %slot
  %shared = getelementptr [64 x i32], ptr addrspace(3) @tile, i32 0, i32 %t
  store i32 %v, ptr addrspace(3) %shared
  call void @llvm.nvvm.barrier0()
  %mirror = sub i32 63, %t
  %from = getelementptr [64 x i32], ptr addrspace(3) @tile, i32 0, i32 %mirror
  %w = load i32, ptr addrspace(3) %from
  store i32 %w, ptr addrspace(1) %slot
  ret void
}
)";

TEST(DialectTest, PtxKernelConventionAndAddressSpacePointers) {
  auto created = createCpuBackend({.threads = 2, .cacheDirectory = std::filesystem::path()});
  ASSERT_TRUE(created);
  Device* device = (*created)->device(0);
  auto module = device->loadModule(std::as_bytes(std::span(std::string_view(kModule))), "dialect");
  ASSERT_TRUE(module) << module.status().message;
  auto kernel = device->getKernel(*module, "reverse");
  ASSERT_TRUE(kernel);
  int* data = static_cast<int*>(*device->allocate(64 * sizeof(int), MemoryKind::Managed));
  for (int i = 0; i < 64; ++i)
    data[i] = i * i;
  void* args[] = {&data};
  ASSERT_TRUE(device->launch(*kernel, {{1}, {64}, 0}, args, nullptr).ok());
  ASSERT_TRUE(device->synchronize().ok());
  for (int i = 0; i < 64; ++i)
    EXPECT_EQ(data[i], (63 - i) * (63 - i)) << i;
  EXPECT_TRUE(device->free(data).ok());
}

TEST(DialectTest, BitcodeLoadsLikeText) {
  auto created = createCpuBackend({.threads = 2, .cacheDirectory = std::filesystem::path()});
  ASSERT_TRUE(created);
  Device* device = (*created)->device(0);
  std::ifstream in(std::string(DRAWBRIDGE_KERNEL_DIR) + "/basic.bc", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 4u);
  ASSERT_EQ(std::string(bytes.data(), 2), "BC"); // really bitcode
  auto module = device->loadModule(std::as_bytes(std::span(bytes)), "basic.bc");
  ASSERT_TRUE(module) << module.status().message;
  auto kernel = device->getKernel(*module, "guard_less");
  ASSERT_TRUE(kernel);
  int* out = static_cast<int*>(*device->allocate(64 * sizeof(int), MemoryKind::Device));
  ASSERT_TRUE(device->fill(out, 0, 64 * sizeof(int), nullptr, false).ok());
  int n = 40;
  void* args[] = {&out, &n};
  ASSERT_TRUE(device->launch(*kernel, {{2}, {32}, 0}, args, nullptr).ok());
  ASSERT_TRUE(device->synchronize().ok());
  for (int i = 0; i < 64; ++i)
    EXPECT_EQ(out[i] == 1, i < n) << i;
}

} // namespace
} // namespace drawbridge::backend::cpu::test

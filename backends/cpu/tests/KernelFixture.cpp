#include "KernelFixture.h"

#include "drawbridge/ptx/Compile.h"

#include <cstring>
#include <fstream>
#include <iterator>

namespace drawbridge::backend::cpu::test {

std::vector<std::byte> readKernelModule(const std::string& stem) {
  std::ifstream in(std::string(DRAWBRIDGE_KERNEL_DIR) + "/" + stem + ".ll", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(text.size());
  std::memcpy(bytes.data(), text.data(), text.size());
  return bytes;
}

namespace {

/// The module the kernel tests run: clang's NVVM IR for the source, or, in the nvcc build of
/// the tests, nvcc's PTX for it through the PTX frontend.
std::vector<std::byte> testModule(const std::string& stem) {
#ifdef DRAWBRIDGE_KERNELS_FROM_PTX
  std::ifstream in(std::string(DRAWBRIDGE_KERNEL_DIR) + "/" + stem + ".ptx", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.empty())
    return {};
  ptx::PtxSource source{stem + ".ptx", text};
  auto bitcode = ptx::compileToNvvmBitcode(std::span(&source, 1));
  EXPECT_TRUE(bitcode) << (bitcode ? "" : bitcode.error().message);
  return bitcode ? *bitcode : std::vector<std::byte>{};
#else
  return readKernelModule(stem);
#endif
}

} // namespace

void KernelFixture::load(const std::string& stem, CpuOptions options) {
  if (!options.cacheDirectory)
    options.cacheDirectory = std::filesystem::path(); // tests compile what they test
  auto created = createCpuBackend(options);
  ASSERT_TRUE(created) << created.status().message;
  backend = std::move(*created);
  device = backend->device(0);
  std::vector<std::byte> ir = testModule(stem);
  ASSERT_FALSE(ir.empty()) << "missing kernel module " << stem;
  auto loaded = device->loadModule(ir, stem);
  ASSERT_TRUE(loaded) << loaded.status().message;
  module = *loaded;
}

Kernel* KernelFixture::kernel(const std::string& name) {
  auto found = device->getKernel(module, name);
  EXPECT_TRUE(found) << (found ? "" : found.status().message);
  return found ? *found : nullptr;
}

} // namespace drawbridge::backend::cpu::test

#include "KernelFixture.h"

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

void KernelFixture::load(const std::string& stem, CpuOptions options) {
  if (!options.cacheDirectory)
    options.cacheDirectory = std::filesystem::path(); // tests compile what they test
  auto created = createCpuBackend(options);
  ASSERT_TRUE(created) << created.status().message;
  backend = std::move(*created);
  device = backend->device(0);
  std::vector<std::byte> ir = readKernelModule(stem);
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

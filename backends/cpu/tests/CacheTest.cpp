#include "KernelFixture.h"

#include <filesystem>
#include <fstream>

namespace drawbridge::backend::cpu::test {
namespace {

namespace fs = std::filesystem;

class CacheTest : public ::testing::Test {
protected:
  void SetUp() override {
    directory = fs::temp_directory_path() /
                ("drawbridge-cache-test-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory);
  }
  void TearDown() override { fs::remove_all(directory); }

  std::unique_ptr<Backend> backend() {
    auto created = createCpuBackend({.threads = 1, .cacheDirectory = directory});
    EXPECT_TRUE(created);
    return std::move(*created);
  }
  std::vector<fs::path> entries() {
    std::vector<fs::path> found;
    if (fs::exists(directory))
      for (const auto& entry : fs::directory_iterator(directory))
        found.push_back(entry.path());
    return found;
  }
  static std::string contents(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static void write(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }

  fs::path directory;
};

TEST_F(CacheTest, SecondLoadUsesTheStoredObject) {
  auto basic = readKernelModule("basic");
  auto errors = readKernelModule("errors");
  ASSERT_TRUE(backend()->device(0)->loadModule(basic, "basic"));
  ASSERT_EQ(entries().size(), 1u);
  fs::path basicEntry = entries()[0];
  ASSERT_TRUE(backend()->device(0)->loadModule(errors, "errors"));
  ASSERT_EQ(entries().size(), 2u);
  fs::path errorsEntry = entries()[0] == basicEntry ? entries()[1] : entries()[0];

  // Put the errors module's (valid) object under basic's key: if the cache is read, loading
  // basic now yields errors' kernels.
  write(basicEntry, contents(errorsEntry));
  auto fresh = backend();
  auto loaded = fresh->device(0)->loadModule(basic, "basic");
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(fresh->device(0)->getKernel(*loaded, "asserts"));
  EXPECT_FALSE(fresh->device(0)->getKernel(*loaded, "vector_add"));
}

TEST_F(CacheTest, CorruptEntryIsRebuiltNotLoaded) {
  auto basic = readKernelModule("basic");
  ASSERT_TRUE(backend()->device(0)->loadModule(basic, "basic"));
  ASSERT_EQ(entries().size(), 1u);
  fs::path entry = entries()[0];
  std::string good = contents(entry);
  for (size_t at : {good.size() / 2, size_t(30), good.size() - 1}) {
    std::string bad = good;
    bad[at] ^= 0x5a;
    write(entry, bad);
    auto fresh = backend();
    auto loaded = fresh->device(0)->loadModule(basic, "basic");
    ASSERT_TRUE(loaded) << "corruption at " << at;
    EXPECT_TRUE(fresh->device(0)->getKernel(*loaded, "vector_add"));
    EXPECT_EQ(contents(entry), good) << "the entry was not rewritten";
  }
  write(entry, good.substr(0, 100)); // truncated
  auto fresh = backend();
  EXPECT_TRUE(fresh->device(0)->loadModule(basic, "basic"));
  EXPECT_EQ(contents(entry), good);
}

} // namespace
} // namespace drawbridge::backend::cpu::test

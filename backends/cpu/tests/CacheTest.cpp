#include "KernelFixture.h"

#include <filesystem>
#include <fstream>
#include <set>

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
  /// The one entry made since the last call.
  fs::path added() {
    fs::path found;
    for (const fs::path& entry : entries())
      if (!known.count(entry)) {
        EXPECT_TRUE(found.empty()) << "more than one new entry";
        found = entry;
      }
    EXPECT_FALSE(found.empty()) << "no new entry";
    known.insert(found);
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
  std::set<fs::path> known;
};

TEST_F(CacheTest, SecondLoadUsesTheStoredObject) {
  auto basic = readKernelModule("basic");
  auto errors = readKernelModule("errors");
  auto first = backend();
  auto basicModule = first->device(0)->loadModule(basic, "basic");
  ASSERT_TRUE(basicModule);
  added(); // the module's variables; no kernel is compiled yet
  ASSERT_TRUE(first->device(0)->getKernel(*basicModule, "guard_less"));
  fs::path guardEntry = added();
  auto errorsModule = first->device(0)->loadModule(errors, "errors");
  ASSERT_TRUE(errorsModule);
  added();
  ASSERT_TRUE(first->device(0)->getKernel(*errorsModule, "fill"));
  fs::path fillEntry = added();

  // Put errors' `fill` (same parameters) under basic's `guard_less` key: if the cache is read,
  // basic's `guard_less` now is `fill`.
  write(guardEntry, contents(fillEntry));
  auto fresh = backend();
  auto loaded = fresh->device(0)->loadModule(basic, "basic");
  ASSERT_TRUE(loaded);
  auto kernel = fresh->device(0)->getKernel(*loaded, "guard_less");
  ASSERT_TRUE(kernel);
  EXPECT_EQ((*kernel)->info().name, "fill");
}

TEST_F(CacheTest, CorruptEntryIsRebuiltNotLoaded) {
  auto basic = readKernelModule("basic");
  auto compile = [&] {
    auto fresh = backend();
    auto loaded = fresh->device(0)->loadModule(basic, "basic");
    ASSERT_TRUE(loaded);
    EXPECT_TRUE(fresh->device(0)->getKernel(*loaded, "vector_add"));
  };
  for (bool kernelEntry : {false, true}) {
    fs::remove_all(directory);
    known.clear();
    auto first = backend();
    auto loaded = first->device(0)->loadModule(basic, "basic");
    ASSERT_TRUE(loaded);
    fs::path entry = added();
    ASSERT_TRUE(first->device(0)->getKernel(*loaded, "vector_add"));
    fs::path kernel = added();
    if (kernelEntry)
      entry = kernel;
    std::string good = contents(entry);
    for (size_t at : {good.size() / 2, size_t(30), good.size() - 1}) {
      std::string bad = good;
      bad[at] ^= 0x5a;
      write(entry, bad);
      compile();
      EXPECT_EQ(contents(entry), good) << "the entry was not rewritten, corruption at " << at;
    }
    write(entry, good.substr(0, 100)); // truncated
    compile();
    EXPECT_EQ(contents(entry), good);
  }
}

} // namespace
} // namespace drawbridge::backend::cpu::test

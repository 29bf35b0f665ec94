// Error names and strings must be NVIDIA's, character for character: programs print them and
// scripts grep for them. NVIDIA's library answers these queries without a GPU.
#include "SharedLibrary.h"

#include <cuda_runtime_api.h>
#include <fstream>
#include <gtest/gtest.h>
#include <string>

namespace drawbridge::cudart::test {
namespace {

using ErrorText = const char*(cudaError_t);

TEST(ErrorStrings, EveryCodeMatchesNvidiasRuntime) {
  SharedLibrary nvidia(NVIDIA_CUDART);
  ASSERT_TRUE(nvidia.loaded()) << nvidia.error();
  ASSERT_TRUE(shim().loaded()) << shim().error();
  auto* nvName = nvidia.symbol<ErrorText>("cudaGetErrorName");
  auto* nvString = nvidia.symbol<ErrorText>("cudaGetErrorString");
  auto* ourName = shim().symbol<ErrorText>("cudaGetErrorName");
  auto* ourString = shim().symbol<ErrorText>("cudaGetErrorString");
  ASSERT_TRUE(nvName && nvString && ourName && ourString);
  ASSERT_NE(reinterpret_cast<void*>(nvName), reinterpret_cast<void*>(ourName));

  size_t known = 0;
  for (int code = 0; code < 12000; ++code) {
    auto error = static_cast<cudaError_t>(code);
    ASSERT_STREQ(ourName(error), nvName(error)) << "code " << code;
    ASSERT_STREQ(ourString(error), nvString(error)) << "code " << code;
    known += std::string(nvName(error)) != "unrecognized error code";
  }
  EXPECT_GT(known, 100u) << "NVIDIA's runtime should know over a hundred codes";
}

TEST(ErrorStrings, ExportedWithNvidiasVersionNode) {
  ASSERT_TRUE(shim().loaded()) << shim().error();
  for (const char* name :
       {"cudaGetErrorName", "cudaGetErrorString", "cudaGetLastError", "cudaPeekAtLastError",
        "cudaRuntimeGetVersion", "cudaDriverGetVersion", "__cudaRegisterFatBinary",
        "__cudaRegisterFatBinaryEnd", "__cudaUnregisterFatBinary", "__cudaRegisterFunction",
        "__cudaRegisterVar", "__cudaRegisterManagedVar", "__cudaInitModule",
        "__cudaPushCallConfiguration", "__cudaPopCallConfiguration", "__cudaGetKernel"})
    EXPECT_NE(shim().versionedSymbol<void>(name, "libcudart.so.13"), nullptr) << name;
}

TEST(ErrorStrings, EveryNvidiaExportExistsWithItsVersionNode) {
  ASSERT_TRUE(shim().loaded()) << shim().error();
  SharedLibrary nvidia(NVIDIA_CUDART);
  ASSERT_TRUE(nvidia.loaded()) << nvidia.error();
  std::ifstream list(NVIDIA_EXPORTS);
  size_t checked = 0;
  for (std::string name; std::getline(list, name);) {
    if (name.empty() || name[0] == '#')
      continue;
    ASSERT_NE(nvidia.versionedSymbol<void>(name.c_str(), "libcudart.so.13"), nullptr)
        << name << " is in NvidiaExports.txt but not in NVIDIA's library";
    EXPECT_NE(shim().versionedSymbol<void>(name.c_str(), "libcudart.so.13"), nullptr) << name;
    ++checked;
  }
  EXPECT_GT(checked, 400u);
}

TEST(ErrorStrings, VersionsAreCuda13) {
  using Query = cudaError_t(int*);
  int runtime = 0, driver = 0;
  ASSERT_EQ(shim().symbol<Query>("cudaRuntimeGetVersion")(&runtime), cudaSuccess);
  ASSERT_EQ(shim().symbol<Query>("cudaDriverGetVersion")(&driver), cudaSuccess);
  EXPECT_EQ(runtime, CUDART_VERSION);
  EXPECT_GE(driver, runtime);
  EXPECT_EQ(shim().symbol<Query>("cudaRuntimeGetVersion")(nullptr), cudaErrorInvalidValue);
}

} // namespace
} // namespace drawbridge::cudart::test

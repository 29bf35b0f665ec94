// libcublas.so.13 and libcublasLt.so.13 as drop-ins: NVIDIA's status names and strings, and
// every NVIDIA export present under NVIDIA's version node.
#include "SharedLibrary.h"

#include <cublas_api.h>
#include <fstream>
#include <gtest/gtest.h>

namespace drawbridge::cudart::test {
namespace {

using StatusText = const char*(cublasStatus_t);

TEST(CublasAbi, StatusNamesAndStringsAreNvidias) {
  SharedLibrary nvidia(NVIDIA_CUBLAS), nvidiaLt(NVIDIA_CUBLASLT);
  SharedLibrary ours(DRAWBRIDGE_SHIM_CUBLAS), oursLt(DRAWBRIDGE_SHIM_CUBLASLT);
  ASSERT_TRUE(nvidia.loaded() && nvidiaLt.loaded()) << nvidia.error() << nvidiaLt.error();
  ASSERT_TRUE(ours.loaded() && oursLt.loaded()) << ours.error() << oursLt.error();
  const std::pair<const SharedLibrary*, const SharedLibrary*> pairs[] = {{&nvidia, &ours},
                                                                         {&nvidiaLt, &oursLt}};
  const char* names[][2] = {{"cublasGetStatusName", "cublasGetStatusString"},
                            {"cublasLtGetStatusName", "cublasLtGetStatusString"}};
  for (int lib = 0; lib < 2; ++lib)
    for (const char* function : names[lib]) {
      auto* theirs = pairs[lib].first->symbol<StatusText>(function);
      auto* mine = pairs[lib].second->symbol<StatusText>(function);
      ASSERT_TRUE(theirs && mine) << function;
      for (int code = 0; code < 64; ++code)
        EXPECT_STREQ(mine(cublasStatus_t(code)), theirs(cublasStatus_t(code)))
            << function << " " << code;
    }
}

void expectEveryExport(const char* list, const char* library, const char* node) {
  SharedLibrary ours(library);
  ASSERT_TRUE(ours.loaded()) << ours.error();
  std::ifstream names(list);
  size_t checked = 0;
  for (std::string name; std::getline(names, name);) {
    if (name.empty() || name[0] == '#')
      continue;
    EXPECT_NE(ours.versionedSymbol<void>(name.c_str(), node), nullptr) << name;
    ++checked;
  }
  EXPECT_GT(checked, 100u);
}

TEST(CublasAbi, EveryNvidiaExportExistsWithItsVersionNode) {
  expectEveryExport(NVIDIA_CUBLAS_EXPORTS, DRAWBRIDGE_SHIM_CUBLAS, "libcublas.so.13");
  expectEveryExport(NVIDIA_CUBLASLT_EXPORTS, DRAWBRIDGE_SHIM_CUBLASLT, "libcublasLt.so.13");
}

} // namespace
} // namespace drawbridge::cudart::test

// The workload's timing file, as llama-workload --timing writes it.
#include "drawbridge/runner/Runner.h"

#include <cstdio>
#include <gtest/gtest.h>
#include <llvm/Support/FileSystem.h>

namespace drawbridge::runner {
namespace {

std::string temporaryFile(const std::string& text) {
  llvm::SmallString<128> path;
  EXPECT_FALSE(llvm::sys::fs::createTemporaryFile("timing", "txt", path));
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs(text.c_str(), f);
  std::fclose(f);
  return path.str().str();
}

TEST(Timing, ReadsTheWorkloadsFigures) {
  std::string file = temporaryFile("prefill_tokens 12\nprefill_seconds 0.250000000\n"
                                   "decode_tokens 7\ndecode_seconds 0.5\n");
  auto t = readTiming(file);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->prefillTokens, 12);
  EXPECT_EQ(t->prefillSeconds, 0.25);
  EXPECT_EQ(t->decodeTokens, 7);
  EXPECT_EQ(t->decodeSeconds, 0.5);
  llvm::sys::fs::remove(file);
}

TEST(Timing, NamesWhatIsMissing) {
  std::string file = temporaryFile("prefill_tokens 12\nprefill_seconds x\n");
  auto t = readTiming(file);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("has no prefill_seconds"), std::string::npos)
      << t.error().message;
  llvm::sys::fs::remove(file);
  auto missing = readTiming(file);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot read"), std::string::npos);
}

} // namespace
} // namespace drawbridge::runner

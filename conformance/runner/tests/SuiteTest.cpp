#include "drawbridge/runner/Suite.h"

#include <gtest/gtest.h>
#include <set>

namespace drawbridge::runner {
namespace {

TEST(Suite, EveryFamilyPrecisionGemmAndSamplingOnce) {
  auto suite = standardSuite();
  EXPECT_EQ(suite.size(), 3u * 3u * 2u * 2u);
  std::set<std::string> names;
  for (const auto& w : suite)
    names.insert(w.name);
  EXPECT_EQ(names.size(), suite.size()) << "names must be unique";
  EXPECT_TRUE(names.count("mistral-bf16-cublas-top-p"));
  EXPECT_TRUE(names.count("llama3-f16-own-greedy"));
}

TEST(Suite, FilterTakesShellPatterns) {
  auto suite = standardSuite();
  auto llama3 = filterSuite(suite, "llama3-*");
  EXPECT_EQ(llama3.size(), 12u);
  for (const auto& w : llama3)
    EXPECT_EQ(w.arch, generator::Arch::Llama3);
  auto one = filterSuite(suite, "mistral-f32-own-greedy");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].gemm, Gemm::Own);
  EXPECT_EQ(one[0].sampling, compare::SamplingMode::Greedy);
  EXPECT_TRUE(filterSuite(suite, "gpt2-*").empty());
  EXPECT_EQ(filterSuite(suite, "").size(), suite.size());
}

TEST(Suite, PromptIsLongerThanMistralsWindow) {
  auto config = generator::presetConfig(generator::Arch::Mistral);
  ASSERT_GT(config.slidingWindow, 0);
  EXPECT_GT(static_cast<int64_t>(suitePrompt().size()) + kSuiteSteps, config.slidingWindow);
}

} // namespace
} // namespace drawbridge::runner

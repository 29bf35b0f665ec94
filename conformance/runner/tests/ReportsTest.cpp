// The reports from a known set of results: each format must say the same thing.
#include "drawbridge/runner/Reports.h"

#include <gtest/gtest.h>
#include <llvm/Support/JSON.h>

namespace drawbridge::runner {
namespace {

SuiteResults sample() {
  SuiteResults s;
  s.model = "generated";
  s.machine = "test-cpu";
  PathResult pass;
  pass.workload = "llama2-f32-own-greedy";
  pass.path = "cpu";
  pass.outcome = Outcome::Pass;
  pass.boundaryErrors = {0, 1e-7, 2e-7};
  pass.logitsError = 3e-7;
  pass.maxAbsError = 4e-6;
  pass.tokensMatched = 8;
  pass.steps = 8;
  pass.seconds = 2;
  pass.prefillTokensPerSecond = 30;
  pass.decodeTokensPerSecond = 4;
  PathResult fail = pass;
  fail.workload = "mistral-bf16-own-top-p";
  fail.outcome = Outcome::Fail;
  fail.reason = "step 3: token 17, reference 12";
  fail.failures = {"step 3: token 17, reference 12", "step 3 layer 1: error 0.2 > 0.06"};
  PathResult skipped;
  skipped.workload = "llama2-f32-own-greedy";
  skipped.path = "native";
  skipped.reason = "no NVIDIA driver (libcuda.so.1) on this machine";
  s.results = {pass, fail, skipped};
  return s;
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

TEST(Reports, JunitCountsAndMarksEachCase) {
  std::string xml = junitReport(sample());
  EXPECT_NE(xml.find("<testsuites name=\"drawbridge-conformance\" tests=\"3\" failures=\"1\" "
                     "skipped=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_EQ(occurrences(xml, "<testcase "), 3u);
  EXPECT_EQ(occurrences(xml, "<failure "), 1u);
  EXPECT_EQ(occurrences(xml, "<skipped "), 1u);
  EXPECT_NE(xml.find("step 3 layer 1: error 0.2 &gt; 0.06"), std::string::npos) << "escaped";
  EXPECT_NE(xml.find("<testsuite name=\"conformance.native\" tests=\"1\" failures=\"0\" "
                     "skipped=\"1\">"),
            std::string::npos);
}

TEST(Reports, JsonParsesBackWithTheSameFigures) {
  auto parsed = llvm::json::parse(jsonReport(sample()));
  ASSERT_TRUE(static_cast<bool>(parsed)) << llvm::toString(parsed.takeError());
  const auto* root = parsed->getAsObject();
  ASSERT_TRUE(root);
  EXPECT_EQ(root->getInteger("passed"), 1);
  EXPECT_EQ(root->getInteger("failed"), 1);
  EXPECT_EQ(root->getInteger("notRun"), 1);
  const auto* results = root->getArray("results");
  ASSERT_TRUE(results && results->size() == 3);
  const auto* first = (*results)[0].getAsObject();
  EXPECT_EQ(first->getString("outcome"), "pass");
  EXPECT_EQ(first->getNumber("logitsError"), 3e-7);
  EXPECT_EQ(first->getNumber("prefillTokensPerSecond"), 30.0);
  EXPECT_EQ(first->getNumber("decodeTokensPerSecond"), 4.0);
  EXPECT_EQ(first->getArray("boundaryErrors")->size(), 3u);
  const auto* third = (*results)[2].getAsObject();
  EXPECT_EQ(third->getString("outcome"), "not run");
  EXPECT_EQ(third->getString("reason"), "no NVIDIA driver (libcuda.so.1) on this machine");
}

TEST(Reports, MarkdownTableHasARowPerWorkloadAndAColumnPerPath) {
  std::string md = markdownReport(sample());
  EXPECT_NE(md.find("**1 passed, 1 failed, 1 not run**"), std::string::npos) << md;
  EXPECT_NE(md.find("| workload | cpu | native |"), std::string::npos) << md;
  EXPECT_NE(md.find("| llama2-f32-own-greedy | pass: error 3.0e-07, 8/8 tokens; 2.0 s, decode 4.0 "
                    "tok/s | not run |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| mistral-bf16-own-top-p | FAIL: step 3: token 17, reference 12 |  |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- native, not run: no NVIDIA driver"), std::string::npos);
}

// The HIP path where it compiles but no AMD GPU is present, and where a package is missing: both
// are their own states, neither a pass nor a failure.
TEST(Reports, CompiledAndNotCheckableAreNeitherPassNorFailure) {
  SuiteResults s = sample();
  PathResult compiled;
  compiled.workload = "llama2-f32-own-greedy";
  compiled.path = "hip";
  compiled.outcome = Outcome::Compiled;
  compiled.reason = "compiled for gfx90a and gfx1100; not run: no AMD GPU";
  PathResult blas = compiled;
  blas.workload = "llama2-f32-cublas-greedy";
  blas.outcome = Outcome::NotCheckable;
  blas.reason = "the translation needs <hipblas.h> (hipBLAS)";
  s.results.push_back(compiled);
  s.results.push_back(blas);
  std::string md = markdownReport(s);
  EXPECT_NE(md.find("**1 passed, 1 failed, 1 compiled, not run, 1 not checkable, 1 not run**"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| workload | cpu | native | hip |"), std::string::npos) << md;
  EXPECT_NE(md.find("| not run | compiled, not run |"), std::string::npos) << md;
  EXPECT_NE(md.find("- hip, not checkable: the translation needs <hipblas.h> (hipBLAS)"),
            std::string::npos)
      << md;
  std::string xml = junitReport(s);
  EXPECT_NE(xml.find("tests=\"5\" failures=\"1\" skipped=\"3\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<skipped message=\"compiled, not run: compiled for gfx90a"),
            std::string::npos)
      << xml;
  auto parsed = llvm::json::parse(jsonReport(s));
  ASSERT_TRUE(static_cast<bool>(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ(parsed->getAsObject()->getInteger("compiled"), 1);
  EXPECT_EQ(parsed->getAsObject()->getInteger("notCheckable"), 1);
  EXPECT_EQ(occurrences(htmlReport(s), "<polyline"), 2u) << "plots only for runs";
}

TEST(Reports, HtmlIsSelfContainedWithAPlotPerRun) {
  std::string html = htmlReport(sample());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos) << "no external resources";
  EXPECT_EQ(occurrences(html, "<polyline"), 2u) << "one plot per run that ran";
  EXPECT_EQ(occurrences(html, "class=\"bad\""), 1u);
  EXPECT_NE(html.find("layer 1 2.00e-07"), std::string::npos) << "plot titles carry the values";
  EXPECT_NE(html.find("2.00 s; prefill 30.0, decode 4.0 tokens/s"), std::string::npos);
}

} // namespace
} // namespace drawbridge::runner

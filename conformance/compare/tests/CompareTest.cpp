#include "drawbridge/compare/Compare.h"

#include "drawbridge/generator/Generator.h"
#include "drawbridge/reference/Transformer.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace drawbridge;
using namespace drawbridge::compare;

namespace {

// A real reference trace of a small Mistral-style model, as the runner would have.
trace::Trace referenceTrace() {
  model::ModelConfig c = generator::presetConfig(generator::Arch::Mistral);
  c.numLayers = 2;
  model::ModelWeights w = generator::generateWeights(c, 9);
  std::vector<int32_t> prompt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  return *reference::generate(w, prompt, 4, {});
}

double largest(const std::vector<float>& v) {
  double m = 0;
  for (float x : v)
    m = std::max(m, double(std::fabs(x)));
  return m;
}

bool anyFailureMentions(const Comparison& c, const std::string& text) {
  for (const std::string& f : c.failures)
    if (f.find(text) != std::string::npos)
      return true;
  return false;
}

TEST(Compare, IdenticalTracesPassWithZeroError) {
  trace::Trace r = referenceTrace();
  for (Precision p : {Precision::F32, Precision::F16, Precision::BF16}) {
    Comparison c = compareTraces(r, r, p, TokenRule{});
    EXPECT_TRUE(c.pass);
    EXPECT_EQ(c.tokensMatched, 4u);
    EXPECT_EQ(c.steps.size(), 4u);
    EXPECT_EQ(c.logitsMaxError, 0);
    ASSERT_EQ(c.boundaryMaxError.size(), 3u);
    EXPECT_EQ(c.boundaryMaxError[2], 0);
  }
}

TEST(Compare, ActivationErrorsAreJudgedAgainstTheTensorScale) {
  trace::Trace r = referenceTrace();
  for (Precision p : {Precision::F32, Precision::F16, Precision::BF16}) {
    double tolerance = toleranceFor(p).activations;
    std::vector<float>& target = r.steps[1].boundaries[1];
    double scale = largest(target);
    trace::Trace within = r, beyond = r;
    within.steps[1].boundaries[1][3] += float(0.5 * tolerance * scale);
    beyond.steps[1].boundaries[1][3] += float(2 * tolerance * scale);
    Comparison good = compareTraces(within, r, p, TokenRule{});
    EXPECT_TRUE(good.pass);
    EXPECT_NEAR(good.boundaryMaxError[1], 0.5 * tolerance, 0.01 * tolerance);
    EXPECT_EQ(good.boundaryMaxError[2], 0);
    Comparison bad = compareTraces(beyond, r, p, TokenRule{});
    EXPECT_FALSE(bad.pass);
    EXPECT_TRUE(anyFailureMentions(bad, "step 1: layer 0 output")) << bad.failures.at(0);
    EXPECT_FALSE(bad.steps[1].boundaries[1].pass);
    EXPECT_TRUE(bad.steps[1].boundaries[0].pass);
  }
  EXPECT_LT(toleranceFor(Precision::F32).logits, toleranceFor(Precision::F16).logits);
  EXPECT_LT(toleranceFor(Precision::F16).logits, toleranceFor(Precision::BF16).logits);
}

TEST(Compare, NonFiniteValuesAndLogitErrorsFail) {
  trace::Trace r = referenceTrace(), c = r;
  c.steps[0].boundaries[0][0] = NAN;
  Comparison nan = compareTraces(c, r, Precision::BF16, TokenRule{});
  EXPECT_FALSE(nan.pass);
  EXPECT_TRUE(anyFailureMentions(nan, "step 0: embedding output"));
  EXPECT_TRUE(anyFailureMentions(nan, "not finite"));
  c = r;
  c.steps[2].logits[5] += float(0.1 * largest(r.steps[2].logits));
  Comparison logits = compareTraces(c, r, Precision::F16, TokenRule{});
  EXPECT_FALSE(logits.pass);
  EXPECT_TRUE(anyFailureMentions(logits, "step 2: logits"));
}

// Sets the logit of `token` to `gap` below the largest of step `s`, the largest staying first.
void runnerUp(trace::Trace& t, size_t s, int32_t token, double gap) {
  std::vector<float>& logits = t.steps[s].logits;
  logits[static_cast<size_t>(token)] = float(logits[static_cast<size_t>(t.steps[s].token)] - gap);
}

TEST(Compare, Fp32GreedyTokensMustMatchExactly) {
  trace::Trace r = referenceTrace(), c = r;
  int32_t other = r.steps[1].token == 0 ? 1 : 0;
  runnerUp(r, 1, other, 1e-6); // even a near tie in the reference is no excuse in fp32
  c.steps[1] = r.steps[1];
  c.steps[1].token = other;
  Comparison result = compareTraces(c, r, Precision::F32, TokenRule{});
  EXPECT_FALSE(result.pass);
  EXPECT_TRUE(anyFailureMentions(result, "step 1: token"));
  EXPECT_EQ(result.tokensMatched, 3u);
  EXPECT_EQ(result.steps.size(), 4u) << "the reference follows the run: every step is compared";
}

TEST(Compare, HalfPrecisionGreedyAllowsTokensWithinTwiceTheLogitsTolerance) {
  trace::Trace r = referenceTrace();
  int32_t other = r.steps[1].token == 0 ? 1 : 0;
  double slack = toleranceFor(Precision::F16).logits * largest(r.steps[1].logits);
  for (double gap : {1.5 * slack, 2.5 * slack}) {
    trace::Trace reference = r;
    runnerUp(reference, 1, other, gap);
    trace::Trace candidate = reference;
    candidate.steps[1].token = other;
    Comparison c = compareTraces(candidate, reference, Precision::F16, TokenRule{});
    if (gap < 2 * slack) {
      EXPECT_TRUE(c.pass) << (c.failures.empty() ? "" : c.failures[0]);
      EXPECT_TRUE(c.steps.at(1).forgiven);
      EXPECT_EQ(c.tokensMatched, 3u);
      EXPECT_EQ(c.tokensForgiven, 1u);
    } else {
      EXPECT_FALSE(c.pass);
      EXPECT_TRUE(anyFailureMentions(c, "step 1: token"));
    }
  }
}

// A top-p run that drew other uniforms than the seed gives chooses tokens the rule does not allow;
// with the right seed the same comparison passes.
TEST(Compare, TopPChecksEveryTokenAgainstTheSeedsUniforms) {
  model::ModelConfig config = generator::presetConfig(generator::Arch::Llama2);
  config.numLayers = 1;
  model::ModelWeights w = generator::generateWeights(config, 3);
  std::vector<int32_t> prompt = {5, 6, 7};
  reference::Sampling mine{reference::Sampling::Mode::TopP, 0.9, 77};
  reference::Sampling other{reference::Sampling::Mode::TopP, 0.9, 78};
  trace::Trace run = *reference::generate(w, prompt, 8, other);
  trace::Trace replayed = *reference::generate(w, prompt, 8, mine, run.tokens());
  for (Precision p : {Precision::F32, Precision::BF16}) {
    Comparison wrongSeed = compareTraces(run, replayed, p, {SamplingMode::TopP, 0.9, 77});
    EXPECT_FALSE(wrongSeed.pass);
    EXPECT_TRUE(anyFailureMentions(wrongSeed, "is not a choice within tolerance"));
    EXPECT_EQ(wrongSeed.steps.size(), 8u);
  }
  trace::Trace faithful = *reference::generate(w, prompt, 8, other, run.tokens());
  Comparison right = compareTraces(run, faithful, Precision::F32, {SamplingMode::TopP, 0.9, 78});
  EXPECT_TRUE(right.pass);
  EXPECT_EQ(right.tokensMatched, 8u);
}

TEST(Compare, StructuralMismatchesAreReported) {
  trace::Trace r = referenceTrace(), c = r;
  c.steps.pop_back();
  Comparison steps = compareTraces(c, r, Precision::F32, TokenRule{});
  EXPECT_FALSE(steps.pass);
  EXPECT_TRUE(
      anyFailureMentions(steps, "step count differs: 3 in the candidate, 4 in the reference"));
  c = r;
  c.steps[2].firstPosition += 1;
  EXPECT_TRUE(
      anyFailureMentions(compareTraces(c, r, Precision::F32, TokenRule{}), "step 2: tokens"));
  c = r;
  c.steps[3].logits.pop_back();
  EXPECT_TRUE(anyFailureMentions(compareTraces(c, r, Precision::F32, TokenRule{}),
                                 "step 3: tensor sizes differ"));
  c = r;
  c.hidden += 1;
  EXPECT_TRUE(
      anyFailureMentions(compareTraces(c, r, Precision::F32, TokenRule{}), "hidden size differs"));
  EXPECT_EQ(parsePrecision("bf16"), Precision::BF16);
  EXPECT_FALSE(parsePrecision("fp8"));
}

} // namespace

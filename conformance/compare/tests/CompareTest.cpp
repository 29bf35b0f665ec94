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
    Comparison c = compareTraces(r, r, p, SamplingMode::Greedy);
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
    Comparison good = compareTraces(within, r, p, SamplingMode::Greedy);
    EXPECT_TRUE(good.pass);
    EXPECT_NEAR(good.boundaryMaxError[1], 0.5 * tolerance, 0.01 * tolerance);
    EXPECT_EQ(good.boundaryMaxError[2], 0);
    Comparison bad = compareTraces(beyond, r, p, SamplingMode::Greedy);
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
  Comparison nan = compareTraces(c, r, Precision::BF16, SamplingMode::Greedy);
  EXPECT_FALSE(nan.pass);
  EXPECT_TRUE(anyFailureMentions(nan, "step 0: embedding output"));
  EXPECT_TRUE(anyFailureMentions(nan, "not finite"));
  c = r;
  c.steps[2].logits[5] += float(0.1 * largest(r.steps[2].logits));
  Comparison logits = compareTraces(c, r, Precision::F16, SamplingMode::Greedy);
  EXPECT_FALSE(logits.pass);
  EXPECT_TRUE(anyFailureMentions(logits, "step 2: logits"));
}

TEST(Compare, Fp32GreedyTokensMustMatchExactly) {
  trace::Trace r = referenceTrace(), c = r;
  r.steps[1].margin = 0; // even an exact tie in the reference is no excuse in fp32
  c.steps[1].token = r.steps[1].token + 1;
  Comparison result = compareTraces(c, r, Precision::F32, SamplingMode::Greedy);
  EXPECT_FALSE(result.pass);
  EXPECT_TRUE(anyFailureMentions(result, "step 1: token"));
  EXPECT_EQ(result.tokensMatched, 1u);
}

TEST(Compare, HalfPrecisionForgivesDivergenceOnlyAtNearTies) {
  trace::Trace r = referenceTrace();
  double threshold = toleranceFor(Precision::F16).logits * largest(r.steps[1].logits);
  trace::Trace c = r;
  c.steps[1].token = r.steps[1].token + 1;
  // Later steps were fed another token: their contents no longer correspond and are not compared.
  c.steps[2].logits.assign(c.steps[2].logits.size(), 1e9f);
  r.steps[1].margin = float(0.5 * threshold);
  Comparison forgiven = compareTraces(c, r, Precision::F16, SamplingMode::Greedy);
  EXPECT_TRUE(forgiven.pass) << (forgiven.failures.empty() ? "" : forgiven.failures[0]);
  EXPECT_TRUE(forgiven.steps.at(1).forgiven);
  EXPECT_EQ(forgiven.steps.size(), 2u);
  EXPECT_EQ(forgiven.tokensMatched, 1u);
  r.steps[1].margin = float(2 * threshold);
  Comparison clear = compareTraces(c, r, Precision::F16, SamplingMode::Greedy);
  EXPECT_FALSE(clear.pass);
  EXPECT_TRUE(anyFailureMentions(clear, "step 1: token"));
}

TEST(Compare, TopPUsesTheProbabilityMargin) {
  trace::Trace r = referenceTrace(), c = r;
  c.steps[0].token = r.steps[0].token + 2;
  for (Precision p : {Precision::F32, Precision::BF16}) {
    r.steps[0].margin = float(0.5 * toleranceFor(p).probability);
    EXPECT_TRUE(compareTraces(c, r, p, SamplingMode::TopP).pass);
    r.steps[0].margin = float(2 * toleranceFor(p).probability);
    EXPECT_FALSE(compareTraces(c, r, p, SamplingMode::TopP).pass);
  }
}

TEST(Compare, StructuralMismatchesAreReported) {
  trace::Trace r = referenceTrace(), c = r;
  c.steps.pop_back();
  Comparison steps = compareTraces(c, r, Precision::F32, SamplingMode::Greedy);
  EXPECT_FALSE(steps.pass);
  EXPECT_TRUE(
      anyFailureMentions(steps, "step count differs: 3 in the candidate, 4 in the reference"));
  c = r;
  c.steps[2].firstPosition += 1;
  EXPECT_TRUE(anyFailureMentions(compareTraces(c, r, Precision::F32, SamplingMode::Greedy),
                                 "step 2: tokens"));
  c = r;
  c.steps[3].logits.pop_back();
  EXPECT_TRUE(anyFailureMentions(compareTraces(c, r, Precision::F32, SamplingMode::Greedy),
                                 "step 3: tensor sizes differ"));
  c = r;
  c.hidden += 1;
  EXPECT_TRUE(anyFailureMentions(compareTraces(c, r, Precision::F32, SamplingMode::Greedy),
                                 "hidden size differs"));
  EXPECT_EQ(parsePrecision("bf16"), Precision::BF16);
  EXPECT_FALSE(parsePrecision("fp8"));
}

} // namespace

#include "drawbridge/reference/Transformer.h"

#include "drawbridge/generator/Generator.h"
#include "drawbridge/reference/Ops.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace drawbridge;
using namespace drawbridge::reference;

namespace {

model::ModelConfig tinyConfig(int64_t window, bool tied) {
  model::ModelConfig c;
  c.architecture = window ? "MistralForCausalLM" : "LlamaForCausalLM";
  c.hiddenSize = 24;
  c.intermediateSize = 40;
  c.numLayers = 2;
  c.numHeads = 4;
  c.numKvHeads = window ? 2 : 4;
  c.headDim = 6;
  c.vocabSize = 50;
  c.maxPositions = 64;
  c.slidingWindow = window;
  c.tieWordEmbeddings = tied;
  c.ropeTheta = window ? 10000 : 500000;
  return c;
}

std::vector<int32_t> sequence(size_t n) {
  std::vector<int32_t> tokens;
  for (size_t i = 0; i < n; ++i)
    tokens.push_back(static_cast<int32_t>((i * 17 + 3) % 50));
  return tokens;
}

void expectNear(const std::vector<float>& a, std::span<const float> b, double tolerance) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], tolerance) << i;
}

// The KV cache (rolling, for Mistral) must give what recomputing the whole prefix gives.
void expectDecodeEqualsRecompute(const model::ModelConfig& config, size_t prompt, size_t total) {
  model::ModelWeights weights = generator::generateWeights(config, 11);
  std::vector<int32_t> tokens = sequence(total);
  Transformer incremental(weights);
  StepOutput step = incremental.forward(std::span(tokens).first(prompt));
  for (size_t t = prompt; t < total; ++t)
    step = incremental.forward(std::span(tokens).subspan(t, 1));
  Transformer whole(weights);
  StepOutput full = whole.forward(tokens);
  expectNear(step.logits, full.logits, 1e-4);
  size_t hidden = size_t(config.hiddenSize);
  for (size_t b = 0; b < full.boundaries.size(); ++b)
    expectNear(step.boundaries[b], std::span(full.boundaries[b]).last(hidden), 1e-4);
}

TEST(Transformer, DecodeWithKvCacheEqualsFullRecompute) {
  expectDecodeEqualsRecompute(tinyConfig(0, false), 5, 13);
  expectDecodeEqualsRecompute(tinyConfig(0, true), 1, 6); // a one-token prompt
  model::ModelConfig wideHeads = tinyConfig(0, false);
  wideHeads.headDim = 8; // config.json's head_dim need not be hidden_size / heads
  expectDecodeEqualsRecompute(wideHeads, 3, 7);
}

TEST(Transformer, RollingCacheEqualsFullRecomputeWithTheWindow) {
  expectDecodeEqualsRecompute(tinyConfig(4, false), 2, 14); // decode wraps the cache three times
  expectDecodeEqualsRecompute(tinyConfig(4, false), 9, 12); // prefill longer than the window
  expectDecodeEqualsRecompute(tinyConfig(4, false), 4, 5);  // the boundary itself
}

TEST(Transformer, TheWindowMatters) {
  model::ModelConfig windowed = tinyConfig(4, false), unwindowed = windowed;
  unwindowed.slidingWindow = 0;
  model::ModelWeights a = generator::generateWeights(windowed, 3);
  model::ModelWeights b = generator::generateWeights(unwindowed, 3);
  std::vector<int32_t> tokens = sequence(10);
  std::vector<float> la = Transformer(a).forward(std::span(tokens).first(4)).logits;
  std::vector<float> lb = Transformer(b).forward(std::span(tokens).first(4)).logits;
  expectNear(la, lb, 1e-6); // within the window, identical
  la = Transformer(a).forward(tokens).logits;
  lb = Transformer(b).forward(tokens).logits;
  double difference = 0;
  for (size_t i = 0; i < la.size(); ++i)
    difference = std::max(difference, double(std::fabs(la[i] - lb[i])));
  EXPECT_GT(difference, 1e-3);
}

TEST(Transformer, OneLayerMatchesTheOpsComposedByHand) {
  model::ModelConfig c = tinyConfig(0, false);
  c.numLayers = 1;
  model::ModelWeights w = generator::generateWeights(c, 5);
  std::vector<int32_t> tokens = {7};
  StepOutput out = Transformer(w).forward(tokens);
  // At position 0 RoPE is the identity and attention over one key returns its value.
  std::vector<float> h = embed(w.embed, tokens);
  std::vector<float> v =
      linear(rmsNorm(h, w.layers[0].inputNorm.values, c.rmsNormEps), w.layers[0].v);
  addInPlace(h, linear(v, w.layers[0].o));
  std::vector<float> n = rmsNorm(h, w.layers[0].postNorm.values, c.rmsNormEps);
  addInPlace(
      h, linear(swiglu(linear(n, w.layers[0].gate), linear(n, w.layers[0].up)), w.layers[0].down));
  expectNear(out.boundaries[1], h, 1e-5);
  expectNear(out.logits, linear(rmsNorm(h, w.norm.values, c.rmsNormEps), w.lmHead), 1e-5);
}

TEST(Generate, GreedyFollowsArgmaxAndFeedsTokensBack) {
  model::ModelWeights w = generator::generateWeights(tinyConfig(4, true), 2);
  std::vector<int32_t> prompt = sequence(6);
  auto run = generate(w, prompt, 5, {});
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->steps.size(), 5u);
  EXPECT_EQ(run->boundaryCount, 3u);
  EXPECT_EQ(run->steps[0].tokenCount, 6u);
  EXPECT_EQ(run->steps[0].boundaries[2].size(), 6u * 24);
  Transformer replay(w);
  std::vector<int32_t> input = prompt;
  for (size_t s = 0; s < 5; ++s) {
    const trace::StepTrace& step = run->steps[s];
    EXPECT_EQ(step.firstPosition, s == 0 ? 0u : 5 + s);
    EXPECT_EQ(step.token, greedy(step.logits).token);
    EXPECT_EQ(replay.forward(input).logits, step.logits);
    input.assign(1, step.token);
  }
}

TEST(Generate, TopPIsReproducibleAndSeeded) {
  model::ModelWeights w = generator::generateWeights(tinyConfig(0, false), 2);
  std::vector<int32_t> prompt = sequence(3);
  Sampling s{Sampling::Mode::TopP, 0.95, 123};
  auto a = generate(w, prompt, 12, s), b = generate(w, prompt, 12, s);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->tokens(), b->tokens());
  bool differs = false;
  for (uint64_t seed = 1; seed < 6 && !differs; ++seed)
    differs = generate(w, prompt, 12, {Sampling::Mode::TopP, 0.95, seed})->tokens() != a->tokens();
  EXPECT_TRUE(differs);
}

TEST(Generate, RejectsBadRequests) {
  model::ModelWeights w = generator::generateWeights(tinyConfig(0, false), 2);
  std::vector<int32_t> outside = {50};
  EXPECT_FALSE(generate(w, outside, 1, {}));
  EXPECT_FALSE(generate(w, {}, 1, {}));
  std::vector<int32_t> prompt = {1};
  EXPECT_FALSE(generate(w, prompt, 65, {}));
  EXPECT_TRUE(generate(w, prompt, 64, {}));
}

} // namespace

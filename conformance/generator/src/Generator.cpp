#include "drawbridge/generator/Generator.h"

#include "drawbridge/model/SplitMix64.h"

#include <cmath>

namespace drawbridge::generator {

using model::ModelConfig;
using model::ModelWeights;
using model::SplitMix64;
using model::Tensor;

std::optional<Arch> parseArch(std::string_view name) {
  if (name == "llama2")
    return Arch::Llama2;
  if (name == "llama3")
    return Arch::Llama3;
  if (name == "mistral")
    return Arch::Mistral;
  return std::nullopt;
}

const char* archName(Arch arch) {
  switch (arch) {
  case Arch::Llama2:
    return "llama2";
  case Arch::Llama3:
    return "llama3";
  case Arch::Mistral:
    return "mistral";
  }
  return "?";
}

ModelConfig presetConfig(Arch arch) {
  ModelConfig c;
  c.numLayers = 3;
  c.maxPositions = 256;
  c.rmsNormEps = 1e-5;
  switch (arch) {
  case Arch::Llama2: // Llama-2-7B's shape scaled down: MHA, head_dim 32, MLP width ~2.7x
    c.hiddenSize = 128;
    c.intermediateSize = 344;
    c.numHeads = 4;
    c.numKvHeads = 4;
    c.vocabSize = 512;
    c.ropeTheta = 10000;
    break;
  case Arch::Llama3: // Llama-3's 4:1 GQA and a vocabulary far larger than the model, tied as 3.2
    c.hiddenSize = 64;
    c.intermediateSize = 224;
    c.numHeads = 4;
    c.numKvHeads = 1;
    c.vocabSize = 32000;
    c.ropeTheta = 500000;
    c.tieWordEmbeddings = true;
    break;
  case Arch::Mistral: // Mistral-7B's 32:8 heads scaled to 8:2, window far below the sequence
    c.architecture = "MistralForCausalLM";
    c.hiddenSize = 128;
    c.intermediateSize = 336;
    c.numHeads = 8;
    c.numKvHeads = 2;
    c.vocabSize = 1000;
    c.ropeTheta = 10000;
    c.slidingWindow = 8;
    break;
  }
  c.headDim = c.hiddenSize / c.numHeads;
  return c;
}

namespace {

void fillNormal(Tensor& tensor, SplitMix64& rng, float mean, float std) {
  for (float& value : tensor.values)
    value = mean + std * rng.normal();
}

// Linear weights are [out, in]: the fan-in is the last dimension.
void fillLinear(Tensor& tensor, SplitMix64& rng) {
  fillNormal(tensor, rng, 0, 1 / std::sqrt(static_cast<float>(tensor.shape.back())));
}

} // namespace

ModelWeights generateWeights(const ModelConfig& config, uint64_t seed) {
  ModelWeights w = model::shapedWeights(config);
  SplitMix64 rng(seed);
  float embedStd = 1 / std::sqrt(static_cast<float>(config.hiddenSize));
  fillNormal(w.embed, rng, 0, embedStd);
  for (model::LayerWeights& layer : w.layers) {
    fillNormal(layer.inputNorm, rng, 1, 0.1f);
    for (Tensor* t : {&layer.q, &layer.k, &layer.v, &layer.o})
      fillLinear(*t, rng);
    fillNormal(layer.postNorm, rng, 1, 0.1f);
    for (Tensor* t : {&layer.gate, &layer.up, &layer.down})
      fillLinear(*t, rng);
  }
  fillNormal(w.norm, rng, 1, 0.1f);
  if (config.tieWordEmbeddings)
    w.lmHead = w.embed;
  else
    fillNormal(w.lmHead, rng, 0, embedStd);
  return w;
}

} // namespace drawbridge::generator

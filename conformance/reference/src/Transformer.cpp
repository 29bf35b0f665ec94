#include "drawbridge/reference/Transformer.h"

#include "drawbridge/reference/Ops.h"

namespace drawbridge::reference {

Transformer::Transformer(const model::ModelWeights& weights) : weights_(weights) {
  const model::ModelConfig& c = weights.config;
  // A rolling cache needs only the window; otherwise every position may be attended to.
  int64_t capacity =
      c.slidingWindow > 0 ? std::min(c.slidingWindow, c.maxPositions) : c.maxPositions;
  caches_.assign(static_cast<size_t>(c.numLayers), KvCache(capacity, c.numKvHeads * c.headDim));
}

std::vector<float> Transformer::attentionBlock(size_t layer, std::span<const float> normed,
                                               std::span<const int64_t> positions) {
  const model::ModelConfig& c = weights_.config;
  const model::LayerWeights& w = weights_.layers[layer];
  std::vector<float> q = linear(normed, w.q), k = linear(normed, w.k), v = linear(normed, w.v);
  applyRope(q, c.numHeads, c.headDim, positions, c.ropeTheta);
  applyRope(k, c.numKvHeads, c.headDim, positions, c.ropeTheta);

  // Keys visible to this step: what the cache held before it, then the step's own tokens.
  KvCache::Contents keys = caches_[layer].contents();
  keys.keys.insert(keys.keys.end(), k.begin(), k.end());
  keys.values.insert(keys.values.end(), v.begin(), v.end());
  keys.positions.insert(keys.positions.end(), positions.begin(), positions.end());
  std::vector<float> attended = attention(q, positions, keys.keys, keys.values, keys.positions,
                                          {c.numHeads, c.numKvHeads, c.headDim, c.slidingWindow});

  size_t width = static_cast<size_t>(c.numKvHeads * c.headDim);
  for (size_t t = 0; t < positions.size(); ++t)
    caches_[layer].append(std::span(k).subspan(t * width, width),
                          std::span(v).subspan(t * width, width), positions[t]);
  return linear(attended, w.o);
}

StepOutput Transformer::forward(std::span<const int32_t> tokens) {
  const model::ModelConfig& c = weights_.config;
  std::vector<int64_t> positions(tokens.size());
  for (size_t t = 0; t < tokens.size(); ++t)
    positions[t] = position_ + static_cast<int64_t>(t);
  position_ += static_cast<int64_t>(tokens.size());

  StepOutput out;
  std::vector<float> hidden = embed(weights_.embed, tokens);
  out.boundaries.push_back(hidden);
  for (size_t layer = 0; layer < weights_.layers.size(); ++layer) {
    const model::LayerWeights& w = weights_.layers[layer];
    addInPlace(hidden,
               attentionBlock(layer, rmsNorm(hidden, w.inputNorm.values, c.rmsNormEps), positions));
    std::vector<float> normed = rmsNorm(hidden, w.postNorm.values, c.rmsNormEps);
    addInPlace(hidden, linear(swiglu(linear(normed, w.gate), linear(normed, w.up)), w.down));
    out.boundaries.push_back(hidden);
  }
  std::span<const float> last =
      std::span(hidden).subspan(hidden.size() - static_cast<size_t>(c.hiddenSize));
  out.logits = linear(rmsNorm(last, weights_.norm.values, c.rmsNormEps), weights_.lmHead);
  return out;
}

} // namespace drawbridge::reference

// The checkpoint's tensor names, in the order real checkpoints list them, with the shape each must
// have under a config. Loader, writer and shapedWeights all walk this one list.
#pragma once

#include "drawbridge/model/Checkpoint.h"

#include <string>
#include <type_traits>
#include <vector>

namespace drawbridge::model {

template <typename TensorType> struct TensorSlot {
  std::string name;
  std::vector<int64_t> shape;
  TensorType* tensor;
};

/// `Weights` is ModelWeights or const ModelWeights; `weights.layers` must already hold
/// config.numLayers entries. lm_head is listed only when embeddings are untied.
template <typename Weights> auto tensorSlots(Weights& weights) {
  using TensorType = std::conditional_t<std::is_const_v<Weights>, const Tensor, Tensor>;
  const ModelConfig& c = weights.config;
  int64_t qWidth = c.numHeads * c.headDim, kvWidth = c.numKvHeads * c.headDim;
  std::vector<TensorSlot<TensorType>> slots;
  slots.push_back({"model.embed_tokens.weight", {c.vocabSize, c.hiddenSize}, &weights.embed});
  for (size_t i = 0; i < weights.layers.size(); ++i) {
    auto& layer = weights.layers[i];
    std::string prefix = "model.layers." + std::to_string(i) + ".";
    slots.push_back({prefix + "input_layernorm.weight", {c.hiddenSize}, &layer.inputNorm});
    slots.push_back({prefix + "self_attn.q_proj.weight", {qWidth, c.hiddenSize}, &layer.q});
    slots.push_back({prefix + "self_attn.k_proj.weight", {kvWidth, c.hiddenSize}, &layer.k});
    slots.push_back({prefix + "self_attn.v_proj.weight", {kvWidth, c.hiddenSize}, &layer.v});
    slots.push_back({prefix + "self_attn.o_proj.weight", {c.hiddenSize, qWidth}, &layer.o});
    slots.push_back({prefix + "post_attention_layernorm.weight", {c.hiddenSize}, &layer.postNorm});
    slots.push_back(
        {prefix + "mlp.gate_proj.weight", {c.intermediateSize, c.hiddenSize}, &layer.gate});
    slots.push_back({prefix + "mlp.up_proj.weight", {c.intermediateSize, c.hiddenSize}, &layer.up});
    slots.push_back(
        {prefix + "mlp.down_proj.weight", {c.hiddenSize, c.intermediateSize}, &layer.down});
  }
  slots.push_back({"model.norm.weight", {c.hiddenSize}, &weights.norm});
  if (!c.tieWordEmbeddings)
    slots.push_back({"lm_head.weight", {c.vocabSize, c.hiddenSize}, &weights.lmHead});
  return slots;
}

} // namespace drawbridge::model

// A Llama- or Mistral-family checkpoint directory in Hugging Face's layout: config.json plus either
// model.safetensors or shards listed by model.safetensors.index.json. Tensor names are those real
// checkpoints use; every weight is held widened to float (exact for F16 and BF16).
#pragma once

#include "drawbridge/model/Config.h"
#include "drawbridge/support/Expected.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace drawbridge::model {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> values; // row-major; linear weights are [out_features, in_features]
};

struct LayerWeights {
  Tensor inputNorm;      // model.layers.N.input_layernorm.weight
  Tensor q, k, v, o;     // model.layers.N.self_attn.{q,k,v,o}_proj.weight
  Tensor postNorm;       // model.layers.N.post_attention_layernorm.weight
  Tensor gate, up, down; // model.layers.N.mlp.{gate,up,down}_proj.weight
};

struct ModelWeights {
  ModelConfig config;
  Tensor embed; // model.embed_tokens.weight
  std::vector<LayerWeights> layers;
  Tensor norm;   // model.norm.weight
  Tensor lmHead; // lm_head.weight; a copy of embed when tie_word_embeddings is true
};

/// Reads and validates a checkpoint directory. Tensors the model does not use (rotary caches in
/// older checkpoints) are ignored; a missing tensor or a shape that disagrees with config.json is
/// an error naming the file and the tensor.
Expected<ModelWeights> loadModel(const std::string& directory);

/// A weights object with every tensor shaped as `config` says and filled with zeros.
ModelWeights shapedWeights(const ModelConfig& config);

/// Writes config.json and the tensors stored as `dtype` (config.torchDType is set to match): one
/// model.safetensors when `shards` is 1, else model-0000i-of-0000n.safetensors files and
/// model.safetensors.index.json. The same weights always give the same bytes.
std::optional<Error> writeModel(const std::string& directory, const ModelWeights& weights,
                                DType dtype, int shards = 1);

} // namespace drawbridge::model

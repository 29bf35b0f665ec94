// The fields of a Hugging Face config.json that Llama- and Mistral-family models need.
#pragma once

#include "drawbridge/model/DType.h"
#include "drawbridge/support/Expected.h"

#include <cstdint>
#include <string>

namespace drawbridge::model {

struct ModelConfig {
  std::string architecture = "LlamaForCausalLM"; // or "MistralForCausalLM"
  int64_t hiddenSize = 0;
  int64_t intermediateSize = 0;
  int64_t numLayers = 0;
  int64_t numHeads = 0;
  int64_t numKvHeads = 0; // equal to numHeads for multi-head attention
  int64_t headDim = 0;    // hidden_size / num_attention_heads unless config.json says otherwise
  int64_t vocabSize = 0;
  int64_t maxPositions = 2048;
  double rmsNormEps = 1e-5;
  double ropeTheta = 10000;
  int64_t slidingWindow = 0; // 0: attention sees the whole prefix
  bool tieWordEmbeddings = false;
  DType torchDType = DType::F32;

  bool isMistral() const { return architecture == "MistralForCausalLM"; }
};

/// Reads config.json's text; `fileName` is used in error messages. Missing optional fields take
/// Hugging Face's defaults; contradictory fields (heads not dividing, odd head_dim) are errors.
Expected<ModelConfig> parseConfig(const std::string& text, const std::string& fileName);
/// The config.json text Hugging Face's loaders accept for this model.
std::string writeConfig(const ModelConfig& config);

} // namespace drawbridge::model

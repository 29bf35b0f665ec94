// Deterministic small models of each family the suite covers, in Hugging Face's layout.
#pragma once

#include "drawbridge/model/Checkpoint.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace drawbridge::generator {

enum class Arch {
  Llama2,  // multi-head attention, rope_theta 10000, untied embeddings by default
  Llama3,  // grouped-query attention (4 query heads per KV head), rope_theta 500000, 32k vocabulary
  Mistral, // grouped-query attention with a sliding window of 8 positions
};

std::optional<Arch> parseArch(std::string_view name);
const char* archName(Arch arch);

/// The shapes of each family: several layers, the head ratios of the real models, a few MB.
/// Dimensions deliberately include sizes that are not multiples of 32.
model::ModelConfig presetConfig(Arch arch);

/// Weights for `config` drawn from SplitMix64(seed): linear weights normal with std
/// 1/sqrt(fan_in) (activations keep unit scale through every layer), embeddings with std
/// 1/sqrt(hidden_size) (tied logits stay of order one), norm weights 1 + 0.1 * normal.
model::ModelWeights generateWeights(const model::ModelConfig& config, uint64_t seed);

} // namespace drawbridge::generator

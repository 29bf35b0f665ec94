// The operations of a Llama/Mistral decoder, written plainly on the CPU as the suite's reference.
// Inputs are float; sums are accumulated in double so that the reference's own error is far below
// any tolerance it is compared with. Matrices are row-major; a batch of token vectors is
// [tokens, width].
#pragma once

#include "drawbridge/model/Checkpoint.h"

#include <cstdint>
#include <span>
#include <vector>

namespace drawbridge::reference {

/// Rows of the embedding table [vocab, hidden] for each token.
std::vector<float> embed(const model::Tensor& table, std::span<const int32_t> tokens);

/// x / sqrt(mean(x^2) + eps) * weight, for each row of x (row width = weight.size()).
std::vector<float> rmsNorm(std::span<const float> x, std::span<const float> weight, double eps);

/// x @ weight^T for each row of x, with weight [out, in] as Hugging Face stores linear layers.
std::vector<float> linear(std::span<const float> x, const model::Tensor& weight);

/// Rotary position embedding in Hugging Face's rotate_half convention, in place. x is
/// [tokens, heads, headDim]; element i of a head is paired with element i + headDim/2 and the pair
/// is rotated by positions[token] * theta^(-2i/headDim).
void applyRope(std::span<float> x, int64_t heads, int64_t headDim,
               std::span<const int64_t> positions, double theta);

/// exp(x - max) / sum, computed in double.
std::vector<float> softmax(std::span<const float> x);

/// silu(gate) * up, elementwise; silu(g) = g / (1 + exp(-g)).
std::vector<float> swiglu(std::span<const float> gate, std::span<const float> up);

/// x += y (the residual connections).
void addInPlace(std::span<float> x, std::span<const float> y);

struct AttentionShape {
  int64_t heads = 0;
  int64_t kvHeads = 0; // query head h reads KV head h / (heads / kvHeads), as repeat_kv does
  int64_t headDim = 0;
  int64_t window = 0; // 0: no window; else a query at p sees keys at p - window + 1 .. p
};

/// Scaled dot-product attention with the causal mask (a query sees keys at its position or
/// earlier) and the sliding window. q is [queries, heads, headDim]; keys and values are
/// [keys, kvHeads, headDim] in any order, each with its position. Returns [queries, heads,
/// headDim].
std::vector<float> attention(std::span<const float> q, std::span<const int64_t> queryPositions,
                             std::span<const float> keys, std::span<const float> values,
                             std::span<const int64_t> keyPositions, const AttentionShape& shape);

} // namespace drawbridge::reference

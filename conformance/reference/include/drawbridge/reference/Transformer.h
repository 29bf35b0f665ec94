// The reference decoder: a Llama/Mistral forward pass over a batch of tokens at the next
// positions, with a KV cache per layer, and generation (prefill, then decode) into a trace.
#pragma once

#include "drawbridge/model/Checkpoint.h"
#include "drawbridge/reference/KvCache.h"
#include "drawbridge/reference/Sampling.h"
#include "drawbridge/support/Expected.h"
#include "drawbridge/trace/Trace.h"

#include <span>
#include <vector>

namespace drawbridge::reference {

struct StepOutput {
  /// The residual stream of every token of the step: after the embedding, then after each layer.
  std::vector<std::vector<float>> boundaries;
  std::vector<float> logits; // of the step's last token, after the final norm and the LM head
};

class Transformer {
public:
  explicit Transformer(const model::ModelWeights& weights);

  /// Runs `tokens` at positions position() .. position() + size - 1 and caches their keys and
  /// values. A prompt may be given whole (prefill) or a token at a time (decode): the results
  /// agree. The caller keeps tokens in the vocabulary and positions below max_position_embeddings.
  StepOutput forward(std::span<const int32_t> tokens);

  int64_t position() const { return position_; }

private:
  std::vector<float> attentionBlock(size_t layer, std::span<const float> normed,
                                    std::span<const int64_t> positions);

  const model::ModelWeights& weights_;
  std::vector<KvCache> caches_;
  int64_t position_ = 0;
};

/// Prefill of `prompt` as one batch, then steps - 1 decode steps, each fed the token chosen by the
/// step before; `steps` tokens are chosen in all. Top-p draws one SplitMix64(seed).uniform() per
/// step. Each step's margin is its Choice's margin.
///
/// With `followed` (at least steps - 1 tokens), decode step s is fed followed[s - 1] instead of the
/// reference's own choice, which is still recorded: the reference replays another run's tokens, so
/// that every step of that run can be compared with the reference in the same context.
Expected<trace::Trace> generate(const model::ModelWeights& weights, std::span<const int32_t> prompt,
                                int steps, const Sampling& sampling,
                                std::span<const int32_t> followed = {});

} // namespace drawbridge::reference

#include "drawbridge/model/SplitMix64.h"
#include "drawbridge/reference/Transformer.h"

namespace drawbridge::reference {

Expected<trace::Trace> generate(const model::ModelWeights& weights, std::span<const int32_t> prompt,
                                int steps, const Sampling& sampling) {
  const model::ModelConfig& c = weights.config;
  if (prompt.empty() || steps < 1)
    return Error{"generation needs a prompt and at least one step"};
  for (int32_t token : prompt)
    if (token < 0 || token >= c.vocabSize)
      return Error{"prompt token " + std::to_string(token) + " is outside the vocabulary of " +
                   std::to_string(c.vocabSize)};
  if (static_cast<int64_t>(prompt.size()) + steps - 1 > c.maxPositions)
    return Error{"the prompt and " + std::to_string(steps) + " steps exceed " +
                 "max_position_embeddings " + std::to_string(c.maxPositions)};

  trace::Trace out;
  out.hidden = static_cast<uint32_t>(c.hiddenSize);
  out.vocab = static_cast<uint32_t>(c.vocabSize);
  out.boundaryCount = static_cast<uint32_t>(c.numLayers + 1);
  Transformer model(weights);
  model::SplitMix64 rng(sampling.seed);
  std::vector<int32_t> input(prompt.begin(), prompt.end());
  for (int step = 0; step < steps; ++step) {
    trace::StepTrace record;
    record.tokenCount = static_cast<uint32_t>(input.size());
    record.firstPosition = static_cast<uint32_t>(model.position());
    StepOutput result = model.forward(input);
    Choice choice = sampling.mode == Sampling::Mode::Greedy
                        ? greedy(result.logits)
                        : topP(result.logits, sampling.topP, rng.uniform());
    record.boundaries = std::move(result.boundaries);
    record.logits = std::move(result.logits);
    record.token = choice.token;
    record.margin = static_cast<float>(choice.margin);
    out.steps.push_back(std::move(record));
    input.assign(1, choice.token);
  }
  return out;
}

} // namespace drawbridge::reference

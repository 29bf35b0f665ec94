#include "drawbridge/model/SplitMix64.h"
#include "drawbridge/reference/Transformer.h"

namespace drawbridge::reference {

Expected<trace::Trace> generate(const model::ModelWeights& weights, std::span<const int32_t> prompt,
                                int steps, const Sampling& sampling,
                                std::span<const int32_t> followed) {
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

  if (!followed.empty()) {
    if (static_cast<int64_t>(followed.size()) < steps - 1)
      return Error{"the run to follow has " + std::to_string(followed.size()) + " tokens; " +
                   std::to_string(steps) + " steps need " + std::to_string(steps - 1)};
    for (int32_t token : followed)
      if (token < 0 || token >= c.vocabSize)
        return Error{"the run to follow chose token " + std::to_string(token) +
                     ", outside the vocabulary of " + std::to_string(c.vocabSize)};
  }

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
    bool follow = !followed.empty() && step + 1 < steps;
    input.assign(1, follow ? followed[static_cast<size_t>(step)] : choice.token);
  }
  return out;
}

} // namespace drawbridge::reference

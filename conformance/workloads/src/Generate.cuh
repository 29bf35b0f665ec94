// One recorded generation: prefill of the prompt as one batch, then decode steps with the KV
// cache, each step's activations, logits and chosen token kept for the dump.
#pragma once

#include "Decoder.cuh"
#include "Options.h"
#include "SplitMix64.h"
#include "drawbridge/trace/Trace.h"

#include <chrono>
#include <cstdio>

namespace workload {

// Wall time of the prefill step and of all decode steps; each step ends by copying its results to
// the host, so the time covers the work.
struct Timing {
  double prefillSeconds = 0;
  double decodeSeconds = 0;
};

/// Runs the prompt and `options.steps` steps on `w` (the whole model, or one rank's shard joined
/// by `allReduce`), recording what the dump holds. `config` is the whole model's.
template <typename T>
drawbridge::trace::Trace generate(const Options& options, const drawbridge::model::ModelWeights& w,
                                  const drawbridge::model::ModelConfig& c, Timing& timing,
                                  typename Decoder<T>::AllReduce allReduce = {}) {
  int promptLength = static_cast<int>(options.prompt.size());
  Decoder<T> decoder(w, options.gemm, promptLength, promptLength + options.steps - 1,
                     std::move(allReduce));
  SplitMix64 rng(options.seed);
  drawbridge::trace::Trace out;
  out.hidden = static_cast<uint32_t>(c.hiddenSize);
  out.vocab = static_cast<uint32_t>(c.vocabSize);
  out.boundaryCount = static_cast<uint32_t>(c.numLayers + 1);
  std::vector<int> input(options.prompt.begin(), options.prompt.end());
  int position = 0;
  for (int s = 0; s < options.steps; ++s) {
    auto started = std::chrono::steady_clock::now();
    StepResult result = decoder.step(input, position);
    drawbridge::trace::StepTrace record;
    record.tokenCount = static_cast<uint32_t>(input.size());
    record.firstPosition = static_cast<uint32_t>(position);
    position += static_cast<int>(input.size());
    record.token = options.sample == SampleMode::Greedy ? decoder.argmax()
                                                        : decoder.topP(options.topP, rng.uniform());
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    (s == 0 ? timing.prefillSeconds : timing.decodeSeconds) += seconds;
    record.boundaries = std::move(result.boundaries);
    record.logits = std::move(result.logits);
    out.steps.push_back(std::move(record));
    input.assign(1, out.steps.back().token);
  }
  return out;
}

/// Writes the recorded run's prefill and decode tokens and seconds for `--timing`.
inline bool writeTiming(const std::string& path, const Options& options, const Timing& timing,
                        const char* program) {
  FILE* out = std::fopen(path.c_str(), "w");
  if (!out) {
    std::fprintf(stderr, "%s: cannot write the timing file '%s'\n", program, path.c_str());
    return false;
  }
  std::fprintf(
      out, "prefill_tokens %zu\nprefill_seconds %.9f\ndecode_tokens %d\ndecode_seconds %.9f\n",
      options.prompt.size(), timing.prefillSeconds, options.steps - 1, timing.decodeSeconds);
  return std::fclose(out) == 0;
}

} // namespace workload

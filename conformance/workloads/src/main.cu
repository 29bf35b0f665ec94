// llama-workload: runs a Llama- or Mistral-family checkpoint the way inference code does (prefill
// of the prompt as one batch, then decode with the KV cache) and dumps what it computed for the
// conformance suite to compare with its CPU reference. The dump format is documented in
// conformance/trace/include/drawbridge/trace/Trace.h.
#include "Generate.cuh"
#include "Options.h"
#include "drawbridge/trace/Trace.h"

#include <cstdio>

using namespace workload;
namespace model = drawbridge::model;
namespace trace = drawbridge::trace;

namespace {} // namespace

int main(int argc, char** argv) {
  std::optional<Options> options = parseOptions(argc, argv, "llama-workload");
  if (!options)
    return 2;
  drawbridge::Expected<model::ModelWeights> weights = model::loadModel(options->model);
  if (!weights) {
    std::fprintf(stderr, "llama-workload: %s\n", weights.error().message.c_str());
    return 1;
  }
  const model::ModelConfig& c = weights->config;
  for (int32_t token : options->prompt)
    if (token >= c.vocabSize) {
      std::fprintf(stderr, "llama-workload: prompt token %d is outside the vocabulary of %lld\n",
                   token, static_cast<long long>(c.vocabSize));
      return 2;
    }
  if (static_cast<int64_t>(options->prompt.size()) + options->steps - 1 > c.maxPositions) {
    std::fprintf(stderr, "llama-workload: the prompt and %d steps exceed %lld positions\n",
                 options->steps, static_cast<long long>(c.maxPositions));
    return 2;
  }
  auto run = [&](Timing& timing) {
    switch (options->precision) {
    case Precision::F16:
      return generate<__half>(*options, *weights, weights->config, timing);
    case Precision::BF16:
      return generate<__nv_bfloat16>(*options, *weights, weights->config, timing);
    case Precision::F32:
      break;
    }
    return generate<float>(*options, *weights, weights->config, timing);
  };
  for (int i = 0; i < options->warmUp; ++i) {
    Timing untimed;
    run(untimed);
  }
  Timing timing;
  trace::Trace result = run(timing);
  if (!options->timing.empty() && !writeTiming(options->timing, *options, timing, "llama-workload"))
    return 1;
  if (std::optional<drawbridge::Error> error = trace::writeTrace(options->dump, result)) {
    std::fprintf(stderr, "llama-workload: %s\n", error->message.c_str());
    return 1;
  }
  return 0;
}

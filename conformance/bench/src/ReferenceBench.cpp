// conformance-reference-bench: prefill and decode time of the suite's CPU reference on a
// checkpoint, for conformance-bench, which builds it with -O3 -march=native and OpenMP.
// Prints the prefill and decode times (the best of three runs of each) in the format of
// llama-workload's --timing file.
#include "drawbridge/model/Checkpoint.h"
#include "drawbridge/reference/Transformer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace drawbridge;

namespace {

int usage(const char* problem) {
  std::fprintf(stderr,
               "conformance-reference-bench: %s\n"
               "usage: conformance-reference-bench --model DIR --prompt 1,2,3 --steps N\n",
               problem);
  return 2;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

int main(int argc, char** argv) {
  std::string modelDir, promptText;
  int steps = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--model")
      modelDir = argv[i + 1];
    else if (flag == "--prompt")
      promptText = argv[i + 1];
    else if (flag == "--steps")
      steps = std::atoi(argv[i + 1]);
    else
      return usage(("unknown option " + std::string(flag)).c_str());
  }
  std::vector<int32_t> prompt;
  for (size_t at = 0; at < promptText.size();) {
    size_t comma = std::min(promptText.find(',', at), promptText.size());
    prompt.push_back(std::atoi(promptText.substr(at, comma - at).c_str()));
    at = comma + 1;
  }
  if (modelDir.empty() || prompt.empty() || steps < 2)
    return usage("--model, --prompt and --steps (2 or more) are required");
  auto weights = model::loadModel(modelDir);
  if (!weights) {
    std::fprintf(stderr, "conformance-reference-bench: %s\n", weights.error().message.c_str());
    return 1;
  }
  for (int32_t token : prompt)
    if (token < 0 || token >= weights->config.vocabSize)
      return usage("a prompt token is outside the vocabulary");
  if (static_cast<int64_t>(prompt.size()) + steps > weights->config.maxPositions)
    return usage("the prompt and steps exceed the model's positions");

  double prefill = 1e30, decode = 1e30;
  for (int run = 0; run < 3; ++run) {
    reference::Transformer model(*weights);
    auto started = std::chrono::steady_clock::now();
    reference::StepOutput out = model.forward(prompt);
    prefill = std::min(prefill, secondsSince(started));
    int32_t token = reference::greedy(out.logits).token;
    started = std::chrono::steady_clock::now();
    for (int s = 1; s < steps; ++s)
      token = reference::greedy(model.forward(std::vector<int32_t>{token}).logits).token;
    decode = std::min(decode, secondsSince(started));
  }
  std::printf("prefill_tokens %zu\nprefill_seconds %.9f\ndecode_tokens %d\ndecode_seconds %.9f\n",
              prompt.size(), prefill, steps - 1, decode);
  return 0;
}

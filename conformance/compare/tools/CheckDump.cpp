// drawbridge-check-dump: runs the CPU reference for the command line a workload was given, reads
// the workload's dump and compares the two. Exit status 0 when it conforms, 1 when it does not
// (or an input cannot be read), 2 for a bad command line.
#include "Options.h"
#include "drawbridge/compare/Compare.h"
#include "drawbridge/reference/Transformer.h"

#include <cstdio>

using namespace drawbridge;

namespace {

const char* kProgram = "drawbridge-check-dump";

int failWith(const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", kProgram, message.c_str());
  return 1;
}

compare::Precision precisionOf(workload::Precision p) {
  switch (p) {
  case workload::Precision::F32:
    return compare::Precision::F32;
  case workload::Precision::F16:
    return compare::Precision::F16;
  case workload::Precision::BF16:
    return compare::Precision::BF16;
  }
  return compare::Precision::F32;
}

void printReport(const compare::Comparison& c) {
  for (size_t b = 0; b < c.boundaryMaxError.size(); ++b)
    std::printf("%-18s max normalised error %.3g\n",
                b == 0 ? "embedding" : ("layer " + std::to_string(b - 1)).c_str(),
                c.boundaryMaxError[b]);
  std::printf("%-18s max normalised error %.3g\n", "logits", c.logitsMaxError);
  std::printf("tokens matched     %zu of %zu (%zu more within tolerance)\n", c.tokensMatched,
              c.stepsTotal, c.tokensForgiven);
  for (const std::string& failure : c.failures)
    std::printf("FAIL: %s\n", failure.c_str());
  std::printf("%s\n", c.pass ? "PASS" : "FAIL");
}

} // namespace

int main(int argc, char** argv) {
  std::optional<workload::Options> options = workload::parseOptions(argc, argv, kProgram);
  if (!options)
    return 2;
  Expected<model::ModelWeights> weights = model::loadModel(options->model);
  if (!weights)
    return failWith(weights.error().message);
  bool topP = options->sample == workload::SampleMode::TopP;
  reference::Sampling sampling{topP ? reference::Sampling::Mode::TopP
                                    : reference::Sampling::Mode::Greedy,
                               options->topP, options->seed};
  Expected<trace::Trace> dump = trace::readTrace(options->dump);
  if (!dump)
    return failWith(dump.error().message);
  // The reference follows the workload's tokens, so every step is compared in the same context.
  Expected<trace::Trace> expected =
      reference::generate(*weights, options->prompt, options->steps, sampling, dump->tokens());
  if (!expected)
    return failWith(expected.error().message);
  compare::TokenRule rule{topP ? compare::SamplingMode::TopP : compare::SamplingMode::Greedy,
                          options->topP, options->seed};
  compare::Comparison result =
      compare::compareTraces(*dump, *expected, precisionOf(options->precision), rule);
  printReport(result);
  return result.pass ? 0 : 1;
}

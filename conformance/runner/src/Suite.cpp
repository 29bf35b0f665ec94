#include "drawbridge/runner/Suite.h"

#include <llvm/Support/GlobPattern.h>

namespace drawbridge::runner {

const char* precisionName(compare::Precision precision) {
  switch (precision) {
  case compare::Precision::F32:
    return "f32";
  case compare::Precision::F16:
    return "f16";
  case compare::Precision::BF16:
    return "bf16";
  }
  return "?";
}

std::vector<Workload> standardSuite() {
  std::vector<Workload> suite;
  for (auto arch : {generator::Arch::Llama2, generator::Arch::Llama3, generator::Arch::Mistral})
    for (auto precision :
         {compare::Precision::F32, compare::Precision::F16, compare::Precision::BF16})
      for (auto gemm : {Gemm::Own, Gemm::Cublas})
        for (auto sampling : {compare::SamplingMode::Greedy, compare::SamplingMode::TopP}) {
          std::string name = std::string(generator::archName(arch)) + "-" +
                             precisionName(precision) + "-" +
                             (gemm == Gemm::Own ? "own" : "cublas") + "-" +
                             (sampling == compare::SamplingMode::Greedy ? "greedy" : "top-p");
          suite.push_back({name, arch, precision, gemm, sampling});
        }
  return suite;
}

std::vector<Workload> filterSuite(const std::vector<Workload>& suite, const std::string& pattern) {
  if (pattern.empty())
    return suite;
  auto glob = llvm::GlobPattern::create(pattern);
  std::vector<Workload> kept;
  for (const auto& w : suite)
    if (glob && glob->match(w.name))
      kept.push_back(w);
  return kept;
}

std::vector<int32_t> suitePrompt() {
  return {1, 15, 42, 7, 300, 99, 3, 256, 18, 5, 77, 120};
}

} // namespace drawbridge::runner

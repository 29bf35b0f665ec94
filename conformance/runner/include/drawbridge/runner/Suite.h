// The conformance suite's workloads: each model family in each precision, with the suite's own
// GEMM kernels and with cuBLAS, decoding greedily and with top-p sampling.
#pragma once

#include "drawbridge/compare/Compare.h"
#include "drawbridge/generator/Generator.h"

#include <string>
#include <vector>

namespace drawbridge::runner {

enum class Gemm { Own, Cublas };

struct Workload {
  std::string name; // "llama3-bf16-own-top-p"
  generator::Arch arch;
  compare::Precision precision;
  Gemm gemm;
  compare::SamplingMode sampling;
};

/// Every workload, in a stable order.
std::vector<Workload> standardSuite();

/// Workloads whose names match a shell-style pattern ('*' and '?'); an empty pattern keeps all.
std::vector<Workload> filterSuite(const std::vector<Workload>& suite, const std::string& pattern);

/// The prompt and length every workload decodes: long enough to pass Mistral's window.
std::vector<int32_t> suitePrompt();
inline constexpr int kSuiteSteps = 8;
inline constexpr float kSuiteTopP = 0.9f;
inline constexpr uint64_t kSuiteSeed = 7;

const char* precisionName(compare::Precision precision);

} // namespace drawbridge::runner

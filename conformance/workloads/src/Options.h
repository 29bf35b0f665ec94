// The workload's command line (shared with the checker that compares its dump).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace workload {

enum class GemmPath { Own, Cublas };
enum class Precision { F32, F16, BF16 };
enum class SampleMode { Greedy, TopP };

struct Options {
  std::string model;
  std::vector<int32_t> prompt;
  int steps = 1;
  GemmPath gemm = GemmPath::Own;
  Precision precision = Precision::F32;
  SampleMode sample = SampleMode::Greedy;
  float topP = 0.9f;
  uint64_t seed = 0;
  std::string dump;
  /// Where to write the prefill and decode times of the recorded run.
  std::string timing;
  /// Untimed runs of the whole generation before the recorded one (start-up, module loading and
  /// compilation then fall outside the times).
  int warmUp = 0;
};

/// The options part of the usage text (after "usage: PROGRAM ").
extern const char* const kUsage;

/// Parses argv; on a bad command line prints the problem and the usage, naming `program`, to
/// stderr and returns nothing. The suite's checker takes the same command line as the workload.
std::optional<Options> parseOptions(int argc, char** argv, const char* program);

} // namespace workload

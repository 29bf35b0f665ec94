// What one run of a workload produced: the activations at every layer boundary, the logits and
// the chosen token of each step. The CUDA workloads write it as a dump file; the CPU reference
// produces it in memory; the comparison reads both.
//
// Dump file format (all integers and floats little-endian, floats IEEE binary32):
//   char[8]  magic "DBTRACE1"
//   u32      hidden size H
//   u32      vocabulary size V
//   u32      boundary count B (number of layers + 1: the embedding output, then each layer's)
//   u32      step count S
//   S times:
//     u32    token count N fed at this step (the prompt for step 0, then 1 per decode step)
//     u32    first position of those tokens
//     B x N x H f32   boundary activations, boundary-major, then token, then hidden index
//     V f32           logits for the step's last token
//     i32             the token chosen from those logits
//     f32             margin: how far the choice was from a tie (0 when the writer does not know)
//   nothing after the last step.
#pragma once

#include "drawbridge/support/Expected.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace drawbridge::trace {

inline constexpr char kMagic[8] = {'D', 'B', 'T', 'R', 'A', 'C', 'E', '1'};

struct StepTrace {
  uint32_t tokenCount = 0;
  uint32_t firstPosition = 0;
  std::vector<std::vector<float>> boundaries; // B entries of tokenCount * hidden values
  std::vector<float> logits;                  // V values
  int32_t token = -1;
  /// Greedy: the reference's top logit minus the runner-up. Top-p: the distance, in probability,
  /// from the nearest threshold that would change the choice. Used to forgive token mismatches
  /// that rounding alone can cause.
  float margin = 0;
};

struct Trace {
  uint32_t hidden = 0;
  uint32_t vocab = 0;
  uint32_t boundaryCount = 0;
  std::vector<StepTrace> steps;

  std::vector<int32_t> tokens() const;
};

std::vector<std::byte> encodeTrace(const Trace& trace);
/// Checks every count against the bytes present; `name` appears in errors.
Expected<Trace> decodeTrace(const std::vector<std::byte>& bytes, const std::string& name);

std::optional<Error> writeTrace(const std::string& path, const Trace& trace);
Expected<Trace> readTrace(const std::string& path);

} // namespace drawbridge::trace

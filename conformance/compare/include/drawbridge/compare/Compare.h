// Compares a workload's trace with the reference's under tolerances per precision.
//
// Error measure: for each tensor (a layer boundary of a step, or a step's logits) the largest
// absolute difference divided by the largest magnitude in the reference tensor ("normalised
// error"). Normalising by the tensor's scale, not elementwise, keeps near-zero elements from
// dominating. A tensor passes when its normalised error is at most the tolerance and the candidate
// holds no NaN or infinity.
//
// Tolerances (normalised):            activations  logits  top-p probability
//   f32  (fp32 throughout)                 1e-4       1e-4        1e-5
//   f16  (fp16 storage, fp32 accumulation)  2e-2       2e-2        1e-2
//   bf16 (bf16 storage, fp32 accumulation)  6e-2       6e-2        2e-2
//
// Tokens: a token that differs from the reference's fails the run, except where the reference's
// choice was within rounding of a tie: greedy with fp16/bf16, when the reference's top two logits
// are closer than the logits tolerance times the logits' largest magnitude; top-p, when the
// reference's margin (in probability) is below the top-p tolerance. fp32 greedy tokens must match
// exactly. After such a forgiven divergence the runs have fed different tokens, so later steps are
// not compared.
#pragma once

#include "drawbridge/trace/Trace.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drawbridge::compare {

enum class Precision { F32, F16, BF16 };
enum class SamplingMode { Greedy, TopP };

std::optional<Precision> parsePrecision(std::string_view word); // f32, f16, bf16

struct Tolerance {
  double activations = 0;
  double logits = 0;
  double probability = 0;
};

Tolerance toleranceFor(Precision precision);

struct TensorError {
  double maxAbs = 0;     // largest absolute difference
  double normalised = 0; // maxAbs / largest reference magnitude
  bool finite = true;    // the candidate holds no NaN or infinity
  bool pass = true;
};

struct StepReport {
  std::vector<TensorError> boundaries;
  TensorError logits;
  bool tokenMatches = true;
  bool forgiven = false; // tokens differ where the reference was within rounding of a tie
};

struct Comparison {
  bool pass = true;
  std::vector<std::string> failures; // each names the step, and the boundary or the token
  std::vector<StepReport> steps;     // the steps compared
  size_t tokensMatched = 0;
  size_t stepsTotal = 0;
  /// The largest normalised error at each boundary over the compared steps, for the per-layer plot.
  std::vector<double> boundaryMaxError;
  double logitsMaxError = 0;
};

Comparison compareTraces(const trace::Trace& candidate, const trace::Trace& reference,
                         Precision precision, SamplingMode sampling);

} // namespace drawbridge::compare

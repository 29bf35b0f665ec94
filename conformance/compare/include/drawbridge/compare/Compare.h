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
// Tokens: the reference replays the candidate's run (it is fed the candidate's tokens), so every
// step compares the two in the same context, and at every step the candidate's token must be one
// the sampling rule could choose from the reference's logits had they moved within tolerance:
//   greedy f32: exactly the reference's choice (the first largest logit);
//   greedy f16/bf16: a token whose reference logit is within 2 x the logits tolerance (times the
//     logits' largest magnitude) of the largest, as each of two logits may move by that much;
//   top-p: with the step's uniform u (re-derived from the seed), a token that some nucleus
//     reachable with P moved by the top-p probability tolerance holds, and whose span of the
//     token-order walk lies within that tolerance of r (reference::topPCouldChoose).
// A token that is not the reference's own choice but passes is counted as within tolerance.
#pragma once

#include "drawbridge/trace/Trace.h"

#include <cstddef>
#include <cstdint>
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
  bool forgiven = false; // not the reference's choice, but one the rule allows within tolerance
};

struct Comparison {
  bool pass = true;
  std::vector<std::string> failures; // each names the step, and the boundary or the token
  std::vector<StepReport> steps;     // the steps compared
  size_t tokensMatched = 0;          // the reference's own choice
  size_t tokensForgiven = 0;         // another choice, allowed within tolerance
  size_t stepsTotal = 0;
  /// The largest normalised error at each boundary over the compared steps, for the per-layer plot.
  std::vector<double> boundaryMaxError;
  double logitsMaxError = 0;
};

/// How the runs chose their tokens; each top-p step's uniform is re-derived from the seed.
struct TokenRule {
  SamplingMode mode = SamplingMode::Greedy;
  double topP = 0.9;
  uint64_t seed = 0;
};

/// `reference` is the reference fed the candidate's tokens (reference::generate with
/// followed = candidate.tokens()).
Comparison compareTraces(const trace::Trace& candidate, const trace::Trace& reference,
                         Precision precision, const TokenRule& rule);

} // namespace drawbridge::compare

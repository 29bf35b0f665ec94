#include "drawbridge/compare/Compare.h"

#include "drawbridge/model/SplitMix64.h"
#include "drawbridge/reference/Sampling.h"

#include <algorithm>
#include <cmath>

namespace drawbridge::compare {
namespace {

TensorError measure(const std::vector<float>& candidate, const std::vector<float>& reference,
                    double tolerance) {
  TensorError error;
  double scale = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    scale = std::max(scale, double(std::fabs(reference[i])));
    if (!std::isfinite(candidate[i]))
      error.finite = false;
    else
      error.maxAbs = std::max(error.maxAbs, std::fabs(double(candidate[i]) - reference[i]));
  }
  // An all-zero reference is compared absolutely.
  error.normalised = scale > 0 ? error.maxAbs / scale : error.maxAbs;
  error.pass = error.finite && error.normalised <= tolerance;
  return error;
}

std::optional<std::string> structuralMismatch(const trace::Trace& c, const trace::Trace& r) {
  auto differ = [](const char* what, size_t a, size_t b) {
    return std::string(what) + " differs: " + std::to_string(a) + " in the candidate, " +
           std::to_string(b) + " in the reference";
  };
  if (c.hidden != r.hidden)
    return differ("hidden size", c.hidden, r.hidden);
  if (c.vocab != r.vocab)
    return differ("vocabulary size", c.vocab, r.vocab);
  if (c.boundaryCount != r.boundaryCount)
    return differ("boundary count", c.boundaryCount, r.boundaryCount);
  if (c.steps.size() != r.steps.size())
    return differ("step count", c.steps.size(), r.steps.size());
  for (size_t s = 0; s < c.steps.size(); ++s) {
    const trace::StepTrace &a = c.steps[s], &b = r.steps[s];
    if (a.tokenCount != b.tokenCount || a.firstPosition != b.firstPosition)
      return "step " + std::to_string(s) + ": tokens " + std::to_string(a.tokenCount) + " at " +
             std::to_string(a.firstPosition) + " in the candidate, " +
             std::to_string(b.tokenCount) + " at " + std::to_string(b.firstPosition) +
             " in the reference";
    bool sameSizes =
        a.boundaries.size() == b.boundaries.size() && a.logits.size() == b.logits.size();
    for (size_t i = 0; sameSizes && i < a.boundaries.size(); ++i)
      sameSizes = a.boundaries[i].size() == b.boundaries[i].size();
    if (!sameSizes)
      return "step " + std::to_string(s) + ": tensor sizes differ";
  }
  return std::nullopt;
}

double largestMagnitude(const std::vector<float>& values) {
  double largest = 0;
  for (float v : values)
    largest = std::max(largest, double(std::fabs(v)));
  return largest;
}

// Whether the candidate's token is one the rule could choose from the reference's logits moved
// within tolerance.
bool withinTolerance(int32_t token, const trace::StepTrace& reference, Precision precision,
                     const TokenRule& rule, float u, const Tolerance& tolerance) {
  if (rule.mode == SamplingMode::TopP)
    return reference::topPCouldChoose(reference.logits, rule.topP, u, token, tolerance.probability);
  if (precision == Precision::F32)
    return false;
  return reference::greedyCouldChoose(reference.logits, token,
                                      tolerance.logits * largestMagnitude(reference.logits));
}

} // namespace

std::optional<Precision> parsePrecision(std::string_view word) {
  if (word == "f32")
    return Precision::F32;
  if (word == "f16")
    return Precision::F16;
  if (word == "bf16")
    return Precision::BF16;
  return std::nullopt;
}

Tolerance toleranceFor(Precision precision) {
  switch (precision) {
  case Precision::F32:
    return {1e-4, 1e-4, 1e-5};
  case Precision::F16:
    return {2e-2, 2e-2, 1e-2};
  case Precision::BF16:
    return {6e-2, 6e-2, 2e-2};
  }
  return {};
}

Comparison compareTraces(const trace::Trace& candidate, const trace::Trace& reference,
                         Precision precision, const TokenRule& rule) {
  Comparison result;
  result.stepsTotal = reference.steps.size();
  if (std::optional<std::string> mismatch = structuralMismatch(candidate, reference)) {
    result.pass = false;
    result.failures.push_back(*mismatch);
    return result;
  }
  Tolerance tolerance = toleranceFor(precision);
  result.boundaryMaxError.assign(reference.boundaryCount, 0);
  model::SplitMix64 rng(rule.seed);
  for (size_t s = 0; s < reference.steps.size(); ++s) {
    const trace::StepTrace &c = candidate.steps[s], &r = reference.steps[s];
    StepReport step;
    std::string where = "step " + std::to_string(s) + ": ";
    for (size_t b = 0; b < r.boundaries.size(); ++b) {
      step.boundaries.push_back(measure(c.boundaries[b], r.boundaries[b], tolerance.activations));
      result.boundaryMaxError[b] =
          std::max(result.boundaryMaxError[b], step.boundaries[b].normalised);
      if (!step.boundaries[b].pass)
        result.failures.push_back(
            where + (b == 0 ? "embedding output" : "layer " + std::to_string(b - 1) + " output") +
            " error " + std::to_string(step.boundaries[b].normalised) +
            (step.boundaries[b].finite ? "" : " (not finite)") + " exceeds " +
            std::to_string(tolerance.activations));
    }
    step.logits = measure(c.logits, r.logits, tolerance.logits);
    result.logitsMaxError = std::max(result.logitsMaxError, step.logits.normalised);
    if (!step.logits.pass)
      result.failures.push_back(where + "logits error " + std::to_string(step.logits.normalised) +
                                (step.logits.finite ? "" : " (not finite)") + " exceeds " +
                                std::to_string(tolerance.logits));
    // Greedy draws nothing; top-p draws once per step whatever it chooses.
    float u = rule.mode == SamplingMode::TopP ? rng.uniform() : 0;
    step.tokenMatches = c.token == r.token;
    if (step.tokenMatches)
      ++result.tokensMatched;
    else if (withinTolerance(c.token, r, precision, rule, u, tolerance)) {
      ++result.tokensForgiven;
      step.forgiven = true;
    } else {
      result.failures.push_back(where + "token " + std::to_string(c.token) +
                                " is not a choice within tolerance; the reference chose " +
                                std::to_string(r.token) + " (margin " + std::to_string(r.margin) +
                                ")");
    }
    result.steps.push_back(std::move(step));
  }
  result.pass = result.failures.empty();
  return result;
}

} // namespace drawbridge::compare

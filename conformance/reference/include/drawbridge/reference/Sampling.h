// Choosing the next token. The rules are exact so that the CUDA workloads can implement the same:
//
// Greedy: the index of the largest logit; on a tie, the lowest index.
//
// Top-p (nucleus) with threshold P and a uniform u in [0, 1) (SplitMix64::uniform(), one draw per
// step, from a generator seeded once per run):
//   1. probabilities: softmax of the logits (temperature 1);
//   2. the nucleus: sort probabilities in descending order; k is the smallest count whose sum
//      reaches P (all tokens if none does); the nucleus is every token whose probability is at
//      least the k-th largest (so tokens tied at the boundary are all kept);
//   3. M = the nucleus's total probability; r = u * M; walking the nucleus in ascending token
//      order and summing probabilities, the choice is the first token at which the sum exceeds r.
// Walking in token order, not probability order, lets a GPU find the choice with a prefix sum
// instead of a sort; it changes which token a given u picks, not the distribution.
#pragma once

#include <cstdint>
#include <span>

namespace drawbridge::reference {

struct Sampling {
  enum class Mode { Greedy, TopP };
  Mode mode = Mode::Greedy;
  double topP = 0.9;
  uint64_t seed = 0;
};

struct Choice {
  int32_t token = -1;
  /// Greedy: the largest logit minus the runner-up. Top-p: the smallest change of a cumulative
  /// probability (the nucleus sum against P, or the running sum against r) that would change the
  /// choice.
  double margin = 0;
};

Choice greedy(std::span<const float> logits);
Choice topP(std::span<const float> logits, double p, float u);

/// Whether `token` is a choice the greedy rule could make had every logit moved by at most
/// `slack`: its logit is within 2 x slack of the largest (0 slack: it is exactly greedy's choice).
bool greedyCouldChoose(std::span<const float> logits, int32_t token, double slack);

/// Whether `token` is a choice the top-p rule could make with `u` had every cumulative probability
/// (the sums that pick the nucleus and the running sum of the walk) moved by at most `slack`: some
/// nucleus reachable with P moved by slack holds it, and its span of the walk is within slack of r.
bool topPCouldChoose(std::span<const float> logits, double p, float u, int32_t token, double slack);

} // namespace drawbridge::reference

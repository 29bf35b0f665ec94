#include "drawbridge/reference/Sampling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace drawbridge::reference {

Choice greedy(std::span<const float> logits) {
  Choice choice{0, std::numeric_limits<double>::infinity()};
  double runnerUp = -std::numeric_limits<double>::infinity();
  for (size_t i = 1; i < logits.size(); ++i) {
    if (logits[i] > logits[static_cast<size_t>(choice.token)]) {
      runnerUp = logits[static_cast<size_t>(choice.token)];
      choice.token = static_cast<int32_t>(i);
    } else {
      runnerUp = std::max(runnerUp, double(logits[i]));
    }
  }
  if (logits.size() > 1)
    choice.margin = double(logits[static_cast<size_t>(choice.token)]) - runnerUp;
  return choice;
}

Choice topP(std::span<const float> logits, double p, float u) {
  double max = *std::max_element(logits.begin(), logits.end());
  std::vector<double> probs(logits.size());
  double total = 0;
  for (size_t i = 0; i < logits.size(); ++i)
    total += probs[i] = std::exp(double(logits[i]) - max);
  for (double& prob : probs)
    prob /= total;

  std::vector<size_t> order(probs.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return probs[a] != probs[b] ? probs[a] > probs[b] : a < b; });
  double before = 0, margin = std::numeric_limits<double>::infinity();
  double threshold = probs[order.back()];
  for (size_t k = 0; k < order.size(); ++k) {
    double sum = before + probs[order[k]];
    if (sum >= p) {
      threshold = probs[order[k]];
      margin = std::min(p - before, sum - p);
      break;
    }
    before = sum;
  }

  double nucleus = 0;
  for (double prob : probs)
    if (prob >= threshold)
      nucleus += prob;
  double r = double(u) * nucleus, running = 0;
  Choice choice;
  for (size_t i = 0; i < probs.size(); ++i) {
    if (probs[i] < threshold)
      continue;
    choice.token = static_cast<int32_t>(i);
    if (running + probs[i] > r) {
      margin = std::min({margin, r - running, running + probs[i] - r});
      break;
    }
    running += probs[i];
  }
  choice.margin = margin;
  return choice;
}

} // namespace drawbridge::reference

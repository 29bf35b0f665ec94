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

namespace {

std::vector<double> softmax(std::span<const float> logits) {
  double max = *std::max_element(logits.begin(), logits.end());
  std::vector<double> probs(logits.size());
  double total = 0;
  for (size_t i = 0; i < logits.size(); ++i)
    total += probs[i] = std::exp(double(logits[i]) - max);
  for (double& prob : probs)
    prob /= total;
  return probs;
}

// Token indices by descending probability, ties by index.
std::vector<size_t> descending(const std::vector<double>& probs) {
  std::vector<size_t> order(probs.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return probs[a] != probs[b] ? probs[a] > probs[b] : a < b; });
  return order;
}

} // namespace

Choice topP(std::span<const float> logits, double p, float u) {
  std::vector<double> probs = softmax(logits);
  std::vector<size_t> order = descending(probs);
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

bool greedyCouldChoose(std::span<const float> logits, int32_t token, double slack) {
  if (token < 0 || static_cast<size_t>(token) >= logits.size())
    return false;
  float largest = *std::max_element(logits.begin(), logits.end());
  return double(logits[static_cast<size_t>(token)]) >= double(largest) - 2 * slack;
}

bool topPCouldChoose(std::span<const float> logits, double p, float u, int32_t token,
                     double slack) {
  if (token < 0 || static_cast<size_t>(token) >= logits.size())
    return false;
  std::vector<double> probs = softmax(logits);
  std::vector<size_t> order = descending(probs);
  double mine = probs[static_cast<size_t>(token)];
  // Every nucleus size k whose running sum can be the first to reach P moved by slack: the
  // nucleus is then every token at least as likely as the k-th.
  double before = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    double sum = before + probs[order[k]];
    bool reachable = sum >= p - slack || k + 1 == order.size();
    if (reachable && before < p + slack) {
      double threshold = probs[order[k]];
      if (mine >= threshold) {
        double nucleus = 0, preceding = 0;
        for (size_t i = 0; i < probs.size(); ++i)
          if (probs[i] >= threshold) {
            nucleus += probs[i];
            if (i < static_cast<size_t>(token))
              preceding += probs[i];
          }
        double r = double(u) * nucleus;
        if (preceding - slack <= r && r < preceding + mine + slack)
          return true;
      }
    }
    if (before >= p + slack)
      break;
    before = sum;
  }
  return false;
}

} // namespace drawbridge::reference

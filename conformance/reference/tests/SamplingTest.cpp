#include "drawbridge/reference/Sampling.h"

#include "RandomValues.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace drawbridge::reference;
using drawbridge::reference::testing::randomValues;

namespace {

std::vector<float> logitsOf(const std::vector<double>& probs) {
  std::vector<float> logits;
  for (double p : probs)
    logits.push_back(static_cast<float>(std::log(p)));
  return logits;
}

TEST(Sampling, GreedyPicksTheFirstLargestAndReportsTheGap) {
  std::vector<float> logits = {0.5f, 2.0f, -1.0f, 1.25f, 2.0f};
  Choice c = greedy(logits);
  EXPECT_EQ(c.token, 1);
  EXPECT_EQ(c.margin, 0.0);
  logits[4] = 1.5f;
  c = greedy(logits);
  EXPECT_EQ(c.token, 1);
  EXPECT_DOUBLE_EQ(c.margin, 0.5);
  std::vector<float> single = {3};
  EXPECT_EQ(greedy(single).token, 0);
  std::vector<float> descending = {5, 4, 3}; // the maximum first
  EXPECT_DOUBLE_EQ(greedy(descending).margin, 1.0);
}

TEST(Sampling, TopPWithTinyPIsArgmax) {
  for (unsigned seed = 0; seed < 20; ++seed) {
    std::vector<float> logits = randomValues(1000 + seed, seed, 2);
    for (float u : {0.0f, 0.5f, 0.999f}) {
      EXPECT_EQ(topP(logits, 1e-9, u).token, greedy(logits).token);
      EXPECT_EQ(topP(logits, 0, u).token, greedy(logits).token);
    }
  }
}

TEST(Sampling, TopPKeepsTheNucleusAndWalksItInTokenOrder) {
  // Probabilities 0.1, 0.4, 0.3, 0.2: for P = 0.5 the nucleus is {1, 2} (0.4 + 0.3 >= 0.5), its
  // mass 0.7. r = u * 0.7; token 1 covers [0, 0.4), token 2 covers [0.4, 0.7).
  std::vector<float> logits = logitsOf({0.1, 0.4, 0.3, 0.2});
  EXPECT_EQ(topP(logits, 0.5, 0.0f).token, 1);
  EXPECT_EQ(topP(logits, 0.5, 0.5f).token, 1); // r = 0.35
  EXPECT_EQ(topP(logits, 0.5, 0.6f).token, 2); // r = 0.42
  EXPECT_EQ(topP(logits, 0.5, 0.99f).token, 2);
  EXPECT_NEAR(topP(logits, 0.5, 0.5f).margin, 0.05, 1e-6); // r is 0.05 below token 1's end
  // P = 1 keeps everything: the plain inverse CDF in token order.
  EXPECT_EQ(topP(logits, 1.0, 0.05f).token, 0);
  EXPECT_EQ(topP(logits, 1.0, 0.45f).token, 1);
  EXPECT_EQ(topP(logits, 1.0, 0.75f).token, 2);
  EXPECT_EQ(topP(logits, 1.0, 0.85f).token, 3);
  // Tokens tied at the boundary are all kept: 0.4, 0.2, 0.2, 0.2 with P = 0.5 keeps all four.
  std::vector<float> tied = logitsOf({0.2, 0.4, 0.2, 0.2});
  EXPECT_EQ(topP(tied, 0.5, 0.95f).token, 3);
}

TEST(Sampling, TopPFrequenciesFollowTheRenormalisedNucleus) {
  std::vector<float> logits = logitsOf({0.05, 0.5, 0.3, 0.15});
  // P = 0.9: nucleus {1, 2, 3}, mass 0.95.
  int counts[4] = {};
  const int n = 20000;
  for (int i = 0; i < n; ++i)
    ++counts[topP(logits, 0.9, (float(i) + 0.5f) / n).token];
  EXPECT_EQ(counts[0], 0);
  EXPECT_NEAR(counts[1] / double(n), 0.5 / 0.95, 1e-3);
  EXPECT_NEAR(counts[2] / double(n), 0.3 / 0.95, 1e-3);
  EXPECT_NEAR(counts[3] / double(n), 0.15 / 0.95, 1e-3);
}

TEST(Sampling, GreedyCouldChooseWithinTwiceTheSlack) {
  std::vector<float> logits = {0, 1, 2, 2.5f};
  EXPECT_TRUE(greedyCouldChoose(logits, 3, 0));
  EXPECT_FALSE(greedyCouldChoose(logits, 2, 0));
  EXPECT_FALSE(greedyCouldChoose(logits, 2, 0.2)); // 2 < 2.5 - 0.4
  EXPECT_TRUE(greedyCouldChoose(logits, 2, 0.3));  // 2 >= 2.5 - 0.6
  EXPECT_FALSE(greedyCouldChoose(logits, 0, 0.3));
  EXPECT_FALSE(greedyCouldChoose(logits, 4, 10)) << "outside the vocabulary";
}

TEST(Sampling, TopPCouldChooseNearTheWalkPosition) {
  std::vector<float> logits = logitsOf({0.1, 0.2, 0.3, 0.4});
  // P = 1 keeps every token; the walk spans 0 [0, .1), 1 [.1, .3), 2 [.3, .6), 3 [.6, 1); r = .45.
  EXPECT_TRUE(topPCouldChoose(logits, 1.0, 0.45f, 2, 0.01));
  for (int32_t other : {0, 1, 3})
    EXPECT_FALSE(topPCouldChoose(logits, 1.0, 0.45f, other, 0.01)) << other;
  EXPECT_TRUE(topPCouldChoose(logits, 1.0, 0.45f, 1, 0.2));
  EXPECT_TRUE(topPCouldChoose(logits, 1.0, 0.45f, 3, 0.2));
  EXPECT_FALSE(topPCouldChoose(logits, 1.0, 0.45f, 0, 0.2));
  EXPECT_FALSE(topPCouldChoose(logits, 1.0, 0.45f, -1, 1));
}

TEST(Sampling, TopPCouldChooseFromANucleusThatSlackReaches) {
  std::vector<float> logits = logitsOf({0.1, 0.2, 0.3, 0.4});
  // P = .5: the nucleus is {2, 3} (mass .7), r = .07 picks 2. With P moved down to .35 the
  // nucleus {3} alone is reachable, and it can only choose 3.
  EXPECT_TRUE(topPCouldChoose(logits, 0.5, 0.1f, 2, 0.01));
  EXPECT_FALSE(topPCouldChoose(logits, 0.5, 0.1f, 3, 0.01));
  EXPECT_TRUE(topPCouldChoose(logits, 0.5, 0.1f, 3, 0.15));
  EXPECT_FALSE(topPCouldChoose(logits, 0.5, 0.1f, 1, 0.15)) << "outside every reachable nucleus";
}

} // namespace

// Test inputs: normally distributed values from a seeded standard-library engine.
#pragma once

#include <random>
#include <vector>

namespace drawbridge::reference::testing {

inline std::vector<float> randomValues(size_t count, unsigned seed, float scale = 1) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> normal(0, scale);
  std::vector<float> values(count);
  for (float& v : values)
    v = normal(engine);
  return values;
}

} // namespace drawbridge::reference::testing

// The sampling random numbers, implemented from the suite's specification (splitmix64; a uniform
// float from the top 24 bits) independently of the reference's code.
#pragma once

#include <cstdint>

namespace workload {

class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  float uniform() {
    state_ += 0x9E3779B97F4A7C15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<float>(z >> 40) / 16777216.0f;
  }

private:
  uint64_t state_;
};

} // namespace workload

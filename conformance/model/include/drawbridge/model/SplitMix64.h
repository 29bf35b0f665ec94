// The suite's one random number generator, specified exactly so that the CUDA workloads can
// implement the same sequence independently:
//   state += 0x9E3779B97F4A7C15;
//   z = state; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
//   next() = z ^ (z >> 31)                      (splitmix64, all arithmetic modulo 2^64)
//   uniform() = (next() >> 40) * 2^-24          (a float in [0, 1), exact)
// The first next() after seeding with s uses state s + 0x9E3779B97F4A7C15.
#pragma once

#include <cstdint>

namespace drawbridge::model {

class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }

  /// A standard normal approximated by the sum of twelve uniforms minus six (Irwin-Hall): only
  /// additions, so every platform produces the same bits, which libm's log and cos do not promise.
  float normal() {
    float sum = 0;
    for (int i = 0; i < 12; ++i)
      sum += uniform();
    return sum - 6.0f;
  }

private:
  uint64_t state_;
};

} // namespace drawbridge::model

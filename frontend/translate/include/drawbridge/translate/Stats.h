// Per-family counts of CUDA references converted and left unconverted (--stats).
#pragma once

#include "drawbridge/translate/Mapping.h"

#include <array>
#include <llvm/Support/raw_ostream.h>

namespace drawbridge::translate {

enum class StatsFormat { Text, Json, Csv };

/// What became of one CUDA reference.
enum class Outcome {
  Converted,      // translated (or valid in HIP as written)
  Unconverted,    // HIP can express it, but it was left as written (unknown name, odd call)
  NoHipEquivalent // the target HIP cannot express it (no equivalent, or only in a newer HIP)
};

class Stats {
public:
  void count(Family family, Outcome outcome) {
    auto& c = counts_[static_cast<std::size_t>(family)];
    if (outcome == Outcome::Converted)
      c.converted += 1;
    else
      c.unconverted += 1;
    if (outcome == Outcome::NoHipEquivalent)
      c.noHipEquivalent += 1;
  }
  void add(const Stats& other);
  unsigned converted(Family family) const { return counts_[index(family)].converted; }
  /// Every reference left as written, including those the target HIP cannot express.
  unsigned unconverted(Family family) const { return counts_[index(family)].unconverted; }
  unsigned noHipEquivalent(Family family) const { return counts_[index(family)].noHipEquivalent; }
  void setLines(unsigned long long lines) { lines_ = lines; }
  void print(StatsFormat format, llvm::raw_ostream& os) const;

private:
  struct Count {
    unsigned converted = 0;
    unsigned unconverted = 0;
    unsigned noHipEquivalent = 0;
  };
  static std::size_t index(Family family) { return static_cast<std::size_t>(family); }
  std::array<Count, kFamilyCount> counts_{};
  unsigned long long lines_ = 0;
};

} // namespace drawbridge::translate

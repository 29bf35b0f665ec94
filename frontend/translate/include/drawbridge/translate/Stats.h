// Per-family counts of CUDA references converted and left unconverted (--stats).
#pragma once

#include "drawbridge/translate/Mapping.h"

#include <array>
#include <llvm/Support/raw_ostream.h>

namespace drawbridge::translate {

enum class StatsFormat { Text, Json, Csv };

class Stats {
public:
  void count(Family family, bool converted) {
    auto& c = counts_[static_cast<std::size_t>(family)];
    (converted ? c.converted : c.unconverted) += 1;
  }
  void add(const Stats& other);
  unsigned converted(Family family) const { return counts_[index(family)].converted; }
  unsigned unconverted(Family family) const { return counts_[index(family)].unconverted; }
  void setLines(unsigned long long lines) { lines_ = lines; }
  void print(StatsFormat format, llvm::raw_ostream& os) const;

private:
  struct Count {
    unsigned converted = 0;
    unsigned unconverted = 0;
  };
  static std::size_t index(Family family) { return static_cast<std::size_t>(family); }
  std::array<Count, kFamilyCount> counts_{};
  unsigned long long lines_ = 0;
};

} // namespace drawbridge::translate

#include "drawbridge/translate/Stats.h"

#include <llvm/Support/JSON.h>

namespace drawbridge::translate {

void Stats::add(const Stats& other) {
  for (std::size_t i = 0; i < kFamilyCount; ++i) {
    counts_[i].converted += other.counts_[i].converted;
    counts_[i].unconverted += other.counts_[i].unconverted;
    counts_[i].noHipEquivalent += other.counts_[i].noHipEquivalent;
  }
  lines_ += other.lines_;
}

void Stats::print(StatsFormat format, llvm::raw_ostream& os) const {
  Count total;
  for (const auto& c : counts_) {
    total.converted += c.converted;
    total.unconverted += c.unconverted;
    total.noHipEquivalent += c.noHipEquivalent;
  }
  auto name = [](std::size_t i) { return familyName(static_cast<Family>(i)); };
  switch (format) {
  case StatsFormat::Text: {
    auto row = [&](llvm::StringRef family, const Count& c) {
      os << llvm::left_justify(family, 10) << llvm::right_justify(std::to_string(c.converted), 10)
         << llvm::right_justify(std::to_string(c.unconverted), 13)
         << llvm::right_justify(std::to_string(c.noHipEquivalent), 19) << "\n";
    };
    os << "family     converted  unconverted  (no HIP equivalent)\n";
    for (std::size_t i = 0; i < kFamilyCount; ++i)
      if (counts_[i].converted || counts_[i].unconverted)
        row(name(i), counts_[i]);
    row("total", total);
    os << "lines " << lines_ << "\n";
    return;
  }
  case StatsFormat::Csv:
    os << "family,converted,unconverted,no_hip_equivalent\n";
    for (std::size_t i = 0; i < kFamilyCount; ++i)
      os << name(i) << "," << counts_[i].converted << "," << counts_[i].unconverted << ","
         << counts_[i].noHipEquivalent << "\n";
    os << "total," << total.converted << "," << total.unconverted << "," << total.noHipEquivalent
       << "\n";
    return;
  case StatsFormat::Json: {
    llvm::json::OStream j(os, 2);
    auto counts = [&](const Count& c) {
      j.attribute("converted", c.converted);
      j.attribute("unconverted", c.unconverted);
      j.attribute("noHipEquivalent", c.noHipEquivalent);
    };
    j.object([&] {
      j.attribute("lines", static_cast<int64_t>(lines_));
      counts(total);
      j.attributeObject("families", [&] {
        for (std::size_t i = 0; i < kFamilyCount; ++i)
          j.attributeObject(name(i), [&] { counts(counts_[i]); });
      });
    });
    os << "\n";
    return;
  }
  }
}

} // namespace drawbridge::translate

#include "drawbridge/translate/Stats.h"

#include <llvm/Support/JSON.h>

namespace drawbridge::translate {

void Stats::add(const Stats& other) {
  for (std::size_t i = 0; i < kFamilyCount; ++i) {
    counts_[i].converted += other.counts_[i].converted;
    counts_[i].unconverted += other.counts_[i].unconverted;
  }
  lines_ += other.lines_;
}

void Stats::print(StatsFormat format, llvm::raw_ostream& os) const {
  unsigned totalConverted = 0, totalUnconverted = 0;
  for (const auto& c : counts_) {
    totalConverted += c.converted;
    totalUnconverted += c.unconverted;
  }
  switch (format) {
  case StatsFormat::Text:
    os << "family      converted  unconverted\n";
    for (std::size_t i = 0; i < kFamilyCount; ++i)
      if (counts_[i].converted || counts_[i].unconverted)
        os << llvm::left_justify(familyName(static_cast<Family>(i)), 10) << " "
           << llvm::right_justify(std::to_string(counts_[i].converted), 10) << " "
           << llvm::right_justify(std::to_string(counts_[i].unconverted), 12) << "\n";
    os << llvm::left_justify("total", 10) << " "
       << llvm::right_justify(std::to_string(totalConverted), 10) << " "
       << llvm::right_justify(std::to_string(totalUnconverted), 12) << "\n"
       << "lines " << lines_ << "\n";
    return;
  case StatsFormat::Csv:
    os << "family,converted,unconverted\n";
    for (std::size_t i = 0; i < kFamilyCount; ++i)
      os << familyName(static_cast<Family>(i)) << "," << counts_[i].converted << ","
         << counts_[i].unconverted << "\n";
    os << "total," << totalConverted << "," << totalUnconverted << "\n";
    return;
  case StatsFormat::Json: {
    llvm::json::OStream j(os, 2);
    j.object([&] {
      j.attribute("lines", static_cast<int64_t>(lines_));
      j.attribute("converted", totalConverted);
      j.attribute("unconverted", totalUnconverted);
      j.attributeObject("families", [&] {
        for (std::size_t i = 0; i < kFamilyCount; ++i)
          j.attributeObject(familyName(static_cast<Family>(i)), [&] {
            j.attribute("converted", counts_[i].converted);
            j.attribute("unconverted", counts_[i].unconverted);
          });
      });
    });
    os << "\n";
    return;
  }
  }
}

} // namespace drawbridge::translate

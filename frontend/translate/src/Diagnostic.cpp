#include "drawbridge/translate/Diagnostic.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

namespace drawbridge::translate {

Severity severityOf(DiagId id) {
  switch (id) {
  case DiagId::FullMaskOnWave64:
  case DiagId::SystemHeaderErrors:
    return Severity::Note;
  // What the target HIP cannot express makes the translated code wrong or not compile.
  case DiagId::NoHipEquivalent:
  case DiagId::NeedsNewerHip:
  case DiagId::LibcuxxName:
  case DiagId::InlineAssembly:
  case DiagId::IoError:
    return Severity::Error;
  default:
    return Severity::Warning;
  }
}

std::string codeOf(DiagId id) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "DBT%03u", static_cast<unsigned>(id));
  return buffer;
}

std::string format(const Diagnostic& d) {
  static constexpr const char* names[] = {"note", "warning", "error"};
  std::string out = d.file;
  if (d.line)
    out += ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
  out += std::string(": ") + names[static_cast<int>(severityOf(d.id))] + ": " + d.message + " [" +
         codeOf(d.id) + "]";
  return out;
}

void sortAndUnique(std::vector<Diagnostic>& diagnostics) {
  auto key = [](const Diagnostic& d) {
    return std::tie(d.file, d.line, d.column, d.id, d.message);
  };
  std::sort(diagnostics.begin(), diagnostics.end(),
            [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  diagnostics.erase(
      std::unique(diagnostics.begin(), diagnostics.end(),
                  [&](const Diagnostic& a, const Diagnostic& b) { return key(a) == key(b); }),
      diagnostics.end());
}

} // namespace drawbridge::translate

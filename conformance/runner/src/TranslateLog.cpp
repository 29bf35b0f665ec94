#include "TranslateLog.h"

#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/Regex.h>
#include <map>

namespace drawbridge::runner {
namespace {

llvm::SmallVector<llvm::StringRef, 64> linesOf(const std::string& log) {
  llvm::SmallVector<llvm::StringRef, 64> lines;
  llvm::StringRef(log).split(lines, '\n');
  return lines;
}

bool isError(llvm::StringRef line) {
  return line.starts_with("error: ") || line.contains(": error: ");
}

bool needsNewerHip(llvm::StringRef line) {
  return line.trim().ends_with("[DBT003]");
}

} // namespace

std::string newerHipNames(const std::string& log) {
  llvm::Regex error("([^ ]+) maps to [^ ]+, which needs HIP ([0-9.]+) \\(target is ([0-9.]+)\\)");
  std::map<std::string, std::string> firstByVersion;
  std::string target;
  for (auto line : linesOf(log)) {
    llvm::SmallVector<llvm::StringRef, 4> match;
    if (!needsNewerHip(line) || !error.match(line, &match))
      continue;
    firstByVersion.emplace(match[2].str(), match[1].str());
    target = match[3].str();
  }
  std::string names;
  for (const auto& [version, name] : firstByVersion)
    names += (names.empty() ? "" : ", ") + name + " from HIP " + version;
  return names.empty() ? names : names + " (this system's HIP is " + target + ")";
}

bool onlyNewerHipErrors(const std::string& log) {
  bool any = false;
  for (auto line : linesOf(log)) {
    if (!isError(line))
      continue;
    if (!needsNewerHip(line))
      return false;
    any = true;
  }
  return any;
}

} // namespace drawbridge::runner

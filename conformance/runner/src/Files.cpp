#include "Files.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

namespace drawbridge::runner {

std::string pathJoin(const std::string& a, const std::string& b) {
  llvm::SmallString<256> joined(a);
  llvm::sys::path::append(joined, b);
  return joined.str().str();
}

std::string readText(const std::string& file) {
  auto buffer = llvm::MemoryBuffer::getFile(file);
  return buffer ? (*buffer)->getBuffer().str() : std::string();
}

bool writeText(const std::string& file, const std::string& text) {
  std::error_code ec;
  llvm::raw_fd_ostream out(file, ec);
  if (ec)
    return false;
  out << text;
  out.close();
  return !out.has_error();
}

std::string lastLines(const std::string& file, int count) {
  std::string text = readText(file);
  llvm::StringRef trimmed = llvm::StringRef(text).rtrim();
  size_t start = trimmed.size();
  for (int lines = 0; lines < count && start > 0; ++lines) {
    size_t newline = trimmed.rfind('\n', start - 1);
    start = newline == llvm::StringRef::npos ? 0 : newline;
  }
  return trimmed.substr(start).trim().str();
}

} // namespace drawbridge::runner

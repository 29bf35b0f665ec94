#include "ByteView.h"

#include <cstdio>

namespace drawbridge::fatbin::detail {

std::string hex(uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
  return buffer;
}

Error fieldError(std::string_view what, uint64_t offset, std::string_view field,
                 std::string_view problem) {
  std::string message(what);
  message += " at offset " + hex(offset) + ": field '";
  message += field;
  message += "' ";
  message += problem;
  return Error{std::move(message)};
}

std::string ByteView::text(uint64_t offset, uint64_t length) const {
  auto chars = slice(offset, length);
  std::string result(reinterpret_cast<const char*>(chars.data()), chars.size());
  if (auto nul = result.find('\0'); nul != std::string::npos)
    result.resize(nul);
  return result;
}

} // namespace drawbridge::fatbin::detail

// Bounds-checked little-endian reads, and the error format every reader failure uses.
#pragma once

#include "drawbridge/support/Expected.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace drawbridge::fatbin::detail {

std::string hex(uint64_t value);

/// "<what> at offset 0x..: field '<field>' <problem>"
Error fieldError(std::string_view what, uint64_t offset, std::string_view field,
                 std::string_view problem);

class ByteView {
public:
  explicit ByteView(std::span<const std::byte> bytes) : bytes_(bytes) {}

  size_t size() const { return bytes_.size(); }
  std::span<const std::byte> bytes() const { return bytes_; }

  bool contains(uint64_t offset, uint64_t length) const {
    return offset <= bytes_.size() && length <= bytes_.size() - offset;
  }

  template <typename T> std::optional<T> read(uint64_t offset) const {
    if (!contains(offset, sizeof(T)))
      return std::nullopt;
    T value;
    std::memcpy(&value, bytes_.data() + offset, sizeof(T));
    return value;
  }

  /// The bytes in [offset, offset + length), clipped to the view: never reads past it.
  std::span<const std::byte> slice(uint64_t offset, uint64_t length) const {
    if (offset >= bytes_.size())
      return {};
    return bytes_.subspan(offset, std::min<uint64_t>(length, bytes_.size() - offset));
  }

  /// Text of at most `length` bytes at `offset` (clipped to the view), cut at the first NUL.
  std::string text(uint64_t offset, uint64_t length) const;

private:
  std::span<const std::byte> bytes_;
};

} // namespace drawbridge::fatbin::detail

// Parsing one fatbin container (header and entries) from bytes.
#pragma once

#include "ByteView.h"
#include "drawbridge/fatbin/Fatbin.h"

namespace drawbridge::fatbin::detail {

/// Parses the container starting at `bytes` (which may run on past it). `base` is the offset
/// of bytes[0] in the source, used in the fatbin's offsets and in error messages.
Expected<Fatbin> parseContainer(std::span<const std::byte> bytes, uint64_t base,
                                const Limits& limits);

/// The container's total size (header plus payload) from its header, checked against limits.
Expected<uint64_t> containerSize(std::span<const std::byte> header, uint64_t base,
                                 const Limits& limits);

} // namespace drawbridge::fatbin::detail

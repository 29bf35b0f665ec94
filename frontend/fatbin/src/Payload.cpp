#include "drawbridge/fatbin/Payload.h"

#include "ByteView.h"

#include <lz4.h>
#include <zstd.h>

namespace drawbridge::fatbin {
namespace {

using detail::fieldError;
using detail::hex;

constexpr std::string_view kEntry = "fatbin entry";

Expected<std::vector<std::byte>> decompressZstd(const Entry& entry) {
  std::vector<std::byte> out(entry.uncompressedSize);
  auto frameSize = ZSTD_getFrameContentSize(entry.stored.data(), entry.stored.size());
  if (frameSize == ZSTD_CONTENTSIZE_ERROR)
    return fieldError(kEntry, entry.offset, "payload", "is not a zstd frame");
  if (frameSize != ZSTD_CONTENTSIZE_UNKNOWN && frameSize != entry.uncompressedSize)
    return fieldError(kEntry, entry.offset, "uncompressed size",
                      "(" + hex(entry.uncompressedSize) + ") disagrees with the zstd frame (" +
                          hex(frameSize) + ")");
  size_t written =
      ZSTD_decompress(out.data(), out.size(), entry.stored.data(), entry.stored.size());
  if (ZSTD_isError(written))
    return fieldError(kEntry, entry.offset, "payload",
                      std::string("fails zstd decompression: ") + ZSTD_getErrorName(written));
  if (written != out.size())
    return fieldError(kEntry, entry.offset, "uncompressed size",
                      "(" + hex(entry.uncompressedSize) + ") is not what zstd produced (" +
                          hex(written) + ")");
  return out;
}

Expected<std::vector<std::byte>> decompressLz4(const Entry& entry) {
  std::vector<std::byte> out(entry.uncompressedSize);
  if (entry.stored.size() > LZ4_MAX_INPUT_SIZE || out.size() > LZ4_MAX_INPUT_SIZE)
    return fieldError(kEntry, entry.offset, "compressed size",
                      "exceeds what an LZ4 block can hold");
  int written = LZ4_decompress_safe(
      reinterpret_cast<const char*>(entry.stored.data()), reinterpret_cast<char*>(out.data()),
      static_cast<int>(entry.stored.size()), static_cast<int>(out.size()));
  if (written < 0)
    return fieldError(kEntry, entry.offset, "payload",
                      "fails LZ4 block decompression: the data is corrupt or decodes to more "
                      "than the declared uncompressed size (" +
                          hex(entry.uncompressedSize) + ")");
  if (static_cast<size_t>(written) != out.size())
    return fieldError(kEntry, entry.offset, "uncompressed size",
                      "(" + hex(entry.uncompressedSize) + ") is not what LZ4 produced (" +
                          hex(written) + ")");
  return out;
}

} // namespace

Expected<std::vector<std::byte>> decompress(const Entry& entry, const Limits& limits) {
  if (entry.uncompressedSize > limits.maxUncompressedEntrySize)
    return fieldError(kEntry, entry.offset, "uncompressed size",
                      "(" + hex(entry.uncompressedSize) + ") exceeds the " +
                          hex(limits.maxUncompressedEntrySize) + "-byte limit");
  switch (entry.compression) {
  case Compression::None:
    return std::vector<std::byte>(entry.stored.begin(), entry.stored.end());
  case Compression::Zstd:
    return decompressZstd(entry);
  case Compression::Lz4:
    return decompressLz4(entry);
  }
  return Error{"unreachable compression kind"};
}

Expected<std::string> ptxText(const Entry& entry, const Limits& limits) {
  if (!entry.isPtx())
    return fieldError(kEntry, entry.offset, "kind",
                      "is " + std::string(kindName(entry.kind)) + ", not PTX");
  auto bytes = decompress(entry, limits);
  if (!bytes)
    return std::move(bytes).takeError();
  return detail::ByteView(*bytes).text(0, bytes->size());
}

} // namespace drawbridge::fatbin

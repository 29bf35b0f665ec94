#include "Container.h"

namespace drawbridge::fatbin::detail {
namespace {

constexpr std::string_view kContainer = "fatbin container";
constexpr std::string_view kEntry = "fatbin entry header";

// Entry header field offsets (nvcc 13).
enum EntryField : uint64_t {
  kKind = 0,
  kHeaderSize = 4,
  kPayloadSize = 8,
  kCompressedSize = 16,
  kOptionsOffset = 20,
  kMinor = 24,
  kMajor = 26,
  kArch = 28,
  kNameOffset = 32,
  kNameLength = 36,
  kFlags = 40,
  kUncompressedSize = 56,
};

struct EntryReader {
  const ByteView& view;
  uint64_t at; // entry header position within view
  uint64_t base;

  template <typename T> T field(EntryField f) const { return *view.read<T>(at + f); }
  Error error(std::string_view field, std::string_view problem) const {
    return fieldError(kEntry, base + at, field, problem);
  }
};

Expected<std::string> readOptions(const EntryReader& r, uint32_t headerSize) {
  uint32_t optionsOffset = r.field<uint32_t>(kOptionsOffset);
  if (optionsOffset == 0)
    return std::string();
  if (uint64_t{optionsOffset} + 8 > headerSize)
    return r.error("options offset", "(" + hex(optionsOffset) +
                                         ") points past the entry header (size " + hex(headerSize) +
                                         ")");
  uint32_t textOffset = *r.view.read<uint32_t>(r.at + optionsOffset);
  uint32_t textLength = *r.view.read<uint32_t>(r.at + optionsOffset + 4);
  if (textLength == 0)
    return std::string();
  if (uint64_t{textOffset} + textLength > headerSize)
    return r.error("options text", "(" + hex(textOffset) + ", " + std::to_string(textLength) +
                                       " bytes) runs past the entry header (size " +
                                       hex(headerSize) + ")");
  return r.view.text(r.at + textOffset, textLength);
}

Expected<Entry> parseEntry(const EntryReader& r, uint64_t payloadEnd, const Limits& limits) {
  if (!r.view.contains(r.at, kMinEntryHeaderSize) || r.at + kMinEntryHeaderSize > payloadEnd)
    return r.error("header", "is truncated: 64 bytes needed, " + std::to_string(payloadEnd - r.at) +
                                 " left in the container");
  Entry entry;
  entry.offset = r.base + r.at;
  entry.kind = r.field<uint16_t>(kKind);
  uint32_t headerSize = r.field<uint32_t>(kHeaderSize);
  uint64_t payloadSize = r.field<uint64_t>(kPayloadSize);
  uint32_t compressedSize = r.field<uint32_t>(kCompressedSize);
  entry.versionMinor = r.field<uint16_t>(kMinor);
  entry.versionMajor = r.field<uint16_t>(kMajor);
  entry.smArch = r.field<uint32_t>(kArch);
  entry.flags = r.field<uint64_t>(kFlags);
  uint64_t declaredUncompressed = r.field<uint64_t>(kUncompressedSize);

  if (headerSize < kMinEntryHeaderSize || headerSize > payloadEnd - r.at)
    return r.error("header size", "(" + hex(headerSize) +
                                      ") is below 64 or runs past the container (" +
                                      hex(payloadEnd - r.at) + " bytes left)");
  if (payloadSize > payloadEnd - r.at - headerSize)
    return r.error("payload size", "(" + hex(payloadSize) + ") runs past the container (" +
                                       hex(payloadEnd - r.at - headerSize) + " bytes left)");

  bool lz4 = entry.flags & kFlagLz4, zstd = entry.flags & kFlagZstd;
  if (lz4 && zstd)
    return r.error("flags", "(" + hex(entry.flags) + ") claim both LZ4 and zstd compression");
  entry.compression = lz4 ? Compression::Lz4 : zstd ? Compression::Zstd : Compression::None;

  uint64_t payloadStart = r.at + headerSize;
  if (entry.compression == Compression::None) {
    entry.stored = r.view.slice(payloadStart, payloadSize);
    entry.uncompressedSize = payloadSize;
  } else {
    if (compressedSize == 0 || compressedSize > payloadSize)
      return r.error("compressed size", "(" + hex(compressedSize) +
                                            ") is zero or larger than the payload (" +
                                            hex(payloadSize) + ")");
    if (declaredUncompressed == 0 || declaredUncompressed > limits.maxUncompressedEntrySize ||
        declaredUncompressed / compressedSize > limits.maxCompressionRatio)
      return r.error("uncompressed size",
                     "(" + hex(declaredUncompressed) + ") is zero or implausible for " +
                         std::to_string(compressedSize) +
                         " compressed bytes (a decompression bomb, or a corrupt header)");
    entry.stored = r.view.slice(payloadStart, compressedSize);
    entry.uncompressedSize = declaredUncompressed;
  }

  uint32_t nameOffset = r.field<uint32_t>(kNameOffset);
  uint32_t nameLength = r.field<uint32_t>(kNameLength);
  if (nameLength != 0) {
    if (uint64_t{nameOffset} + nameLength > headerSize)
      return r.error("name", "(" + hex(nameOffset) + ", " + std::to_string(nameLength) +
                                 " bytes) runs past the entry header (size " + hex(headerSize) +
                                 ")");
    entry.sourceName = r.view.text(r.at + nameOffset, nameLength);
  }
  auto options = readOptions(r, headerSize);
  if (!options)
    return std::move(options).takeError();
  entry.options = std::move(*options);
  return entry;
}

} // namespace

Expected<uint64_t> containerSize(std::span<const std::byte> bytes, uint64_t base,
                                 const Limits& limits) {
  ByteView view(bytes);
  if (auto magic = view.read<uint32_t>(0); magic && *magic != kContainerMagic)
    return fieldError(kContainer, base, "magic",
                      "is " + hex(*magic) + ", expected " + hex(kContainerMagic) +
                          " (this is not a fatbin container)");
  if (!view.contains(0, kContainerHeaderSize))
    return fieldError(kContainer, base, "header",
                      "is truncated: 16 bytes needed, " + std::to_string(view.size()) + " left");
  auto headerSize = *view.read<uint16_t>(6);
  if (headerSize != kContainerHeaderSize)
    return fieldError(kContainer, base, "header size",
                      "is " + std::to_string(headerSize) + ", expected 16");
  auto payloadSize = *view.read<uint64_t>(8);
  if (payloadSize > limits.maxContainerSize - kContainerHeaderSize)
    return fieldError(kContainer, base, "payload size",
                      "(" + hex(payloadSize) + ") exceeds the " + hex(limits.maxContainerSize) +
                          "-byte limit");
  return kContainerHeaderSize + payloadSize;
}

Expected<Fatbin> parseContainer(std::span<const std::byte> bytes, uint64_t base,
                                const Limits& limits) {
  auto size = containerSize(bytes, base, limits);
  if (!size)
    return std::move(size).takeError();
  ByteView view(bytes);
  if (*size > view.size())
    return fieldError(kContainer, base, "payload size",
                      "(" + hex(*size - kContainerHeaderSize) +
                          ") runs past the end of the data (" +
                          hex(view.size() - kContainerHeaderSize) + " bytes left)");
  Fatbin fatbin;
  fatbin.offset = base;
  fatbin.size = *size;
  for (uint64_t at = kContainerHeaderSize; at < *size;) {
    EntryReader reader{view, at, base};
    auto entry = parseEntry(reader, *size, limits);
    if (!entry)
      return std::move(entry).takeError();
    at += *view.read<uint32_t>(at + kHeaderSize) + *view.read<uint64_t>(at + kPayloadSize);
    fatbin.entries.push_back(std::move(*entry));
  }
  return fatbin;
}

} // namespace drawbridge::fatbin::detail

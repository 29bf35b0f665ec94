// The NVIDIA fatbinary data model: containers (fatbins) holding PTX and ELF (SASS) entries.
// Layouts are those nvcc 13 writes; see DESIGN.md, "Facts the shim must honour".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace drawbridge::fatbin {

inline constexpr uint32_t kWrapperMagic = 0x466243B1;
inline constexpr uint32_t kContainerMagic = 0xBA55ED50;
inline constexpr size_t kWrapperSize = 24;
inline constexpr size_t kContainerHeaderSize = 16;
inline constexpr size_t kMinEntryHeaderSize = 64;

/// __fatBinC_Wrapper_t: what nvcc's constructors pass to __cudaRegisterFatBinary.
struct Wrapper {
  uint32_t magic;
  uint32_t version;  // 1, or 2 for a device-link wrapper with a prelinked list
  const void* data;  // the fatbin container
  const void* extra; // version 2: NULL-terminated list of relocatable fatbins
};
static_assert(sizeof(Wrapper) == kWrapperSize);

/// The entry kinds nvcc writes. Other values are kept and reported by number.
enum class EntryKind : uint16_t { Ptx = 1, Elf = 2 };

enum class Compression { None, Lz4, Zstd };

/// Entry flag bits whose meaning is known.
inline constexpr uint64_t kFlag64Bit = 0x1;
inline constexpr uint64_t kFlagLinux = 0x10;
inline constexpr uint64_t kFlagLz4 = 0x2000;
inline constexpr uint64_t kFlagZstd = 0x8000;

struct Entry {
  uint16_t kind = 0; // EntryKind value, or an unknown kind kept as read
  uint32_t smArch = 0;
  uint16_t versionMajor = 0; // PTX ISA version for PTX entries
  uint16_t versionMinor = 0;
  uint64_t flags = 0;
  Compression compression = Compression::None;
  std::string sourceName; // the .cu file, when nvcc recorded it (-lineinfo, -G)
  std::string options;    // ptxas options nvcc recorded with the entry
  uint64_t offset = 0;    // of the entry header, in the source it was read from
  /// The stored bytes: compressed data when compressed, else the whole padded payload.
  std::span<const std::byte> stored;
  uint64_t uncompressedSize = 0; // declared by the header; equals stored.size() when uncompressed

  bool isPtx() const { return kind == static_cast<uint16_t>(EntryKind::Ptx); }
  bool isElf() const { return kind == static_cast<uint16_t>(EntryKind::Elf); }
};

/// How a fatbin was reached.
enum class Origin {
  Bare,      // a file holding only fatbin containers
  Wrapper,   // a __fatBinC_Wrapper_t (ELF .nvFatBinSegment, or a registered pointer)
  Prelinked, // the relocatable-fatbin list of a version-2 (-rdc=true device-link) wrapper
  Section,   // found by scanning a fatbin section (relocatable objects)
};

struct Fatbin {
  Origin origin = Origin::Bare;
  uint32_t wrapperVersion = 0; // 1 or 2 when reached through a wrapper
  uint64_t wrapperOffset = 0;  // of the wrapper, when there is one
  std::string section;         // ELF section holding the container ("" elsewhere)
  uint64_t offset = 0;         // of the container header
  uint64_t size = 0;           // header plus payload
  std::vector<Entry> entries;
};

/// Bounds that keep a hostile input from taking unbounded memory.
struct Limits {
  uint64_t maxContainerSize = uint64_t{1} << 31;
  uint64_t maxUncompressedEntrySize = uint64_t{1} << 30;
  uint64_t maxCompressionRatio = 4096;
  size_t maxPrelinkedFatbins = 65536;
};

std::string_view kindName(uint16_t kind);
std::string_view compressionName(Compression compression);
/// "sm_80" for ELF entries, "compute_80" for PTX entries.
std::string archName(const Entry& entry);

} // namespace drawbridge::fatbin

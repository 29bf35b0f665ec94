// A bounds-checked reader for 64-bit little-endian ELF files: host executables and libraries,
// relocatable objects, and the cubins inside fatbins.
#pragma once

#include "ByteView.h"

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace drawbridge::fatbin::detail {

inline constexpr uint32_t kSectionNull = 0;
inline constexpr uint32_t kSectionNoBits = 8;

struct Section {
  std::string name;
  uint32_t type = 0;
  uint64_t address = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t link = 0;
  uint64_t headerOffset = 0;

  bool hasFileBytes() const { return type != kSectionNoBits && type != kSectionNull; }
};

bool looksLikeElf(std::span<const std::byte> bytes);

class ElfFile {
public:
  explicit ElfFile(std::span<const std::byte> bytes) : view_(bytes) {}

  /// Reads and checks the headers; every later query stays inside the file.
  std::optional<Error> load();

  const ByteView& view() const { return view_; }
  const std::vector<Section>& sections() const { return sections_; }
  const Section* find(std::string_view name) const;
  bool isRelocatable() const;

  /// The section whose file bytes hold `address`, with the file offset of that address.
  std::optional<std::pair<const Section*, uint64_t>> locate(uint64_t address) const;

  /// A pointer stored at `address` as the loaded program would see it (before load-base
  /// relocation): a RELATIVE relocation's addend in position-independent files, else the
  /// stored value, or zero in .bss.
  std::optional<uint64_t> pointerAt(uint64_t address) const;

  /// DT_NEEDED entries of the dynamic section: the shared libraries the file loads.
  std::vector<std::string> neededLibraries() const;

private:
  void loadRelocations();

  ByteView view_;
  uint16_t type_ = 0;
  std::vector<Section> sections_;
  std::unordered_map<uint64_t, uint64_t> relative_;
};

} // namespace drawbridge::fatbin::detail

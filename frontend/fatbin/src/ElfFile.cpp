#include "ElfFile.h"

#include <algorithm>
#include <cstring>

namespace drawbridge::fatbin::detail {
namespace {

constexpr std::string_view kElf = "ELF header";
constexpr std::string_view kSection = "ELF section header";

constexpr uint16_t kElfTypeRelocatable = 1;
constexpr uint32_t kSectionRela = 4;
constexpr uint32_t kSectionDynamic = 6;
constexpr uint32_t kRelocRelative = 8; // R_X86_64_RELATIVE
constexpr uint64_t kDynamicNeeded = 1; // DT_NEEDED
constexpr uint64_t kSectionHeaderSize = 64;
constexpr uint64_t kRelaSize = 24;
constexpr uint64_t kDynamicEntrySize = 16;

} // namespace

bool looksLikeElf(std::span<const std::byte> bytes) {
  static constexpr unsigned char kMagic[] = {0x7f, 'E', 'L', 'F'};
  return bytes.size() >= 4 && std::memcmp(bytes.data(), kMagic, 4) == 0;
}

std::optional<Error> ElfFile::load() {
  if (view_.size() < 64)
    return fieldError(kElf, 0, "e_ident",
                      "is truncated: the file has only " + std::to_string(view_.size()) + " bytes");
  auto cls = *view_.read<uint8_t>(4), data = *view_.read<uint8_t>(5);
  if (cls != 2 || data != 1)
    return fieldError(kElf, 4, "EI_CLASS/EI_DATA",
                      "is not 64-bit little-endian; CUDA 13 binaries always are");
  type_ = *view_.read<uint16_t>(16);
  auto shoff = *view_.read<uint64_t>(0x28);
  auto shentsize = *view_.read<uint16_t>(0x3a);
  auto shnum = *view_.read<uint16_t>(0x3c);
  auto shstrndx = *view_.read<uint16_t>(0x3e);
  if (shnum == 0)
    return fieldError(kElf, 0x3c, "e_shnum",
                      "is 0: the file has no section headers, so its fatbins cannot be found");
  if (shentsize != kSectionHeaderSize)
    return fieldError(kElf, 0x3a, "e_shentsize",
                      "is " + std::to_string(shentsize) + ", expected 64");
  if (!view_.contains(shoff, uint64_t{shnum} * kSectionHeaderSize))
    return fieldError(kElf, 0x28, "e_shoff",
                      "(" + hex(shoff) + ") puts " + std::to_string(shnum) +
                          " section headers past the end of the file");
  if (shstrndx >= shnum)
    return fieldError(kElf, 0x3e, "e_shstrndx",
                      "(" + std::to_string(shstrndx) + ") is not a section index");

  sections_.resize(shnum);
  for (uint16_t i = 0; i < shnum; ++i) {
    uint64_t at = shoff + i * kSectionHeaderSize;
    Section& s = sections_[i];
    s.headerOffset = at;
    s.type = *view_.read<uint32_t>(at + 4);
    s.address = *view_.read<uint64_t>(at + 16);
    s.offset = *view_.read<uint64_t>(at + 24);
    s.size = *view_.read<uint64_t>(at + 32);
    s.link = *view_.read<uint32_t>(at + 40);
    if (s.hasFileBytes() && !view_.contains(s.offset, s.size))
      return fieldError(kSection, at, "sh_offset/sh_size",
                        "(" + hex(s.offset) + ", " + hex(s.size) +
                            ") run past the end of the file");
  }
  const Section& names = sections_[shstrndx];
  if (!names.hasFileBytes())
    return fieldError(kSection, names.headerOffset, "sh_type",
                      "of the section-name table has no bytes in the file");
  for (uint16_t i = 0; i < shnum; ++i) {
    uint32_t nameOffset = *view_.read<uint32_t>(sections_[i].headerOffset);
    if (nameOffset >= names.size)
      return fieldError(kSection, sections_[i].headerOffset, "sh_name",
                        "(" + hex(nameOffset) + ") is outside the section-name table");
    sections_[i].name = view_.text(names.offset + nameOffset, names.size - nameOffset);
  }
  loadRelocations();
  return std::nullopt;
}

void ElfFile::loadRelocations() {
  for (const auto& s : sections_) {
    if (s.type != kSectionRela || s.name != ".rela.dyn")
      continue;
    for (uint64_t at = s.offset; at + kRelaSize <= s.offset + s.size; at += kRelaSize) {
      auto info = *view_.read<uint64_t>(at + 8);
      if ((info & 0xffffffff) == kRelocRelative)
        relative_[*view_.read<uint64_t>(at)] = *view_.read<uint64_t>(at + 16);
    }
  }
}

const Section* ElfFile::find(std::string_view name) const {
  auto it = std::find_if(sections_.begin(), sections_.end(),
                         [&](const Section& s) { return s.name == name; });
  return it == sections_.end() ? nullptr : &*it;
}

bool ElfFile::isRelocatable() const {
  return type_ == kElfTypeRelocatable;
}

std::optional<std::pair<const Section*, uint64_t>> ElfFile::locate(uint64_t address) const {
  for (const auto& s : sections_)
    if (s.hasFileBytes() && s.address != 0 && address >= s.address && address - s.address < s.size)
      return std::pair{&s, s.offset + (address - s.address)};
  return std::nullopt;
}

std::optional<uint64_t> ElfFile::pointerAt(uint64_t address) const {
  if (auto it = relative_.find(address); it != relative_.end())
    return it->second;
  bool inBss = std::any_of(sections_.begin(), sections_.end(), [&](const Section& s) {
    return s.type == kSectionNoBits && address >= s.address && address - s.address < s.size;
  });
  if (inBss)
    return 0;
  auto where = locate(address);
  if (!where)
    return std::nullopt;
  return view_.read<uint64_t>(where->second);
}

std::vector<std::string> ElfFile::neededLibraries() const {
  std::vector<std::string> needed;
  for (const auto& s : sections_) {
    if (s.type != kSectionDynamic || s.link >= sections_.size())
      continue;
    const Section& strings = sections_[s.link];
    if (!strings.hasFileBytes())
      continue;
    for (uint64_t at = s.offset; at + kDynamicEntrySize <= s.offset + s.size;
         at += kDynamicEntrySize) {
      auto tag = *view_.read<uint64_t>(at);
      auto value = *view_.read<uint64_t>(at + 8);
      if (tag == kDynamicNeeded && value < strings.size)
        needed.push_back(view_.text(strings.offset + value, strings.size - value));
    }
  }
  return needed;
}

} // namespace drawbridge::fatbin::detail

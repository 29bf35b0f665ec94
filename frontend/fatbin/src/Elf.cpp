#include "Elf.h"

#include "Container.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <unordered_map>

namespace drawbridge::fatbin::detail {
namespace {

constexpr std::string_view kElf = "ELF header";
constexpr std::string_view kSection = "ELF section header";
constexpr std::string_view kWrapper = "fatbin wrapper";

constexpr uint16_t kElfTypeRelocatable = 1;
constexpr uint32_t kSectionNull = 0;
constexpr uint32_t kSectionNoBits = 8;
constexpr uint32_t kSectionRela = 4;
constexpr uint32_t kRelocRelative = 8; // R_X86_64_RELATIVE
constexpr uint64_t kSectionHeaderSize = 64;
constexpr uint64_t kRelaSize = 24;
// Sections where nvcc puts containers: whole-program and relocatable (-rdc) device code.
constexpr std::string_view kFatbinSections[] = {".nv_fatbin", "__nv_relfatbin"};

struct Section {
  std::string name;
  uint32_t type = 0;
  uint64_t address = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t headerOffset = 0;
};

class ElfFile {
public:
  explicit ElfFile(std::span<const std::byte> bytes) : view_(bytes) {}

  std::optional<Error> load();
  const Section* find(std::string_view name) const {
    auto it = std::find_if(sections_.begin(), sections_.end(),
                           [&](const Section& s) { return s.name == name; });
    return it == sections_.end() ? nullptr : &*it;
  }
  bool isRelocatable() const { return type_ == kElfTypeRelocatable; }
  const ByteView& view() const { return view_; }

  /// The section whose file bytes hold `address`, with the file offset of that address.
  std::optional<std::pair<const Section*, uint64_t>> locate(uint64_t address) const {
    for (const auto& s : sections_)
      if (s.type != kSectionNoBits && s.type != kSectionNull && s.address != 0 &&
          address >= s.address && address - s.address < s.size)
        return std::pair{&s, s.offset + (address - s.address)};
    return std::nullopt;
  }
  bool inNoBits(uint64_t address) const {
    return std::any_of(sections_.begin(), sections_.end(), [&](const Section& s) {
      return s.type == kSectionNoBits && address >= s.address && address - s.address < s.size;
    });
  }

  /// A pointer stored at `address` as the loaded program would see it (before load-base
  /// relocation): a RELATIVE relocation's addend in position-independent files, else the
  /// stored value, or zero in .bss.
  std::optional<uint64_t> pointerAt(uint64_t address) const {
    if (auto it = relative_.find(address); it != relative_.end())
      return it->second;
    if (inNoBits(address))
      return 0;
    auto where = locate(address);
    if (!where)
      return std::nullopt;
    return view_.read<uint64_t>(where->second);
  }

private:
  std::optional<Error> loadRelocations();

  ByteView view_;
  uint16_t type_ = 0;
  std::vector<Section> sections_;
  std::unordered_map<uint64_t, uint64_t> relative_;
};

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
    if (s.type != kSectionNoBits && s.type != kSectionNull && !view_.contains(s.offset, s.size))
      return fieldError(kSection, at, "sh_offset/sh_size",
                        "(" + hex(s.offset) + ", " + hex(s.size) +
                            ") run past the end of the file");
  }
  const Section& names = sections_[shstrndx];
  if (names.type == kSectionNoBits || names.type == kSectionNull)
    return fieldError(kSection, names.headerOffset, "sh_type",
                      "of the section-name table has no bytes in the file");
  for (uint16_t i = 0; i < shnum; ++i) {
    uint32_t nameOffset = *view_.read<uint32_t>(sections_[i].headerOffset);
    if (nameOffset >= names.size)
      return fieldError(kSection, sections_[i].headerOffset, "sh_name",
                        "(" + hex(nameOffset) + ") is outside the section-name table");
    sections_[i].name = view_.text(names.offset + nameOffset, names.size - nameOffset);
  }
  return loadRelocations();
}

std::optional<Error> ElfFile::loadRelocations() {
  for (const auto& s : sections_) {
    if (s.type != kSectionRela || s.name != ".rela.dyn")
      continue;
    for (uint64_t at = s.offset; at + kRelaSize <= s.offset + s.size; at += kRelaSize) {
      auto info = *view_.read<uint64_t>(at + 8);
      if ((info & 0xffffffff) == kRelocRelative)
        relative_[*view_.read<uint64_t>(at)] = *view_.read<uint64_t>(at + 16);
    }
  }
  return std::nullopt;
}

Expected<Fatbin> containerAt(const ElfFile& elf, uint64_t address, std::string_view what,
                             uint64_t referrer, const Limits& limits) {
  auto where = elf.locate(address);
  if (!where)
    return fieldError(what, referrer, "fatbin pointer",
                      "(" + hex(address) + ") does not point into any section of the file");
  auto [section, fileOffset] = *where;
  uint64_t available = section->offset + section->size - fileOffset;
  auto fatbin = parseContainer(elf.view().slice(fileOffset, available), fileOffset, limits);
  if (!fatbin)
    return std::move(fatbin).takeError();
  fatbin->section = section->name;
  return fatbin;
}

Expected<std::vector<Fatbin>> readPrelinkedList(const ElfFile& elf, uint64_t listAddress,
                                                uint64_t wrapperOffset, const Limits& limits) {
  std::vector<Fatbin> result;
  for (size_t i = 0;; ++i) {
    if (i == limits.maxPrelinkedFatbins)
      return fieldError(kWrapper, wrapperOffset, "prelinked fatbin list",
                        "has no NULL terminator within " + std::to_string(i) + " entries");
    auto pointer = elf.pointerAt(listAddress + i * 8);
    if (!pointer)
      return fieldError(kWrapper, wrapperOffset, "prelinked fatbin list",
                        "(" + hex(listAddress) + ") does not point into the file");
    if (*pointer == 0)
      return result;
    auto fatbin = containerAt(elf, *pointer, kWrapper, wrapperOffset, limits);
    if (!fatbin)
      return std::move(fatbin).takeError();
    fatbin->origin = Origin::Prelinked;
    result.push_back(std::move(*fatbin));
  }
}

Expected<std::vector<Fatbin>> readWrappers(const ElfFile& elf, const Section& segment,
                                           const Limits& limits) {
  if (segment.type == kSectionNoBits || segment.type == kSectionNull)
    return fieldError(kSection, segment.headerOffset, "sh_type",
                      "of .nvFatBinSegment has no bytes in the file");
  if (segment.size % kWrapperSize != 0)
    return fieldError(kSection, segment.headerOffset, "sh_size",
                      "of .nvFatBinSegment (" + std::to_string(segment.size) +
                          ") is not a multiple of the 24-byte wrapper");
  std::vector<Fatbin> result;
  for (uint64_t i = 0; i < segment.size / kWrapperSize; ++i) {
    uint64_t at = segment.offset + i * kWrapperSize;
    uint64_t address = segment.address + i * kWrapperSize;
    auto magic = *elf.view().read<uint32_t>(at);
    auto version = *elf.view().read<uint32_t>(at + 4);
    if (magic != kWrapperMagic)
      return fieldError(kWrapper, at, "magic",
                        "is " + hex(magic) + ", expected " + hex(kWrapperMagic));
    if (version != 1 && version != 2)
      return fieldError(kWrapper, at, "version",
                        "is " + std::to_string(version) + ", expected 1 or 2");
    auto data = elf.pointerAt(address + 8);
    if (!data)
      return fieldError(kWrapper, at, "fatbin pointer", "cannot be read");
    auto fatbin = containerAt(elf, *data, kWrapper, at, limits);
    if (!fatbin)
      return std::move(fatbin).takeError();
    fatbin->origin = Origin::Wrapper;
    fatbin->wrapperVersion = version;
    fatbin->wrapperOffset = at;
    result.push_back(std::move(*fatbin));
    if (version != 2)
      continue;
    auto list = elf.pointerAt(address + 16);
    if (list && *list != 0) {
      auto prelinked = readPrelinkedList(elf, *list, at, limits);
      if (!prelinked)
        return std::move(prelinked).takeError();
      std::move(prelinked->begin(), prelinked->end(), std::back_inserter(result));
    }
  }
  return result;
}

Expected<std::vector<Fatbin>> scanSections(const ElfFile& elf, const Limits& limits) {
  std::vector<Fatbin> result;
  for (auto name : kFatbinSections) {
    const Section* s = elf.find(name);
    if (!s || s->type == kSectionNoBits || s->type == kSectionNull)
      continue;
    // Containers are laid end to end, each aligned to 8 bytes.
    for (uint64_t at = 0; at + kContainerHeaderSize <= s->size;) {
      uint64_t fileOffset = s->offset + at;
      if (elf.view().read<uint64_t>(fileOffset) == 0) { // alignment padding
        at += 8;
        continue;
      }
      auto fatbin = parseContainer(elf.view().slice(fileOffset, s->size - at), fileOffset, limits);
      if (!fatbin)
        return std::move(fatbin).takeError();
      fatbin->origin = Origin::Section;
      fatbin->section = s->name;
      at += (fatbin->size + 7) & ~uint64_t{7};
      result.push_back(std::move(*fatbin));
    }
  }
  return result;
}

} // namespace

bool looksLikeElf(std::span<const std::byte> bytes) {
  static constexpr unsigned char kMagic[] = {0x7f, 'E', 'L', 'F'};
  return bytes.size() >= 4 && std::memcmp(bytes.data(), kMagic, 4) == 0;
}

Expected<std::vector<Fatbin>> readElfFatbins(std::span<const std::byte> bytes,
                                             const Limits& limits) {
  ElfFile elf(bytes);
  if (auto error = elf.load())
    return std::move(*error);
  const Section* segment = elf.find(".nvFatBinSegment");
  if (segment && !elf.isRelocatable())
    return readWrappers(elf, *segment, limits);
  return scanSections(elf, limits);
}

} // namespace drawbridge::fatbin::detail

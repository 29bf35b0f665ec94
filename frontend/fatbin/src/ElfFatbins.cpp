#include "ElfFatbins.h"

#include "Container.h"
#include "ElfFile.h"

#include <iterator>

namespace drawbridge::fatbin::detail {
namespace {

constexpr std::string_view kSection = "ELF section header";
constexpr std::string_view kWrapper = "fatbin wrapper";
// Sections where nvcc puts containers: whole-program and relocatable (-rdc) device code.
constexpr std::string_view kFatbinSections[] = {".nv_fatbin", "__nv_relfatbin"};

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
  if (!segment.hasFileBytes())
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
    if (!s || !s->hasFileBytes())
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

Expected<std::vector<Fatbin>> readElfFatbins(const ElfFile& elf, const Limits& limits) {
  const Section* segment = elf.find(".nvFatBinSegment");
  if (segment && !elf.isRelocatable())
    return readWrappers(elf, *segment, limits);
  return scanSections(elf, limits);
}

} // namespace drawbridge::fatbin::detail

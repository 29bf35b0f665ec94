#include "drawbridge/fatbin/Image.h"

#include "ByteView.h"
#include "Container.h"
#include "ElfFatbins.h"
#include "ElfFile.h"
#include "Memory.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace drawbridge::fatbin {

Expected<Image> Image::open(const std::string& path, const Limits& limits) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{"cannot open '" + path + "': " + std::strerror(errno)};
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  auto image = fromBytes(std::move(bytes), limits);
  if (!image)
    return Error{path + ": " + image.error().message};
  return image;
}

Expected<Image> Image::fromBytes(std::vector<std::byte> bytes, const Limits& limits) {
  bool elf = detail::looksLikeElf(bytes);
  Image image(elf ? Format::Elf : Format::BareFatbin, std::move(bytes));
  std::span<const std::byte> data = image.storage_;
  if (elf) {
    detail::ElfFile file(data);
    if (auto error = file.load())
      return std::move(*error);
    auto fatbins = detail::readElfFatbins(file, limits);
    if (!fatbins)
      return std::move(fatbins).takeError();
    image.fatbins_ = std::move(*fatbins);
    image.neededLibraries_ = file.neededLibraries();
    return image;
  }
  // A bare fatbin file: containers end to end, as `nvcc -fatbin` and `fatbinary` write them.
  for (uint64_t at = 0; at < data.size();) {
    auto fatbin = detail::parseContainer(data.subspan(at), at, limits);
    if (!fatbin && at == 0)
      return Error{"neither an ELF file nor a fatbin: " + fatbin.error().message};
    if (!fatbin)
      return std::move(fatbin).takeError();
    at += (fatbin->size + 7) & ~uint64_t{7};
    image.fatbins_.push_back(std::move(*fatbin));
  }
  if (image.fatbins_.empty())
    return Error{"the file is empty: neither an ELF file nor a fatbin"};
  return image;
}

Expected<Image> Image::fromRegisteredWrapper(const void* wrapper, const Limits& limits) {
  auto fatbins = detail::readRegisteredWrapper(wrapper, limits);
  if (!fatbins)
    return std::move(fatbins).takeError();
  Image image(Format::Memory, {});
  image.fatbins_ = std::move(*fatbins);
  return image;
}

} // namespace drawbridge::fatbin

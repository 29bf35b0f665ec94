#include "Memory.h"

#include "Container.h"

#include <cstdint>
#include <cstring>

namespace drawbridge::fatbin::detail {
namespace {

constexpr std::string_view kWrapper = "registered fatbin wrapper";

uint64_t addressOf(const void* p) {
  return reinterpret_cast<uintptr_t>(p);
}

// In our own address space the container's extent is known only from its header: read the
// header first, then trust the (limited) size it declares, as the CUDA runtime does.
Expected<Fatbin> containerAt(const void* data, const Limits& limits) {
  auto header = std::span(static_cast<const std::byte*>(data), kContainerHeaderSize);
  auto size = containerSize(header, addressOf(data), limits);
  if (!size)
    return std::move(size).takeError();
  return parseContainer(std::span(static_cast<const std::byte*>(data), *size), addressOf(data),
                        limits);
}

} // namespace

Expected<std::vector<Fatbin>> readRegisteredWrapper(const void* wrapper, const Limits& limits) {
  if (!wrapper)
    return Error{"registered fatbin wrapper is a null pointer"};
  Wrapper layout;
  std::memcpy(&layout, wrapper, sizeof layout);
  uint64_t at = addressOf(wrapper);
  if (layout.magic != kWrapperMagic)
    return fieldError(kWrapper, at, "magic",
                      "is " + hex(layout.magic) + ", expected " + hex(kWrapperMagic));
  if (layout.version != 1 && layout.version != 2)
    return fieldError(kWrapper, at, "version",
                      "is " + std::to_string(layout.version) + ", expected 1 or 2");
  if (!layout.data)
    return fieldError(kWrapper, at, "fatbin pointer", "is null");

  std::vector<Fatbin> result;
  auto main = containerAt(layout.data, limits);
  if (!main)
    return std::move(main).takeError();
  main->origin = Origin::Wrapper;
  main->wrapperVersion = layout.version;
  main->wrapperOffset = at;
  result.push_back(std::move(*main));
  if (layout.version != 2 || !layout.extra)
    return result;

  auto list = static_cast<const void* const*>(layout.extra);
  for (size_t i = 0; list[i]; ++i) {
    if (i == limits.maxPrelinkedFatbins)
      return fieldError(kWrapper, at, "prelinked fatbin list",
                        "has no NULL terminator within " + std::to_string(i) + " entries");
    auto fatbin = containerAt(list[i], limits);
    if (!fatbin)
      return std::move(fatbin).takeError();
    fatbin->origin = Origin::Prelinked;
    result.push_back(std::move(*fatbin));
  }
  return result;
}

} // namespace drawbridge::fatbin::detail

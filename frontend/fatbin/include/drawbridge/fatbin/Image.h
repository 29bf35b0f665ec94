// Finding every fatbin in an ELF executable or shared library, a bare fatbin file, or the
// wrapper pointer a program passes to __cudaRegisterFatBinary.
#pragma once

#include "drawbridge/fatbin/Fatbin.h"
#include "drawbridge/support/Expected.h"

#include <string>
#include <vector>

namespace drawbridge::fatbin {

class Image {
public:
  enum class Format { Elf, BareFatbin, Memory };

  /// Reads a file: an ELF executable, shared library or object, or a bare fatbin.
  static Expected<Image> open(const std::string& path, const Limits& limits = {});
  /// Same as open(), for bytes already in memory.
  static Expected<Image> fromBytes(std::vector<std::byte> bytes, const Limits& limits = {});
  /// Reads a live __fatBinC_Wrapper_t, as the shim receives it from the program's constructors.
  /// Offsets in the result are addresses.
  static Expected<Image> fromRegisteredWrapper(const void* wrapper, const Limits& limits = {});

  Image(Image&&) = default;
  Image& operator=(Image&&) = default;
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  Format format() const { return format_; }
  const std::vector<Fatbin>& fatbins() const { return fatbins_; }
  /// The shared libraries an ELF file loads (DT_NEEDED), e.g. libcudart.so.13 for a program
  /// built with -cudart shared. Empty for other formats and for static executables.
  const std::vector<std::string>& neededLibraries() const { return neededLibraries_; }

private:
  Image(Format format, std::vector<std::byte> storage)
      : format_(format), storage_(std::move(storage)) {}

  Format format_;
  std::vector<std::byte> storage_; // entries' spans point here (moves keep the buffer)
  std::vector<Fatbin> fatbins_;
  std::vector<std::string> neededLibraries_;
};

} // namespace drawbridge::fatbin

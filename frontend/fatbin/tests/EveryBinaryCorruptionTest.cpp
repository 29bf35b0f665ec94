// Corrupted copies of every nvcc-built test binary: each structure the reader walks (wrapper,
// container, entry header, compressed payload) is damaged in turn, in every fatbin and entry,
// and each copy must be refused with an error naming the field, or fail cleanly on decoding.
#include "TestBinaries.h"
#include "drawbridge/fatbin/Payload.h"

#include <cstring>
#include <gtest/gtest.h>

namespace drawbridge::fatbin::test {
namespace {

template <typename T> std::vector<std::byte> with(std::vector<std::byte> bytes, uint64_t at, T v) {
  std::memcpy(bytes.data() + at, &v, sizeof v);
  return bytes;
}

void expectRefused(std::vector<std::byte> bytes, const char* field, const std::string& where) {
  auto image = Image::fromBytes(std::move(bytes));
  ASSERT_FALSE(image) << where << ": corrupted " << field << " was accepted";
  EXPECT_NE(image.error().message.find(field), std::string::npos)
      << where << ": " << image.error().message;
  EXPECT_NE(image.error().message.find(" at offset 0x"), std::string::npos)
      << where << ": " << image.error().message;
}

class EveryBinary : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryBinary, EveryStructureCorruptedIsRefused) {
  const std::string name = GetParam();
  auto original = readBytes(testbin(name));
  Image image = openTestbin(name);
  ASSERT_FALSE(image.fatbins().empty());
  for (size_t i = 0; i < image.fatbins().size(); ++i) {
    const Fatbin& f = image.fatbins()[i];
    std::string where = name + " fatbin " + std::to_string(i);
    if (f.origin == Origin::Wrapper && image.format() == Image::Format::Elf)
      expectRefused(with<uint32_t>(original, f.wrapperOffset, 0), "magic", where + " wrapper");
    expectRefused(with<uint32_t>(original, f.offset, 0xdeadbeef), "magic", where + " container");
    expectRefused(with<uint64_t>(original, f.offset + 8, uint64_t{1} << 40), "payload size",
                  where + " container");
    for (size_t j = 0; j < f.entries.size(); ++j) {
      const Entry& e = f.entries[j];
      std::string entryWhere = where + " entry " + std::to_string(j);
      expectRefused(with<uint32_t>(original, e.offset + 4, 12), "header size", entryWhere);
      expectRefused(with<uint64_t>(original, e.offset + 8, uint64_t{1} << 40), "payload size",
                    entryWhere);
      if (e.compression == Compression::None)
        continue;
      // The header stays valid, so reading succeeds; decoding must then fail cleanly.
      auto damaged =
          Image::fromBytes(with<uint64_t>(original, e.offset + 56, e.uncompressedSize - 1));
      ASSERT_TRUE(damaged) << entryWhere << ": " << damaged.error().message;
      auto decoded = decompress(damaged->fatbins()[i].entries[j]);
      ASSERT_FALSE(decoded) << entryWhere << ": wrong declared size was not noticed";
      EXPECT_NE(decoded.error().message.find("uncompressed size"), std::string::npos)
          << entryWhere << ": " << decoded.error().message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Nvcc13, EveryBinary,
                         ::testing::Values("kernels_default", "kernels_speed", "kernels_size",
                                           "kernels_nocompress", "kernels_sass_only",
                                           "libkernels.so", "kernels_lineinfo", "rdc",
                                           "kernels.fatbin", "kernels.o"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           return n;
                         });

} // namespace
} // namespace drawbridge::fatbin::test

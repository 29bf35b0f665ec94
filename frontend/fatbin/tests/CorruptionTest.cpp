// Corrupted copies of real nvcc outputs: each must give an error that names the field and the
// offset, never a crash or a read past the buffer (the fuzzer covers the space in between).
#include "TestBinaries.h"
#include "drawbridge/fatbin/Payload.h"

#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <zstd.h>

namespace drawbridge::fatbin::test {
namespace {

template <typename T> void poke(std::vector<std::byte>& bytes, uint64_t at, T value) {
  ASSERT_LE(at + sizeof(T), bytes.size());
  std::memcpy(bytes.data() + at, &value, sizeof(T));
}

void expectError(const Expected<Image>& image, std::initializer_list<const char*> fragments) {
  ASSERT_FALSE(image) << "corrupted input was accepted";
  for (const char* fragment : fragments)
    EXPECT_NE(image.error().message.find(fragment), std::string::npos)
        << "missing '" << fragment << "' in: " << image.error().message;
}

std::string hexOffset(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "offset 0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// The position of the unit's PTX entry header in `binary`.
uint64_t ptxEntryOffset(const std::string& binary) {
  Image image = openTestbin(binary);
  auto ptx = ptxEntries(image);
  EXPECT_FALSE(ptx.empty());
  return ptx.empty() ? 0 : ptx[0]->offset;
}

TEST(Corruption, NeitherElfNorFatbin) {
  std::string text = "#!/bin/sh\necho not a CUDA binary\n";
  std::vector<std::byte> bytes(text.size());
  std::memcpy(bytes.data(), text.data(), text.size());
  expectError(Image::fromBytes(bytes), {"fatbin container", "magic", "offset 0x0"});
}

TEST(Corruption, EmptyFile) {
  expectError(Image::fromBytes({}), {"empty"});
}

TEST(Corruption, BareFatbinTruncatedAtEveryPoint) {
  auto bytes = readBytes(testbin("kernels.fatbin"));
  ASSERT_GT(bytes.size(), 64u);
  for (size_t cut = 1; cut < bytes.size(); cut += 7) {
    std::vector<std::byte> prefix(bytes.begin(), bytes.begin() + cut);
    auto image = Image::fromBytes(std::move(prefix));
    ASSERT_FALSE(image) << "truncated at " << cut;
    EXPECT_NE(image.error().message.find("at offset 0x"), std::string::npos)
        << image.error().message;
    EXPECT_NE(image.error().message.find("field '"), std::string::npos) << image.error().message;
  }
}

TEST(Corruption, ElfTruncatedLosesSectionHeaders) {
  auto bytes = readBytes(testbin("kernels_default"));
  bytes.resize(bytes.size() / 2);
  expectError(Image::fromBytes(bytes), {"ELF header", "e_shoff"});
}

// Writes `value` at `at` into a copy of `binary` and expects the reader to refuse the copy.
template <typename T>
void expectRejected(const std::string& binary, uint64_t at, T value,
                    std::initializer_list<const char*> fragments) {
  auto bytes = readBytes(testbin(binary));
  poke<T>(bytes, at, value);
  expectError(Image::fromBytes(bytes), fragments);
}

TEST(Corruption, ElfWrongSectionHeaderSize) {
  expectRejected<uint16_t>("kernels_default", 0x3a, 40, {"e_shentsize", "expected 64"});
}

TEST(Corruption, Elf32IsRejectedByName) {
  expectRejected<uint8_t>("kernels_default", 4, 1, {"EI_CLASS", "64-bit"});
}

TEST(Corruption, WrapperMagic) {
  uint64_t wrapper = openTestbin("kernels_default").fatbins()[1].wrapperOffset;
  expectRejected<uint32_t>("kernels_default", wrapper, 0x12345678,
                           {"fatbin wrapper", "magic", hexOffset(wrapper).c_str()});
}

TEST(Corruption, WrapperVersion) {
  uint64_t wrapper = openTestbin("kernels_default").fatbins()[1].wrapperOffset;
  expectRejected<uint32_t>("kernels_default", wrapper + 4, 7, {"version", "expected 1 or 2"});
}

TEST(Corruption, ContainerMagic) {
  uint64_t container = openTestbin("kernels_default").fatbins()[1].offset;
  expectRejected<uint32_t>("kernels_default", container, 0,
                           {"fatbin container", "magic", hexOffset(container).c_str()});
}

TEST(Corruption, ContainerPayloadPastSection) {
  uint64_t container = openTestbin("kernels_default").fatbins()[1].offset;
  expectRejected<uint64_t>("kernels_default", container + 8, 0x100000,
                           {"payload size", "runs past the end"});
}

TEST(Corruption, ContainerPayloadAboveLimit) {
  expectRejected<uint64_t>("kernels.fatbin", 8, ~uint64_t{0}, {"payload size", "limit"});
}

struct EntryFieldCase {
  const char* name;
  uint64_t fieldOffset;
  uint64_t value;
  int width;
  const char* expected;
  friend void PrintTo(const EntryFieldCase& c, std::ostream* os) { *os << c.name; }
};

class EntryFields : public ::testing::TestWithParam<EntryFieldCase> {};

TEST_P(EntryFields, NamedInError) {
  const auto& c = GetParam();
  uint64_t entry = ptxEntryOffset("kernels_lineinfo");
  auto bytes = readBytes(testbin("kernels_lineinfo"));
  if (c.width == 2)
    poke<uint16_t>(bytes, entry + c.fieldOffset, static_cast<uint16_t>(c.value));
  else if (c.width == 4)
    poke<uint32_t>(bytes, entry + c.fieldOffset, static_cast<uint32_t>(c.value));
  else
    poke<uint64_t>(bytes, entry + c.fieldOffset, c.value);
  expectError(Image::fromBytes(bytes),
              {"fatbin entry header", c.expected, hexOffset(entry).c_str()});
}

INSTANTIATE_TEST_SUITE_P(
    Fields, EntryFields,
    ::testing::Values(
        EntryFieldCase{"HeaderTooSmall", 4, 8, 4, "header size"},
        EntryFieldCase{"HeaderPastContainer", 4, 0x7fffffff, 4, "header size"},
        EntryFieldCase{"PayloadPastContainer", 8, 0xffffffffff, 8, "payload size"},
        EntryFieldCase{"CompressedLargerThanPayload", 16, 0x7fffffff, 4, "compressed size"},
        EntryFieldCase{"OptionsOutsideHeader", 20, 0x7ffffff0, 4, "options offset"},
        EntryFieldCase{"NameOutsideHeader", 36, 0x10000, 4, "name"},
        EntryFieldCase{"BothCompressions", 40, 0xa011, 8, "both LZ4 and zstd"},
        EntryFieldCase{"DecompressionBomb", 56, uint64_t{1} << 40, 8, "decompression bomb"},
        EntryFieldCase{"ZeroUncompressedSize", 56, 0, 8, "uncompressed size"}),
    [](const auto& info) { return std::string(info.param.name); });

// Corrupting compressed bytes passes parsing; decompression must then fail cleanly.
struct PayloadCase {
  const char* binary;
  // zstd frames carry enough structure that most flips are caught; an LZ4 raw block has no
  // checksum, so a flipped literal decodes silently and only structural damage is detectable.
  double minimumDetected;
  friend void PrintTo(const PayloadCase& c, std::ostream* os) { *os << c.binary; }
};

class CompressedPayload : public ::testing::TestWithParam<PayloadCase> {};

TEST_P(CompressedPayload, SizeMismatchIsReported) {
  uint64_t entry = ptxEntryOffset(GetParam().binary);
  auto bytes = readBytes(testbin(GetParam().binary));
  uint64_t declared;
  std::memcpy(&declared, bytes.data() + entry + 56, 8);
  poke<uint64_t>(bytes, entry + 56, declared + 1);
  auto image = Image::fromBytes(bytes);
  ASSERT_TRUE(image) << image.error().message;
  auto text = ptxText(*ptxEntries(*image)[0]);
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find("uncompressed size"), std::string::npos)
      << text.error().message;
}

TEST_P(CompressedPayload, EveryByteFlippedNeverCrashes) {
  uint64_t entry = ptxEntryOffset(GetParam().binary);
  auto original = readBytes(testbin(GetParam().binary));
  uint32_t headerSize, stored;
  std::memcpy(&headerSize, original.data() + entry + 4, 4);
  std::memcpy(&stored, original.data() + entry + 16, 4);
  size_t failures = 0;
  for (uint32_t i = 0; i < stored; ++i) {
    auto bytes = original;
    bytes[entry + headerSize + i] ^= std::byte{0xff};
    auto image = Image::fromBytes(std::move(bytes));
    ASSERT_TRUE(image);
    auto text = ptxText(*ptxEntries(*image)[0]);
    if (!text) {
      ++failures;
      EXPECT_NE(text.error().message.find("fatbin entry at offset"), std::string::npos);
    }
  }
  EXPECT_GE(failures, static_cast<size_t>(stored * GetParam().minimumDetected));
}

INSTANTIATE_TEST_SUITE_P(Modes, CompressedPayload,
                         ::testing::Values(PayloadCase{"kernels_default", 0.5},
                                           PayloadCase{"kernels_speed", 0.0}),
                         [](const auto& info) { return std::string(info.param.binary); });

TEST(Corruption, RealZstdBombIsRefusedBeforeAllocation) {
  // 512 MiB of zeros compresses to a few KiB: far past any real PTX's ratio.
  const size_t huge = size_t{512} << 20;
  std::vector<char> zeros(huge, 0);
  std::vector<char> compressed(ZSTD_compressBound(huge));
  size_t csize = ZSTD_compress(compressed.data(), compressed.size(), zeros.data(), huge, 1);
  ASSERT_FALSE(ZSTD_isError(csize));
  uint64_t payload = (csize + 7) & ~size_t{7};
  std::vector<std::byte> fatbin(16 + 64 + payload);
  poke<uint32_t>(fatbin, 0, kContainerMagic);
  poke<uint16_t>(fatbin, 4, 1);
  poke<uint16_t>(fatbin, 6, 16);
  poke<uint64_t>(fatbin, 8, 64 + payload);
  poke<uint16_t>(fatbin, 16, 1);
  poke<uint32_t>(fatbin, 16 + 4, 64);
  poke<uint64_t>(fatbin, 16 + 8, payload);
  poke<uint32_t>(fatbin, 16 + 16, static_cast<uint32_t>(csize));
  poke<uint64_t>(fatbin, 16 + 40, kFlagZstd | kFlag64Bit);
  poke<uint64_t>(fatbin, 16 + 56, huge);
  std::memcpy(fatbin.data() + 80, compressed.data(), csize);
  expectError(Image::fromBytes(fatbin), {"uncompressed size", "decompression bomb"});
}

} // namespace
} // namespace drawbridge::fatbin::test

namespace drawbridge::fatbin::test {
namespace {

// Inputs the fuzzer once crashed on: each must now be a clean error.
TEST(FuzzRegressions, EveryFindingIsACleanError) {
  std::filesystem::path dir = DRAWBRIDGE_FUZZ_REGRESSIONS_DIR;
  size_t count = 0;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    auto image = Image::fromBytes(readBytes(file.path().string()));
    ASSERT_FALSE(image) << file.path() << " was accepted";
    EXPECT_NE(image.error().message.find("field '"), std::string::npos) << image.error().message;
    ++count;
  }
  EXPECT_GT(count, 0u);
}

} // namespace
} // namespace drawbridge::fatbin::test

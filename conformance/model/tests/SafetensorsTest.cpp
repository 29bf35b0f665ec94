#include "drawbridge/model/Safetensors.h"

#include "TempDir.h"
#include "drawbridge/model/Files.h"

#include <cstring>
#include <gtest/gtest.h>
#include <random>

using namespace drawbridge::model;
using drawbridge::model::testing::TempDir;

namespace {

std::vector<float> ramp(size_t n) {
  std::vector<float> values(n);
  for (size_t i = 0; i < n; ++i)
    values[i] = 0.37f * static_cast<float>(i) - 3.1f;
  return values;
}

TEST(Safetensors, RoundTripEachDType) {
  std::vector<float> a = ramp(6), b = ramp(35);
  for (DType dtype : {DType::F32, DType::F16, DType::BF16}) {
    std::vector<std::byte> bytes = encodeSafetensors(
        {{"a", dtype, {2, 3}, a}, {"b.weight", dtype, {5, 7}, b}}, {{"format", "pt"}});
    size_t headerLength = 0;
    std::memcpy(&headerLength, bytes.data(), 8);
    EXPECT_EQ(headerLength % 8, 0u); // data stays aligned
    auto file = parseSafetensors(bytes, "x.safetensors");
    ASSERT_TRUE(file) << file.error().message;
    ASSERT_EQ(file->tensors.size(), 2u);
    EXPECT_EQ(file->metadata.at(0), (std::pair<std::string, std::string>("format", "pt")));
    const TensorEntry* entry = file->find("b.weight");
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->shape, (std::vector<int64_t>{5, 7}));
    EXPECT_EQ(entry->dtype, dtype);
    std::vector<float> back = file->toFloat(*entry);
    ASSERT_EQ(back.size(), b.size());
    for (size_t i = 0; i < b.size(); ++i)
      EXPECT_EQ(back[i], roundTo(dtype, b[i])) << i;
  }
}

// A header-only file: `header` is the JSON text, followed by `dataSize` zero bytes.
std::vector<std::byte> withHeader(const std::string& header, size_t dataSize) {
  std::vector<std::byte> bytes(8 + header.size() + dataSize);
  uint64_t length = header.size();
  std::memcpy(bytes.data(), &length, 8);
  std::memcpy(bytes.data() + 8, header.data(), header.size());
  return bytes;
}

void expectError(const std::vector<std::byte>& bytes, const std::vector<std::string>& fragments) {
  auto file = parseSafetensors(bytes, "bad.safetensors");
  ASSERT_FALSE(file);
  for (const std::string& fragment : fragments)
    EXPECT_NE(file.error().message.find(fragment), std::string::npos)
        << "missing \"" << fragment << "\" in: " << file.error().message;
}

TEST(Safetensors, TruncatedAndBadHeaderLength) {
  expectError(std::vector<std::byte>(5), {"bad.safetensors", "truncated"});
  std::vector<std::byte> bytes = withHeader("{}", 0);
  bytes[0] = std::byte{0xFF}; // length 255 with only 2 bytes after it
  expectError(bytes, {"bad.safetensors", "header length 255"});
  bytes = withHeader("{}", 0);
  bytes[7] = std::byte{0x80}; // absurdly large
  expectError(bytes, {"header length"});
}

TEST(Safetensors, BadJsonAndBadEntries) {
  expectError(withHeader("{\"a\": ", 0), {"bad.safetensors", "not valid JSON"});
  expectError(withHeader("[1]", 0), {"must be a JSON object"});
  expectError(withHeader(R"({"w":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}})", 1),
              {"bad.safetensors", "\"w\"", "\"dtype\"", "I8"});
  expectError(withHeader(R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", 4),
              {"\"w\"", "\"shape\""});
  expectError(withHeader(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4),
              {"\"w\"", "\"shape\""});
  expectError(withHeader(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", 4),
              {"\"w\"", "\"data_offsets\""});
  expectError(withHeader(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 4),
              {"\"w\"", "begin 4 exceeds end 0"});
  expectError(withHeader(R"({"__metadata__":{"a":1}})", 0), {"__metadata__", "\"a\""});
  expectError(withHeader(R"({"w":[1]})", 0), {"\"w\"", "must be an object"});
}

TEST(Safetensors, OffsetsOutOfRangeOverlappingOrMismatched) {
  expectError(withHeader(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4),
              {"\"w\"", "\"data_offsets\"", "past the data section"});
  expectError(withHeader(R"({"w":{"dtype":"F16","shape":[2,3],"data_offsets":[0,8]}})", 8),
              {"\"w\"", "[2, 3]", "needs 12"});
  expectError(withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                         R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                         12),
              {"\"a\"", "\"b\"", "overlap"});
  expectError(
      withHeader(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})",
                 4),
      {"\"w\"", "too large"});
}

TEST(Safetensors, TruncatedRealFileNamesTheTensor) {
  std::vector<float> values = ramp(64);
  std::vector<std::byte> bytes = encodeSafetensors({{"layer", DType::F32, {64}, values}}, {});
  bytes.resize(bytes.size() - 3);
  expectError(bytes, {"\"layer\"", "truncated"});
  // Any prefix of a valid file is an error, never a crash.
  std::vector<std::byte> whole = encodeSafetensors({{"layer", DType::F32, {64}, values}}, {});
  for (size_t n = 0; n < whole.size(); ++n)
    EXPECT_FALSE(parseSafetensors(std::vector<std::byte>(whole.begin(), whole.begin() + n), "p"));
}

TEST(Safetensors, ReadsFromDiskAndReportsMissingFiles) {
  TempDir dir;
  std::vector<float> values = ramp(4);
  std::vector<std::byte> bytes = encodeSafetensors({{"t", DType::BF16, {4}, values}}, {});
  ASSERT_FALSE(writeFileBytes(dir.file("m.safetensors"), bytes));
  auto file = readSafetensors(dir.file("m.safetensors"));
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->path, dir.file("m.safetensors"));
  auto missing = readSafetensors(dir.file("none.safetensors"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("none.safetensors"), std::string::npos);
}

// Random byte flips in a valid file: each result is a file or an error, never a crash. The header
// is where the parsing happens, so the flips land there.
TEST(Safetensors, CorruptedHeadersNeverCrash) {
  std::vector<float> values = ramp(12);
  std::vector<std::byte> whole = encodeSafetensors(
      {{"a", DType::F16, {3, 4}, values}, {"b", DType::F32, {12}, values}}, {{"k", "v"}});
  size_t headerEnd = 8 + static_cast<size_t>(whole[0]) + (static_cast<size_t>(whole[1]) << 8);
  std::mt19937 rng(3);
  std::uniform_int_distribution<size_t> position(0, headerEnd - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  int errors = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::byte> bytes = whole;
    for (int flips = 1 + i % 3; flips > 0; --flips)
      bytes[position(rng)] = static_cast<std::byte>(byte(rng));
    auto file = parseSafetensors(std::move(bytes), "fuzz");
    if (!file)
      ++errors;
    else
      for (const TensorEntry& t : file->tensors)
        EXPECT_EQ(file->toFloat(t).size(), static_cast<size_t>(elementCount(t.shape)));
  }
  EXPECT_GT(errors, 1000); // most corruptions are caught
}

} // namespace

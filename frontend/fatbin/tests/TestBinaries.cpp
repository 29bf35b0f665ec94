#include "TestBinaries.h"

#include "drawbridge/fatbin/Payload.h"
#include "drawbridge/fatbin/PtxSummary.h"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>

namespace drawbridge::fatbin::test {

std::string testbin(const std::string& name) {
  return std::string(DRAWBRIDGE_TESTBIN_DIR) + "/" + name;
}

std::vector<std::byte> readBytes(const std::string& path) {
  std::string text = readText(path);
  std::vector<std::byte> bytes(text.size());
  std::transform(text.begin(), text.end(), bytes.begin(), [](char c) { return std::byte(c); });
  return bytes;
}

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "missing test input " << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string asEmbeddedByFatbinary(const std::string& ptx) {
  std::string out;
  size_t start = 0;
  while (start <= ptx.size()) {
    size_t end = ptx.find('\n', start);
    bool last = end == std::string::npos;
    std::string line = ptx.substr(start, last ? std::string::npos : end - start);
    if (auto comment = line.find("//"); comment != std::string::npos)
      line.resize(comment);
    size_t first = line.find_first_not_of(" \t");
    line = first == std::string::npos ? "" : line.substr(first);
    for (size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (line[i] == ' ' || line[i] == '\t')
        while (i + 1 < line.size() && (line[i + 1] == ' ' || line[i + 1] == '\t'))
          ++i;
    }
    if (last)
      break;
    out += '\n';
    start = end + 1;
  }
  return out;
}

Image openTestbin(const std::string& name) {
  auto image = Image::open(testbin(name));
  if (!image) {
    ADD_FAILURE() << image.error().message;
    return std::move(*Image::fromBytes(readBytes(testbin("kernels.fatbin"))));
  }
  return std::move(*image);
}

std::vector<const Entry*> ptxEntries(const Image& image) {
  std::vector<const Entry*> result;
  for (const auto& fatbin : image.fatbins())
    for (const auto& entry : fatbin.entries)
      if (entry.isPtx())
        result.push_back(&entry);
  return result;
}

std::vector<std::string> kernelNames(const Image& image) {
  std::vector<std::string> names;
  for (const Entry* entry : ptxEntries(image)) {
    auto text = ptxText(*entry);
    EXPECT_TRUE(text) << text.error().message;
    if (!text)
      continue;
    for (auto& k : summarizePtx(*text).kernels)
      names.push_back(k);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

} // namespace drawbridge::fatbin::test

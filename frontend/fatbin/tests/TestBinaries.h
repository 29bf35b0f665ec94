// The nvcc-built binaries the tests read, and small helpers around them.
#pragma once

#include "drawbridge/fatbin/Image.h"

#include <cstddef>
#include <string>
#include <vector>

namespace drawbridge::fatbin::test {

std::string testbin(const std::string& name);
std::vector<std::byte> readBytes(const std::string& path);
std::string readText(const std::string& path);

/// What nvcc's `fatbinary` step does to PTX when it embeds it: drops `//` comments (keeping the
/// line), strips leading whitespace and shortens each inner whitespace run to its first
/// character. Line numbers survive. Extracted PTX is compared with `nvcc -ptx` through this.
std::string asEmbeddedByFatbinary(const std::string& ptx);

/// Opens a test binary, failing the test if it cannot be read.
Image openTestbin(const std::string& name);

/// Every PTX entry of an image, in order.
std::vector<const Entry*> ptxEntries(const Image& image);

/// All kernel names in every PTX entry of an image, sorted.
std::vector<std::string> kernelNames(const Image& image);

} // namespace drawbridge::fatbin::test

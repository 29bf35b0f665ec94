// Whole-file reads and writes with errors that name the file.
#pragma once

#include "drawbridge/support/Expected.h"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace drawbridge::model {

Expected<std::vector<std::byte>> readFileBytes(const std::string& path);
Expected<std::string> readFileText(const std::string& path);
/// Returns the error, or nothing on success.
std::optional<Error> writeFileBytes(const std::string& path, std::span<const std::byte> bytes);
std::optional<Error> writeFileText(const std::string& path, const std::string& text);

} // namespace drawbridge::model

// Small file helpers the runner's parts share.
#pragma once

#include <string>

namespace drawbridge::runner {

/// `a`/`b`.
std::string pathJoin(const std::string& a, const std::string& b);
/// The file's text, or "" when it cannot be read.
std::string readText(const std::string& file);
bool writeText(const std::string& file, const std::string& text);
/// The last `count` lines of a log, for a failure's reason.
std::string lastLines(const std::string& file, int count);

} // namespace drawbridge::runner

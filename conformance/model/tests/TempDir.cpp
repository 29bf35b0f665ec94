#include "TempDir.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace drawbridge::model::testing {

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "drawbridge-model-XXXXXX").string();
  if (!mkdtemp(pattern.data()))
    throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

} // namespace drawbridge::model::testing

// Compiled objects on disk, so a second run of a program compiles nothing. A module's entries
// (its globals object and one per kernel compiled) are keyed by its IR, the compiler
// configuration and the part's name, and carry a checksum: a corrupt or truncated entry is
// treated as absent (and overwritten), never loaded.
#pragma once

#include <filesystem>
#include <llvm/Support/MemoryBuffer.h>
#include <memory>
#include <span>
#include <string>

namespace drawbridge::backend::cpu {

class ObjectCache {
public:
  /// An empty directory disables the cache.
  explicit ObjectCache(std::filesystem::path directory) : directory_(std::move(directory)) {}

  /// DRAWBRIDGE_CACHE_DIR, else $XDG_CACHE_HOME/drawbridge, else ~/.cache/drawbridge.
  static std::filesystem::path defaultDirectory();

  static std::string key(std::span<const std::byte> ir, const std::string& configuration);
  /// The key of one part of the module whose key is `module` ("globals", "kernel <name>").
  static std::string partKey(const std::string& module, std::string_view part);

  std::unique_ptr<llvm::MemoryBuffer> load(const std::string& key) const;
  /// Best effort: a cache that cannot be written only costs the next run a compile.
  void store(const std::string& key, const llvm::MemoryBuffer& object) const;

  std::filesystem::path pathOf(const std::string& key) const { return directory_ / (key + ".o"); }

private:
  std::filesystem::path directory_;
};

} // namespace drawbridge::backend::cpu

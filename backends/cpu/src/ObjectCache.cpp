#include "ObjectCache.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <llvm/Support/SHA256.h>
#include <llvm/Support/xxhash.h>
#include <unistd.h>

namespace drawbridge::backend::cpu {

namespace {

constexpr char kMagic[8] = {'D', 'B', 'C', 'P', 'U', 'O', 'B', '1'};

struct Header {
  char magic[8];
  uint64_t size;
  uint64_t checksum; // xxh3 of the object bytes
};

} // namespace

std::filesystem::path ObjectCache::defaultDirectory() {
  if (const char* dir = std::getenv("DRAWBRIDGE_CACHE_DIR"))
    return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "drawbridge";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "drawbridge";
  return {};
}

namespace {

std::string hexDigest(llvm::SHA256& hash) {
  std::array<uint8_t, 32> digest = hash.final();
  static const char hex[] = "0123456789abcdef";
  std::string text;
  for (uint8_t byte : digest) {
    text.push_back(hex[byte >> 4]);
    text.push_back(hex[byte & 15]);
  }
  return text;
}

} // namespace

std::string ObjectCache::key(std::span<const std::byte> ir, const std::string& configuration) {
  llvm::SHA256 hash;
  hash.update(configuration);
  hash.update(llvm::ArrayRef(reinterpret_cast<const uint8_t*>(ir.data()), ir.size()));
  return hexDigest(hash);
}

std::string ObjectCache::partKey(const std::string& module, std::string_view part) {
  llvm::SHA256 hash;
  hash.update(module); // fixed length, so module and part cannot run into each other
  hash.update(llvm::StringRef(part.data(), part.size()));
  return hexDigest(hash);
}

std::unique_ptr<llvm::MemoryBuffer> ObjectCache::load(const std::string& key) const {
  if (directory_.empty())
    return nullptr;
  auto file = llvm::MemoryBuffer::getFile(pathOf(key).string(), /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return nullptr;
  llvm::StringRef bytes = (*file)->getBuffer();
  Header header;
  if (bytes.size() < sizeof header)
    return nullptr;
  std::memcpy(&header, bytes.data(), sizeof header);
  llvm::StringRef object = bytes.drop_front(sizeof header);
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0 || header.size != object.size() ||
      header.checksum != llvm::xxh3_64bits(object))
    return nullptr;
  return llvm::MemoryBuffer::getMemBufferCopy(object, key + ".o");
}

void ObjectCache::store(const std::string& key, const llvm::MemoryBuffer& object) const {
  if (directory_.empty())
    return;
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  if (error)
    return;
  Header header;
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.size = object.getBufferSize();
  header.checksum = llvm::xxh3_64bits(object.getBuffer());
  // Written aside and renamed, so a concurrent reader sees a whole entry or none.
  std::filesystem::path temporary =
      directory_ / (key + ".tmp." + std::to_string(::getpid()) + "." +
                    std::to_string(reinterpret_cast<uintptr_t>(&object)));
  {
    std::ofstream out(temporary, std::ios::binary);
    out.write(reinterpret_cast<const char*>(&header), sizeof header);
    out.write(object.getBufferStart(), std::streamsize(object.getBufferSize()));
    if (!out) {
      std::filesystem::remove(temporary, error);
      return;
    }
  }
  std::filesystem::rename(temporary, pathOf(key), error);
  if (error)
    std::filesystem::remove(temporary, error);
}

} // namespace drawbridge::backend::cpu

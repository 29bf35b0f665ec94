#include "drawbridge/model/Files.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace drawbridge::model {
namespace {

Error systemError(const std::string& what, const std::string& path) {
  return Error{"cannot " + what + " " + path + ": " + std::strerror(errno)};
}

} // namespace

Expected<std::vector<std::byte>> readFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in)
    return systemError("open", path);
  std::streamoff size = in.tellg();
  if (size < 0)
    return systemError("read", path);
  std::vector<std::byte> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size))
    return systemError("read", path);
  return bytes;
}

Expected<std::string> readFileText(const std::string& path) {
  Expected<std::vector<std::byte>> bytes = readFileBytes(path);
  if (!bytes)
    return std::move(bytes).takeError();
  return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

std::optional<Error> writeFileBytes(const std::string& path, std::span<const std::byte> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    return systemError("create", path);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out)
    return systemError("write", path);
  return std::nullopt;
}

std::optional<Error> writeFileText(const std::string& path, const std::string& text) {
  return writeFileBytes(path, std::as_bytes(std::span(text.data(), text.size())));
}

} // namespace drawbridge::model

#include "Library.h"

#include "drawbridge/fatbin/Image.h"
#include "drawbridge/fatbin/Payload.h"
#include "drawbridge/fatbin/PtxSelection.h"

#include <cstring>
#include <regex>

namespace drawbridge::cudart {
namespace {

constexpr uint16_t kElfMachineCuda = 190; // e_machine of a cubin (EM_CUDA)
constexpr const char* kNoPtx =
    "it holds no PTX, only SASS for one GPU, which Drawbridge cannot run; load a fatbin with PTX "
    "(nvcc -fatbin -gencode arch=compute_80,code=compute_80) or the PTX itself (nvcc -ptx)";

template <typename T> T readAt(const void* code, size_t offset) {
  T value;
  std::memcpy(&value, static_cast<const char*>(code) + offset, sizeof value);
  return value;
}

bool startsWith(const std::vector<std::byte>& bytes, std::string_view prefix) {
  return bytes.size() >= prefix.size() &&
         std::memcmp(bytes.data(), prefix.data(), prefix.size()) == 0;
}

std::vector<std::string> matches(std::string_view ptx, const std::regex& pattern) {
  std::vector<std::string> names;
  for (std::cregex_iterator it(ptx.data(), ptx.data() + ptx.size(), pattern), end; it != end; ++it)
    names.push_back((*it)[1].str());
  return names;
}

// The chosen PTX of every fatbin in the image; an image with SASS only cannot run here.
cudaError_t choosePtx(const fatbin::Image& image, const std::string& origin,
                      std::vector<LibrarySource>& sources, std::string& why) {
  for (const auto& fatbin : image.fatbins()) {
    auto chosen = fatbin::selectPtx(fatbin);
    if (!chosen) {
      why = chosen.error().message;
      continue;
    }
    auto text = fatbin::ptxText(**chosen);
    if (!text) {
      why = text.error().message;
      return cudaErrorInvalidKernelImage;
    }
    sources.push_back({"PTX for compute_" + std::to_string((*chosen)->smArch) + " in " + origin,
                       std::move(*text)});
  }
  if (!sources.empty())
    return cudaSuccess;
  if (why.empty())
    why = kNoPtx;
  return cudaErrorNoKernelImageForDevice;
}

} // namespace

size_t codeSize(const void* code) {
  uint32_t magic = readAt<uint32_t>(code, 0);
  if (magic == fatbin::kContainerMagic) // u32 magic, u16 version, u16 header size, u64 payload
    return readAt<uint16_t>(code, 6) + readAt<uint64_t>(code, 8);
  if (std::memcmp(code,
                  "\x7f"
                  "ELF",
                  4) == 0 &&
      readAt<uint8_t>(code, 4) == 2)                                            // ELF64
    return readAt<uint64_t>(code, 0x28) +                                       // e_shoff
           size_t(readAt<uint16_t>(code, 0x3c)) * readAt<uint16_t>(code, 0x3a); // shnum * shentsize
  return std::strlen(static_cast<const char*>(code)) + 1;
}

std::vector<std::string> ptxEntries(std::string_view ptx) {
  static const std::regex entry(R"(\.entry\s+([A-Za-z_$%][\w$]*))");
  return matches(ptx, entry);
}

std::vector<std::string> ptxManagedGlobals(std::string_view ptx) {
  static const std::regex managed(
      R"(\.attribute\s*\(\s*\.managed\s*\)[^;=]*?\s([A-Za-z_$%][\w$]*)\s*(?:\[[^\]]*\]\s*)*[;=])");
  return matches(ptx, managed);
}

cudaError_t buildLibrary(std::vector<std::byte> bytes, const std::string& origin,
                         std::unique_ptr<RegisteredModule>& library, std::string& why) {
  auto built = std::make_unique<RegisteredModule>();
  built->library = true;
  bool binary = startsWith(bytes, "\x7f"
                                  "ELF") ||
                (bytes.size() >= 4 && readAt<uint32_t>(bytes.data(), 0) == fatbin::kContainerMagic);
  if (startsWith(bytes, "\x7f"
                        "ELF") &&
      bytes.size() > 0x14 && readAt<uint16_t>(bytes.data(), 0x12) == kElfMachineCuda) {
    why = kNoPtx;
    return cudaErrorNoKernelImageForDevice;
  }
  if (binary) {
    auto image = fatbin::Image::fromBytes(std::move(bytes));
    if (!image) {
      why = image.error().message;
      return cudaErrorInvalidKernelImage;
    }
    if (cudaError_t error = choosePtx(*image, origin, built->librarySources, why))
      return error;
  } else {
    std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    text.resize(std::strlen(text.c_str())); // up to the NUL a PTX string ends with
    built->librarySources.push_back({"PTX text in " + origin, std::move(text)});
  }
  for (const auto& source : built->librarySources)
    for (auto& name : ptxEntries(source.text)) {
      auto function = std::make_unique<RegisteredFunction>(
          RegisteredFunction{built.get(), nullptr, std::move(name)});
      function->hostStub = function.get();
      built->functions.push_back(std::move(function));
    }
  library = std::move(built);
  return cudaSuccess;
}

} // namespace drawbridge::cudart

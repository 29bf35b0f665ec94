// libFuzzer entry: any bytes, read as an ELF file or a bare fatbin, then every entry decoded.
#include "drawbridge/fatbin/Cubin.h"
#include "drawbridge/fatbin/Image.h"
#include "drawbridge/fatbin/Payload.h"

#include <cstring>

using namespace drawbridge::fatbin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Small limits keep each run fast; the checks are the same at any limit.
  Limits limits;
  limits.maxContainerSize = 1 << 24;
  limits.maxUncompressedEntrySize = 1 << 24;
  std::vector<std::byte> bytes(size);
  if (size)
    std::memcpy(bytes.data(), data, size);
  auto image = Image::fromBytes(std::move(bytes), limits);
  if (!image)
    return 0;
  for (const auto& fatbin : image->fatbins())
    for (const auto& entry : fatbin.entries) {
      auto contents = decompress(entry, limits);
      if (contents && entry.isElf())
        (void)cubinKernels(*contents);
    }
  return 0;
}

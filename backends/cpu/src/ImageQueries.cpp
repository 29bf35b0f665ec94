// txq and suq: what a texture or surface object describes about itself, in the encodings the
// PTX ISA gives ("Texture, Sampler, and Surface Types"; not measured on NVIDIA hardware): extents
// in elements, a dimension the image lacks reading 1; the channel data type and order as the
// OpenCL 1.0 constants the ISA lists; the filter and address modes as CUDA's enums; the array
// size of a layered image and 0 otherwise (for a cubemap, its cubes); a mipmapped texture's
// levels and 0 for any other image; no samples (0), and the block-linear memory layout (0) of
// every CUDA array, the only memory a surface object can name. txq.level asks an extent of one
// level: level 0's halved that many times, at least 1. A texture object forces unnormalized
// coordinates exactly when it does not normalize them.
#include "ImageAccess.h"
#include "drawbridge/backend/ImageShape.h"

#include <algorithm>
#include <cstdio>

namespace drawbridge::backend::cpu {
namespace {

// OpenCL 1.0's channel data types (cl_channel_type) and channel orders (cl_channel_order).
constexpr uint32_t kSnormInt8 = 0x10D0, kUnormInt8 = 0x10D2, kSignedInt8 = 0x10D7,
                   kUnsignedInt8 = 0x10DA, kHalfFloat = 0x10DD, kFloat = 0x10DE;
constexpr uint32_t kOrderR = 0x10B0, kOrderRG = 0x10B2, kOrderRGBA = 0x10B5;

// Each kind's 8-, 16- and 32-bit types are consecutive; 32-bit ones never normalize.
uint32_t channelDataType(const ImageObject& image) {
  uint32_t size = image.channelBits == 8 ? 0 : image.channelBits == 16 ? 1 : 2;
  switch (image.kind) {
  case ChannelKind::Float:
    return image.channelBits == 16 ? kHalfFloat : kFloat;
  case ChannelKind::Signed:
    return (image.normalizedRead ? kSnormInt8 : kSignedInt8) + size;
  case ChannelKind::Unsigned:
    return (image.normalizedRead ? kUnormInt8 : kUnsignedInt8) + size;
  }
  return 0;
}

uint32_t channelOrder(const ImageObject& image) {
  return image.channels == 1 ? kOrderR : image.channels == 2 ? kOrderRG : kOrderRGBA;
}

// A query txq may ask of a texture but suq not of a surface reads as unanswerable (the PTX
// frontend emits only suq's own).
uint32_t answer(const ImageObject& image, ImageQuery query, uint32_t level) {
  auto atLevel = [level](uint32_t extent) {
    return level >= 32 ? 1 : std::max(extent >> level, 1u);
  };
  switch (query) {
  case ImageQuery::Width:
    return atLevel(image.width);
  case ImageQuery::Height:
    return image.dims >= 2 ? atLevel(image.height) : 1;
  case ImageQuery::Depth:
    return image.dims == 3 ? atLevel(image.depth) : 1;
  case ImageQuery::ChannelDataType:
    return channelDataType(image);
  case ImageQuery::ChannelOrder:
    return channelOrder(image);
  case ImageQuery::NormalizedCoords:
    return image.normalizedCoords;
  case ImageQuery::ForceUnnormalizedCoords:
    return !image.normalizedCoords;
  case ImageQuery::FilterMode:
    return image.linearFilter; // cudaFilterModePoint 0, cudaFilterModeLinear 1
  case ImageQuery::AddrMode0:
  case ImageQuery::AddrMode1:
  case ImageQuery::AddrMode2:
    return static_cast<uint32_t>(
        image.address[static_cast<uint32_t>(query) - static_cast<uint32_t>(ImageQuery::AddrMode0)]);
  case ImageQuery::ArraySize:
    return !image.layered ? 0 : image.cube ? image.depth / 6 : image.depth;
  case ImageQuery::NumMipmapLevels:
    return image.levels;
  case ImageQuery::NumSamples:
  case ImageQuery::MemoryLayout:
    return 0;
  }
  return 0;
}

} // namespace

extern "C" int32_t drawbridgeImageQuery(uint64_t handle, uint32_t query, const int32_t* level,
                                        uint32_t* out) {
  bool surface = query & kQuerySurface;
  const ImageObject* image = findImage(handle);
  if (!image || image->surface != surface) {
    const char* what = surface ? "surface" : "texture";
    std::fprintf(stderr,
                 "drawbridge: a kernel queried %s object 0x%llx, which names no live %s object\n",
                 what, static_cast<unsigned long long>(handle), what);
    return 0;
  }
  // A negative level reads as level 0.
  uint32_t at = query & kQueryLevel ? static_cast<uint32_t>(std::max(*level, 0)) : 0;
  *out = answer(*image, static_cast<ImageQuery>(query & ~(kQuerySurface | kQueryLevel)), at);
  return 1;
}

} // namespace drawbridge::backend::cpu

// Texture and surface descriptions (ImageDescriptions.h). Arrays, mipmapped arrays, linear memory
// and pitched 2D memory can back a texture. A resource view (cuda_runtime_api.h,
// cudaCreateTextureObject) reads an array's elements as another format of the same size and
// narrows a mipmapped array to a range of levels and a layered one to a range of layers; its
// extent must be the resource's own.
#include "ImageDescriptions.h"

#include "Arrays.h"
#include "Log.h"

#include <optional>
#include <span>

namespace drawbridge::cudart {
namespace {

using backend::ChannelKind;
using backend::ImageLevel;
using backend::ImageObject;

struct Format {
  uint32_t channels, bits;
  ChannelKind kind;
};

Format formatOf(const cudaChannelFormatDesc& format) {
  return {format.w   ? 4u
          : format.y ? 2u
                     : 1u,
          static_cast<uint32_t>(format.x),
          format.f == cudaChannelFormatKindFloat    ? ChannelKind::Float
          : format.f == cudaChannelFormatKindSigned ? ChannelKind::Signed
                                                    : ChannelKind::Unsigned};
}

// cudaResViewFormat's uncompressed formats run in eight groups of 1, 2 and 4 channels: unsigned
// and signed 8-, 16- and 32-bit integers, then half and single floats.
std::optional<Format> viewFormat(cudaResourceViewFormat format) {
  int index = static_cast<int>(format) - static_cast<int>(cudaResViewFormatUnsignedChar1);
  if (index < 0 || format > cudaResViewFormatFloat4)
    return std::nullopt;
  int group = index / 3;
  const uint32_t channels[] = {1, 2, 4}, bits[] = {8, 8, 16, 16, 32, 32, 16, 32};
  ChannelKind kind = group >= 6       ? ChannelKind::Float
                     : group % 2 == 0 ? ChannelKind::Unsigned
                                      : ChannelKind::Signed;
  return Format{channels[index % 3], bits[group], kind};
}

void setFormat(const Format& format, ImageObject& image) {
  image.channels = format.channels;
  image.channelBits = format.bits;
  image.kind = format.kind;
}

ImageLevel levelOf(const cudaArray& array, size_t firstLayer, size_t layers) {
  uint64_t slice = array.rowBytes() * array.rows();
  return {array.data + firstLayer * slice,
          static_cast<uint32_t>(array.extent.width),
          static_cast<uint32_t>(array.rows()),
          static_cast<uint32_t>(layers),
          array.rowBytes(),
          slice};
}

// The levels and layers a view keeps, checked against the resource it views.
struct Range {
  size_t firstLevel = 0, lastLevel = 0, firstLayer = 0, layers = 1;
};

cudaError_t narrow(const cudaResourceViewDesc& view, const cudaArray& base, size_t levels,
                   bool mipmapped, ImageObject& image, Range& range) {
  if (view.format != cudaResViewFormatNone) {
    std::optional<Format> format = viewFormat(view.format);
    if (!format) {
      logError("drawbridge: resource views in block-compressed formats (cudaResViewFormat %d) "
               "are not supported: the CPU device's texture unit does not decompress blocks\n",
               static_cast<int>(view.format));
      return cudaErrorNotSupported;
    }
    if (format->channels * format->bits / 8 != base.elementBytes)
      return cudaErrorInvalidValue;
    setFormat(*format, image);
  }
  if (view.width != base.extent.width || view.height != base.extent.height ||
      view.depth != base.extent.depth)
    return cudaErrorInvalidValue;
  if ((!mipmapped && (view.firstMipmapLevel || view.lastMipmapLevel)) ||
      view.firstMipmapLevel > view.lastMipmapLevel || view.lastMipmapLevel >= levels)
    return cudaErrorInvalidValue;
  range.firstLevel = view.firstMipmapLevel;
  range.lastLevel = view.lastMipmapLevel;
  if (!base.layered())
    return view.firstLayer || view.lastLayer ? cudaErrorInvalidValue : cudaSuccess;
  // A cubemap's layers are its faces; a view keeps whole cubes.
  if (view.firstLayer > view.lastLayer || view.lastLayer >= base.slices() ||
      (base.cube() && (view.firstLayer % 6 || (view.lastLayer + 1) % 6)))
    return cudaErrorInvalidValue;
  range.firstLayer = view.firstLayer;
  range.layers = view.lastLayer - view.firstLayer + 1;
  return cudaSuccess;
}

cudaError_t describeArrays(std::span<const cudaArray_t> levels, bool mipmapped,
                           const cudaResourceViewDesc* view, ImageObject& image) {
  const cudaArray& base = *levels[0];
  if (levels.size() > backend::kMaxImageLevels)
    return cudaErrorInvalidValue;
  setFormat(formatOf(base.format), image);
  Range range;
  range.lastLevel = levels.size() - 1;
  range.layers = base.slices();
  if (view)
    if (cudaError_t error = narrow(*view, base, levels.size(), mipmapped, image, range))
      return error;
  image.layered = base.layered();
  image.cube = base.cube();
  image.dims = base.extent.height ? 2 : 1;
  if (base.extent.depth && !image.layered)
    image.dims = 3;
  if (mipmapped)
    image.levels = static_cast<uint32_t>(range.lastLevel - range.firstLevel + 1);
  for (size_t l = range.firstLevel; l <= range.lastLevel; ++l)
    image.level[l - range.firstLevel] = levelOf(*levels[l], range.firstLayer, range.layers);
  image.useLevel(image.level[0]);
  return cudaSuccess;
}

} // namespace

cudaError_t describeResource(const cudaResourceDesc& r, const cudaResourceViewDesc* view,
                             ImageObject& image) {
  if (r.flags != 0)
    return cudaErrorInvalidValue;
  if (view && r.resType != cudaResourceTypeArray && r.resType != cudaResourceTypeMipmappedArray)
    return cudaErrorInvalidValue;
  cudaChannelFormatDesc format{};
  switch (r.resType) {
  case cudaResourceTypeArray: {
    cudaArray_t array = const_cast<cudaArray_t>(findArray(r.res.array.array));
    if (!array)
      return cudaErrorInvalidResourceHandle;
    return describeArrays({&array, 1}, false, view, image);
  }
  case cudaResourceTypeMipmappedArray: {
    std::vector<cudaArray_t> levels = mipmapLevels(r.res.mipmap.mipmap);
    if (levels.empty())
      return cudaErrorInvalidResourceHandle;
    return describeArrays(levels, true, view, image);
  }
  case cudaResourceTypeLinear: {
    format = r.res.linear.desc;
    size_t bytes = formatBytes(format);
    if (!r.res.linear.devPtr || !bytes || r.res.linear.sizeInBytes < bytes)
      return cudaErrorInvalidValue;
    image.linear = true;
    image.base = static_cast<char*>(r.res.linear.devPtr);
    image.width = static_cast<uint32_t>(r.res.linear.sizeInBytes / bytes);
    image.rowPitch = r.res.linear.sizeInBytes;
    break;
  }
  case cudaResourceTypePitch2D: {
    const auto& p = r.res.pitch2D;
    format = p.desc;
    size_t bytes = formatBytes(format);
    if (!p.devPtr || !bytes || p.width == 0 || p.height == 0 || p.pitchInBytes < p.width * bytes)
      return cudaErrorInvalidValue;
    image.base = static_cast<char*>(p.devPtr);
    image.dims = 2;
    image.width = static_cast<uint32_t>(p.width);
    image.height = static_cast<uint32_t>(p.height);
    image.rowPitch = p.pitchInBytes;
    break;
  }
  default:
    return cudaErrorInvalidValue;
  }
  if (!formatBytes(format))
    return cudaErrorInvalidChannelDescriptor;
  setFormat(formatOf(format), image);
  return cudaSuccess;
}

cudaError_t describeSampling(const cudaTextureDesc& t, ImageObject& image) {
  for (int d = 0; d < 3; ++d) {
    if (t.addressMode[d] < cudaAddressModeWrap || t.addressMode[d] > cudaAddressModeBorder)
      return cudaErrorInvalidValue;
    image.address[d] = static_cast<backend::AddressMode>(t.addressMode[d]);
  }
  auto validFilter = [](cudaTextureFilterMode mode) {
    return mode == cudaFilterModePoint || mode == cudaFilterModeLinear;
  };
  if (!validFilter(t.filterMode) || !validFilter(t.mipmapFilterMode) ||
      (t.readMode != cudaReadModeElementType && t.readMode != cudaReadModeNormalizedFloat))
    return cudaErrorInvalidValue;
  bool integer = image.kind != ChannelKind::Float;
  image.normalizedRead = integer && t.readMode == cudaReadModeNormalizedFloat;
  // Only 8- and 16-bit integers normalize; linear filtering needs float results.
  if (image.normalizedRead && image.channelBits == 32)
    return cudaErrorInvalidNormSetting;
  image.linearFilter = t.filterMode == cudaFilterModeLinear;
  image.mipmapLinear = image.levels && t.mipmapFilterMode == cudaFilterModeLinear;
  if ((image.linearFilter || image.mipmapLinear) && integer && !image.normalizedRead)
    return cudaErrorInvalidFilterSetting;
  if (t.seamlessCubemap && !image.cube)
    return cudaErrorInvalidValue;
  // Point-sampled seamless cubes clamp at every face edge, as the CPU device's cubes always do.
  if (t.seamlessCubemap && image.linearFilter) {
    logError("drawbridge: seamless cubemap filtering (cudaTextureDesc::seamlessCubemap with "
             "linear filtering) is not supported: the CPU device filters within one face\n");
    return cudaErrorNotSupported;
  }
  if (image.levels && t.maxAnisotropy > 1) {
    logError("drawbridge: anisotropic filtering (cudaTextureDesc::maxAnisotropy %u) is not "
             "supported on mipmapped textures: the CPU device filters isotropically; set it to 0 "
             "or 1\n",
             t.maxAnisotropy);
    return cudaErrorNotSupported;
  }
  image.normalizedCoords = t.normalizedCoords != 0;
  image.srgb = t.sRGB != 0;
  for (int c = 0; c < 4; ++c)
    image.border[c] = t.borderColor[c];
  image.levelBias = t.mipmapLevelBias;
  image.minLevel = t.minMipmapLevelClamp;
  image.maxLevel = t.maxMipmapLevelClamp;
  return cudaSuccess;
}

} // namespace drawbridge::cudart

// Texture and surface objects as the backends see them: the memory an object reads, its texel
// format and how it samples. The runtime registers each object and hands the program the 64-bit
// handle registerImage returns (cudaTextureObject_t, cudaSurfaceObject_t); device code passes
// the handle back and the backend looks the object up. Nothing here depends on CUDA headers.
#pragma once

#include <cstdint>

namespace drawbridge::backend {

enum class ChannelKind : uint8_t { Unsigned, Signed, Float };
/// CUDA's cudaTextureAddressMode, in its order.
enum class AddressMode : uint8_t { Wrap, Clamp, Mirror, Border };

/// The most mipmap levels an image has: 1 + log2 of the largest extent the device takes (32768).
inline constexpr uint32_t kMaxImageLevels = 16;

/// One mipmap level's memory and extent (its layers, for a layered image, are `depth` slices).
struct ImageLevel {
  char* base = nullptr;
  uint32_t width = 1, height = 1, depth = 1;
  uint64_t rowPitch = 0, slicePitch = 0;
};

struct ImageObject {
  bool surface = false; // a surface object (suld/sust); otherwise a texture object (tex/tld4)
  bool linear = false;  // a cudaResourceTypeLinear texture: integer fetches only, no addressing
  char* base = nullptr;
  uint32_t dims = 1;    // 1, 2 or 3
  bool layered = false; // dims 1 or 2, with `depth` layers `slicePitch` apart
  bool cube = false;    // a cubemap: layered 2D, six faces (+x, -x, +y, -y, +z, -z) per cube
  uint32_t width = 1, height = 1, depth = 1; // in texels
  uint64_t rowPitch = 0, slicePitch = 0;     // bytes between rows and between slices
  uint32_t channels = 1;                     // 1, 2 or 4, all of `channelBits` bits
  uint32_t channelBits = 32;                 // 8, 16 or 32
  ChannelKind kind = ChannelKind::Float;
  // Texture objects only.
  AddressMode address[3] = {AddressMode::Wrap, AddressMode::Wrap, AddressMode::Wrap};
  bool linearFilter = false;
  bool normalizedRead = false; // 8- and 16-bit integers read as floats in [0,1] or [-1,1]
  bool normalizedCoords = false;
  bool srgb = false;
  float border[4] = {0, 0, 0, 0};
  // Mipmapped textures: `levels` levels (0 for any other image, whose only level is the fields
  // above), the filter between levels, and the bias and clamps applied to a computed level.
  uint32_t levels = 0;
  ImageLevel level[kMaxImageLevels];
  bool mipmapLinear = false;
  float levelBias = 0, minLevel = 0, maxLevel = 0;

  uint32_t texelBytes() const { return channels * channelBits / 8; }
  /// Reads `l`'s memory and extent as this image's own.
  void useLevel(const ImageLevel& l) {
    base = l.base;
    width = l.width;
    height = l.height;
    depth = l.depth;
    rowPitch = l.rowPitch;
    slicePitch = l.slicePitch;
  }
};

/// Registers a copy of `object`; returns its handle, never 0.
uint64_t registerImage(const ImageObject& object);
/// Forgets the object; false when `handle` names none.
bool unregisterImage(uint64_t handle);
/// The object `handle` names, or null. Safe to call from any thread while others register.
const ImageObject* findImage(uint64_t handle);

} // namespace drawbridge::backend

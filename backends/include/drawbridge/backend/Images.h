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

struct ImageObject {
  bool surface = false; // a surface object (suld/sust); otherwise a texture object (tex/tld4)
  bool linear = false;  // a cudaResourceTypeLinear texture: integer fetches only, no addressing
  char* base = nullptr;
  uint32_t dims = 1;                         // 1, 2 or 3
  bool layered = false;                      // dims 1 or 2, with `depth` layers `slicePitch` apart
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

  uint32_t texelBytes() const { return channels * channelBits / 8; }
};

/// Registers a copy of `object`; returns its handle, never 0.
uint64_t registerImage(const ImageObject& object);
/// Forgets the object; false when `handle` names none.
bool unregisterImage(uint64_t handle);
/// The object `handle` names, or null. Safe to call from any thread while others register.
const ImageObject* findImage(uint64_t handle);

} // namespace drawbridge::backend

// sust.p's conversion of 32-bit words to a surface's format (PTX ISA, "sust"): the words are the
// R, G, B, A components in order, f32 for a float format, s32 for a signed and u32 for an
// unsigned integer one; components the format lacks are ignored and components the words lack
// are written as 0 (the ISA leaves them unpredictable). Narrower integers saturate and half
// floats round to nearest even, as graphics APIs' typed stores convert (not measured on NVIDIA
// hardware).
#include "ImageAccess.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace drawbridge::backend::cpu {
namespace {

uint16_t floatToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  float magnitude = std::fabs(f);
  if (std::isnan(f))
    return sign | 0x7e00;
  if (magnitude >= 65520.0f) // rounds past the largest half, 65504
    return sign | 0x7c00;
  if (magnitude < 0x1p-14f) // subnormal: multiples of 2^-24, rounded to nearest even
    return sign | static_cast<uint16_t>(std::nearbyint(magnitude * 0x1p24f));
  int exponent;
  float mantissa = std::frexp(magnitude, &exponent); // [0.5, 1)
  // 11 significant bits; rounding may carry into the exponent, which the sum absorbs.
  uint32_t significand = static_cast<uint32_t>(std::nearbyint(mantissa * 2048.0f));
  return sign | static_cast<uint16_t>(((exponent + 14) << 10) + significand - 1024);
}

} // namespace

void formatTexel(const ImageObject& image, const uint32_t* words, uint32_t count, char* texel) {
  uint32_t bytes = image.channelBits / 8;
  std::memset(texel, 0, image.texelBytes());
  for (uint32_t c = 0; c < std::min(count, image.channels); ++c) {
    char* p = texel + c * bytes;
    uint32_t word = words[c];
    if (image.kind == ChannelKind::Float && bytes == 2) {
      float f;
      std::memcpy(&f, &word, 4);
      uint16_t h = floatToHalf(f);
      std::memcpy(p, &h, 2);
      continue;
    }
    if (bytes == 4) {
      std::memcpy(p, &word, 4);
      continue;
    }
    int64_t lowest = 0, highest = (int64_t(1) << image.channelBits) - 1;
    int64_t value = word;
    if (image.kind == ChannelKind::Signed) {
      highest >>= 1;
      lowest = -highest - 1;
      value = static_cast<int32_t>(word);
    }
    value = std::clamp(value, lowest, highest);
    std::memcpy(p, &value, bytes); // little-endian: the low bytes
  }
}

} // namespace drawbridge::backend::cpu

#include "CompilerBuiltins.h"

#include <bit>
#include <cmath>

namespace drawbridge::backend::cpu {
namespace {

// Generated code takes a bf16 result from the low 16 bits of xmm0, where a float is returned.
// Not declared as __bf16: clang recognises the rounding below as a float-to-bf16 conversion
// and would call __truncsfbf2 from inside __truncsfbf2.
float truncateFloatToBFloat16(float x) {
  return std::bit_cast<float>(uint32_t{bfloat16Bits(x)});
}

float truncateDoubleToBFloat16(double x) {
  return std::bit_cast<float>(uint32_t{bfloat16Bits(x)});
}

const RuntimeSymbol kSymbols[] = {
    {"__truncsfbf2", reinterpret_cast<void*>(&truncateFloatToBFloat16)},
    {"__truncdfbf2", reinterpret_cast<void*>(&truncateDoubleToBFloat16)},
};

} // namespace

std::span<const RuntimeSymbol> compilerBuiltinSymbols() {
  return kSymbols;
}

uint16_t bfloat16Bits(float x) {
  if (std::isnan(x))
    return 0x7fff;
  uint32_t bits = std::bit_cast<uint32_t>(x);
  uint32_t lowestKept = (bits >> 16) & 1;
  return static_cast<uint16_t>((bits + 0x7fff + lowestKept) >> 16);
}

uint16_t bfloat16Bits(double x) {
  if (std::isnan(x))
    return 0x7fff;
  // Narrow to f32 rounding to odd (toward zero, the last bit set when inexact): f32 keeps 16
  // bits more than bf16 at every exponent, subnormals included, so the one rounding to nearest
  // that follows sees on which side of a tie x lies and rounds x correctly, not twice.
  float narrowed = static_cast<float>(x);
  if (std::fabs(static_cast<double>(narrowed)) > std::fabs(x))
    narrowed = std::nextafter(narrowed, 0.0f);
  uint32_t bits = std::bit_cast<uint32_t>(narrowed);
  if (static_cast<double>(narrowed) != x)
    bits |= 1;
  return bfloat16Bits(std::bit_cast<float>(bits));
}

} // namespace drawbridge::backend::cpu

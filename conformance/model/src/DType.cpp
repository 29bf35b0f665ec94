#include "drawbridge/model/DType.h"

#include <bit>
#include <cmath>

namespace drawbridge::model {

const char* dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "F32";
  case DType::F16:
    return "F16";
  case DType::BF16:
    return "BF16";
  }
  return "?";
}

const char* torchDTypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "float32";
  case DType::F16:
    return "float16";
  case DType::BF16:
    return "bfloat16";
  }
  return "?";
}

std::optional<DType> parseDType(std::string_view name) {
  if (name == "F32")
    return DType::F32;
  if (name == "F16")
    return DType::F16;
  if (name == "BF16")
    return DType::BF16;
  return std::nullopt;
}

std::optional<DType> parseDTypeWord(std::string_view word) {
  if (word == "f32" || word == "float32")
    return DType::F32;
  if (word == "f16" || word == "float16")
    return DType::F16;
  if (word == "bf16" || word == "bfloat16")
    return DType::BF16;
  return std::nullopt;
}

size_t dtypeSize(DType dtype) {
  return dtype == DType::F32 ? 4 : 2;
}

float halfToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000) << 16;
  uint32_t exponent = (bits >> 10) & 0x1F;
  uint32_t mantissa = bits & 0x3FF;
  if (exponent == 0x1F) // infinity or NaN: keep the payload
    return std::bit_cast<float>(sign | 0x7F800000 | (mantissa << 13));
  if (exponent == 0) { // zero or subnormal: mantissa * 2^-24, exact in float
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

float bfloat16ToFloat(uint16_t bits) {
  return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

uint16_t floatToBFloat16(float value) {
  uint32_t bits = std::bit_cast<uint32_t>(value);
  if (std::isnan(value)) // keep it a NaN: truncation could clear every mantissa bit
    return static_cast<uint16_t>((bits >> 16) | 0x40);
  uint32_t lsb = (bits >> 16) & 1;
  return static_cast<uint16_t>((bits + 0x7FFF + lsb) >> 16);
}

uint16_t floatToHalf(float value) {
  uint32_t bits = std::bit_cast<uint32_t>(value);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  uint32_t absBits = bits & 0x7FFFFFFF;
  if (absBits >= 0x7F800000) // infinity or NaN
    return sign | 0x7C00 | (absBits > 0x7F800000 ? 0x200 : 0);
  if (absBits >= 0x477FF000) // rounds to a value beyond 65504
    return sign | 0x7C00;
  if (absBits < 0x38800000) {
    // Result is subnormal (or zero): the value in units of 2^-24, rounded to nearest even.
    // Scaling by 2^24 is exact, and nearbyint rounds ties to even in the default mode.
    float units = std::ldexp(std::bit_cast<float>(absBits), 24);
    return sign | static_cast<uint16_t>(std::nearbyint(units));
  }
  // Normal: rebias the exponent, then round the 13 dropped mantissa bits to nearest even.
  uint32_t rebased = absBits - (112u << 23);
  uint32_t lsb = (rebased >> 13) & 1;
  return sign | static_cast<uint16_t>((rebased + 0xFFF + lsb) >> 13);
}

float roundTo(DType dtype, float value) {
  switch (dtype) {
  case DType::F32:
    return value;
  case DType::F16:
    return halfToFloat(floatToHalf(value));
  case DType::BF16:
    return bfloat16ToFloat(floatToBFloat16(value));
  }
  return value;
}

} // namespace drawbridge::model

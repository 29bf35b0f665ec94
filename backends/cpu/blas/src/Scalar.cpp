#include "Scalar.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace drawbridge::blas::detail {

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ff;
  if (exponent == 0x1f) // inf or NaN
    return std::bit_cast<float>(sign | 0x7f800000 | (mantissa << 13));
  if (exponent == 0) { // zero or subnormal: value = mantissa * 2^-24
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

uint16_t floatToHalf(float value) {
  uint32_t bits = std::bit_cast<uint32_t>(value);
  uint16_t sign = (bits >> 16) & 0x8000;
  uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000) // NaN: keep it quiet and non-zero
    return sign | 0x7e00 | ((magnitude >> 13) & 0x3ff);
  if (magnitude >= 0x477ff000) // rounds to or beyond 65520: infinity
    return sign | 0x7c00;
  if (magnitude < 0x38800000) { // below the smallest normal: subnormal or zero
    float scaled = std::bit_cast<float>(magnitude) * 16777216.0f; // exact: 2^24
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  // Normal: rebias the exponent, round the 13 dropped bits to nearest even.
  uint32_t rounded = magnitude + 0xfff + ((magnitude >> 13) & 1);
  return sign | static_cast<uint16_t>((rounded - 0x38000000) >> 13);
}

float bfloat16ToFloat(uint16_t bits) {
  return std::bit_cast<float>(uint32_t(bits) << 16);
}

uint16_t floatToBfloat16(float value) {
  uint32_t bits = std::bit_cast<uint32_t>(value);
  if ((bits & 0x7fffffff) > 0x7f800000)
    return static_cast<uint16_t>((bits >> 16) | 0x40);
  return static_cast<uint16_t>((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
}

double load(DataType type, const void* base, int64_t index) {
  switch (type) {
  case DataType::F32:
    return static_cast<const float*>(base)[index];
  case DataType::F64:
    return static_cast<const double*>(base)[index];
  case DataType::F16:
    return halfToFloat(static_cast<const uint16_t*>(base)[index]);
  case DataType::BF16:
    return bfloat16ToFloat(static_cast<const uint16_t*>(base)[index]);
  }
  return 0;
}

void store(DataType type, void* base, int64_t index, double value) {
  switch (type) {
  case DataType::F32:
    static_cast<float*>(base)[index] = static_cast<float>(value);
    return;
  case DataType::F64:
    static_cast<double*>(base)[index] = value;
    return;
  case DataType::F16:
    static_cast<uint16_t*>(base)[index] = floatToHalf(static_cast<float>(value));
    return;
  case DataType::BF16:
    static_cast<uint16_t*>(base)[index] = floatToBfloat16(static_cast<float>(value));
    return;
  }
}

size_t sizeOf(DataType type) {
  return type == DataType::F64 ? 8 : type == DataType::F32 ? 4 : 2;
}

const char* typeName(DataType type) {
  switch (type) {
  case DataType::F32:
    return "f32";
  case DataType::F64:
    return "f64";
  case DataType::F16:
    return "f16";
  case DataType::BF16:
    return "bf16";
  }
  return "?";
}

} // namespace drawbridge::blas::detail

// The element types a checkpoint may store, and exact conversions between them and float.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace drawbridge::model {

enum class DType { F32, F16, BF16 };

/// The safetensors spelling: "F32", "F16", "BF16".
const char* dtypeName(DType dtype);
/// Accepts the safetensors spelling.
std::optional<DType> parseDType(std::string_view name);
/// Accepts the command-line and config.json spellings: f32/float32, f16/float16, bf16/bfloat16.
std::optional<DType> parseDTypeWord(std::string_view word);
/// config.json's torch_dtype spelling: "float32", "float16", "bfloat16".
const char* torchDTypeName(DType dtype);
size_t dtypeSize(DType dtype);

/// Widening is exact for every value, subnormals, infinities and NaNs included.
float halfToFloat(uint16_t bits);
float bfloat16ToFloat(uint16_t bits);
/// Narrowing rounds to nearest, ties to even, as PyTorch and CUDA's __float2half_rn do.
uint16_t floatToHalf(float value);
uint16_t floatToBFloat16(float value);

/// Rounds `value` to the nearest value representable in `dtype`.
float roundTo(DType dtype, float value);

} // namespace drawbridge::model

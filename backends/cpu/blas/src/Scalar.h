// Reading and writing one element of any BLAS data type as double. f16 and bf16 conversions
// round to nearest even, as the hardware does.
#pragma once

#include "drawbridge/blas/Matmul.h"

#include <cstddef>

namespace drawbridge::blas::detail {

float halfToFloat(uint16_t bits);
uint16_t floatToHalf(float value);
float bfloat16ToFloat(uint16_t bits);
uint16_t floatToBfloat16(float value);

double load(DataType type, const void* base, int64_t index);
void store(DataType type, void* base, int64_t index, double value);
size_t sizeOf(DataType type);
const char* typeName(DataType type);

} // namespace drawbridge::blas::detail

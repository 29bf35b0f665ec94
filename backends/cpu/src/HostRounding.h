// f64 arithmetic in a directed rounding mode, done by the host FPU under fesetround: exact in
// every case (overflow, subnormal products), where emulation in f64 itself cannot be. PTX's
// f64 rm/rp/rz instructions call these; f32's are emulated exactly in f64 (NvvmMath.cpp).
#pragma once

#include "Runtime.h"

#include <span>

namespace drawbridge::backend::cpu {

/// "__drawbridge_f64_add_rm" and the like, for add, mul, div, fma, sqrt and rcp in rm, rp, rz.
std::span<const RuntimeSymbol> hostRoundingSymbols();

} // namespace drawbridge::backend::cpu

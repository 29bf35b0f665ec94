// The compiler-rt routines LLVM's x86 code generation calls for conversions the host has no
// instruction for, and that the process may not define: Debian 12's libgcc (GCC 12) has the
// f16 ones but not the bfloat16 ones, so without these a kernel that narrows to bf16 fails to
// link on hosts without AVX512-BF16. They round as NVIDIA does: to nearest even, subnormals
// kept, NaN to the canonical 0x7fff.
#pragma once

#include "Runtime.h"

#include <cstdint>
#include <span>

namespace drawbridge::backend::cpu {

/// "__truncsfbf2" (f32 to bf16) and "__truncdfbf2" (f64 to bf16), for the JIT's symbol table.
std::span<const RuntimeSymbol> compilerBuiltinSymbols();

/// The bits of the bf16 nearest to `x` (ties to even), NaN giving 0x7fff.
uint16_t bfloat16Bits(float x);
uint16_t bfloat16Bits(double x);

} // namespace drawbridge::backend::cpu

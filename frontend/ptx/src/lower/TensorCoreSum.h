// The sum a tensor core forms for one element of mma's D from f16/bf16 products and an f32
// accumulator, as NVIDIA's hardware does it rather than as a chain of IEEE fmas.
#pragma once

#include "FunctionLowering.h"

namespace drawbridge::ptx::nvvm {

/// c + sum(a[i] * b[i]) for f32 values widened exactly from f16/bf16 (a, b) and an f32 `c`,
/// the way sm_90's tensor cores add one k-group: every product exact, each term aligned to the
/// largest exponent among the products and c with the bits below f32's precision there cut off
/// (toward zero), the aligned terms summed exactly, and the sum normalised once, truncated to
/// f32. Infinities and NaNs give what IEEE arithmetic gives.
llvm::Value* tensorCoreSum(FunctionLowering& L, llvm::ArrayRef<llvm::Value*> a,
                           llvm::ArrayRef<llvm::Value*> b, llvm::Value* c);

} // namespace drawbridge::ptx::nvvm

// The matmul on oneDNN: strides become memory descriptors, alpha an output scale, beta a sum
// post-op over D (holding C), bias a broadcast binary add, and the epilogue an eltwise post-op.
#pragma once

#include "drawbridge/blas/Matmul.h"

namespace drawbridge::blas::detail {

std::optional<BlasError> oneDnnMatmul(const MatmulProblem& p);

} // namespace drawbridge::blas::detail

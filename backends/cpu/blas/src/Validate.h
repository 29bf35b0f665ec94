// The checks cuBLAS makes before it computes: sizes, pointers, type combinations, strides.
#pragma once

#include "drawbridge/blas/Matmul.h"

namespace drawbridge::blas::detail {

std::optional<BlasError> validate(const MatmulProblem& p);

/// oneDNN computes A, B of one type into D of that type or f32, C the same as D; f64, problems
/// with k == 0 and operands walked backwards (negative strides) take the straightforward path.
bool needsFallback(const MatmulProblem& p);

} // namespace drawbridge::blas::detail

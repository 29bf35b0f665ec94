// The straightforward matmul, for what oneDNN does not compute: f64 (oneDNN has no f64 matmul
// on CPUs), k == 0 (D = beta * C + bias, then the epilogue) and operands walked backwards
// (BLAS's negative vector increments, which oneDNN's strides cannot say). It runs serially:
// oneDNN's threads are libgomp's, and a second OpenMP runtime in the process would fight them.
#pragma once

#include "drawbridge/blas/Matmul.h"

namespace drawbridge::blas::detail {

double applyEpilogue(Epilogue epilogue, double x);

void fallbackMatmul(const MatmulProblem& p);

} // namespace drawbridge::blas::detail

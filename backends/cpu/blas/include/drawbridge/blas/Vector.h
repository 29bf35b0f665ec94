// The CPU backend's BLAS level-1 operations on strided vectors, with the semantics cuBLAS
// documents: a negative increment walks the vector backwards from its last element (Axpy, Copy,
// Dot), Scal, Nrm2, Asum and Amax do nothing and give 0 for an increment <= 0, and Amax's
// index is 1-based. No CUDA type appears here.
#pragma once

#include "drawbridge/blas/Matmul.h"

namespace drawbridge::blas {

enum class VectorOp { Axpy, Scal, Copy, Dot, Nrm2, Asum, Amax };

struct VectorProblem {
  VectorOp op = VectorOp::Axpy;
  DataType type = DataType::F32; // of x, y, alpha and the result: F32 or F64
  int64_t n = 0;
  const void* x = nullptr;
  int64_t incx = 1;
  void* y = nullptr; // Axpy, Scal, Copy write it; Dot reads it
  int64_t incy = 1;
  double alpha = 1;
  const void* alphaPointer = nullptr; // when set, alpha is read from here by vector()
  void* result = nullptr;             // Dot, Nrm2, Asum: one `type` value; Amax: an int32
};

/// The checks vector() makes, for callers that report bad arguments at once and run later.
std::optional<BlasError> checkVector(const VectorProblem& problem);

/// Runs the operation on the calling thread.
std::optional<BlasError> vector(const VectorProblem& problem);

} // namespace drawbridge::blas

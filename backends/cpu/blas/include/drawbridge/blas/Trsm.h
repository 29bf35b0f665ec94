// Triangular solves with several right-hand sides (BLAS trsm), with the semantics cuBLAS
// documents: column-major matrices, op(A) X = alpha B (left side, A m x m) or X op(A) = alpha B
// (right side, A n x n), X written over B; only A's named triangle is read, and with a unit
// diagonal not its diagonal either. No CUDA type appears here.
#pragma once

#include "drawbridge/blas/Matmul.h"

namespace drawbridge::blas {

struct TrsmProblem {
  DataType type = DataType::F32; // of A, B and alpha: F32 or F64
  bool left = true;
  bool lower = true;
  bool transpose = false;
  bool unitDiagonal = false;
  int64_t m = 0, n = 0; // B's rows and columns
  const void* a = nullptr;
  int64_t lda = 0;
  void* b = nullptr;
  int64_t ldb = 0;
  int64_t batch = 1;
  // The batched form: one matrix address per batch, read by trsm() (device arrays are read in
  // stream order); a and b are unused then.
  const void* const* aPointers = nullptr;
  void* const* bPointers = nullptr;
  double alpha = 1;
  const void* alphaPointer = nullptr; // when set, alpha is read from here by trsm()
};

/// The checks trsm() makes, for callers that report bad arguments at once and run later.
std::optional<BlasError> checkTrsm(const TrsmProblem& problem);

/// Runs the solves on the calling thread, summing in double.
std::optional<BlasError> trsm(const TrsmProblem& problem);

} // namespace drawbridge::blas

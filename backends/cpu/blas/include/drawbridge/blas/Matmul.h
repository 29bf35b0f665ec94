// The CPU backend's matrix multiply: D = epilogue(alpha * A x B + beta * C + bias), batched,
// on oneDNN. Matrices are described by element strides, so column-major cuBLAS operands,
// transposes, leading dimensions, cuBLASLt row order and strided batches all map onto it
// exactly. No oneDNN, LLVM or CUDA type appears here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace drawbridge::blas {

enum class DataType { F32, F64, F16, BF16 };

/// A logical rows x cols matrix (after any transpose) and where its elements live.
template <typename Pointer> struct MatrixOf {
  DataType type = DataType::F32;
  Pointer data = nullptr;
  int64_t rowStride = 1;   // elements between (i, j) and (i + 1, j)
  int64_t colStride = 1;   // elements between (i, j) and (i, j + 1)
  int64_t batchStride = 0; // elements between batch b and b + 1
  /// One address per batch, read when matmul() runs (cublas<t>gemmBatched); `data` and
  /// `batchStride` are then unused.
  const Pointer* batchPointers = nullptr;
};
using Matrix = MatrixOf<const void*>;
using OutputMatrix = MatrixOf<void*>;

enum class Epilogue { None, Relu, Gelu }; // GELU is the tanh form cuBLASLt uses

struct MatmulProblem {
  int64_t m = 0, n = 0, k = 0, batch = 1;
  Matrix a;       // m x k
  Matrix b;       // k x n
  Matrix c;       // m x n, read only when beta != 0; may be the same memory as d
  OutputMatrix d; // m x n, written
  double alpha = 1.0;
  double beta = 0.0;          // beta == 0 ignores C entirely, even NaNs in it (cuBLAS semantics)
  const void* bias = nullptr; // m values of bias type, added to every column
  DataType biasType = DataType::F32;
  Epilogue epilogue = Epilogue::None;
  bool allowTf32 = false; // CUBLAS_TF32_TENSOR_OP_MATH: f32 inputs may be rounded to tf32
  /// When set, alpha or beta is read from here (as `scalarType`: F32, F64 or F16) when matmul()
  /// runs, for scalars a device computes before the multiplication.
  const void* alphaPointer = nullptr;
  const void* betaPointer = nullptr;
  DataType scalarType = DataType::F32;
};

enum class BlasErrorCode { InvalidValue, NotSupported, ExecutionFailed };

struct BlasError {
  BlasErrorCode code;
  std::string message;
};

/// The checks matmul() makes before computing, for callers that must report a bad argument
/// at once and run the multiplication later (in stream order). What is read only then (scalars
/// and batch addresses given by pointer) is checked by matmul().
std::optional<BlasError> checkMatmul(const MatmulProblem& problem);

/// Runs the problem on the calling thread's behalf (oneDNN's threads do the work) and returns
/// when D is written. A problem with a zero dimension is valid and does what cuBLAS does.
std::optional<BlasError> matmul(const MatmulProblem& problem);

} // namespace drawbridge::blas

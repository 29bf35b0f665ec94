#include "drawbridge/blas/Matmul.h"

#include "Fallback.h"
#include "Gemv.h"
#include "OneDnnMatmul.h"
#include "Scalar.h"
#include "Validate.h"

namespace drawbridge::blas {
namespace {

// The scalars given by pointer, read now that the work before this multiplication is done.
MatmulProblem withScalarValues(MatmulProblem p) {
  if (p.alphaPointer)
    p.alpha = detail::load(p.scalarType, p.alphaPointer, 0);
  if (p.betaPointer)
    p.beta = detail::load(p.scalarType, p.betaPointer, 0);
  p.alphaPointer = p.betaPointer = nullptr;
  return p;
}

template <typename M> M batchOf(const M& m, int64_t batch) {
  if (!m.batchPointers) // an operand the problem does not read (C with beta == 0, A, B with k == 0)
    return m;
  M one = m;
  one.data = m.batchPointers[batch];
  one.batchPointers = nullptr;
  one.batchStride = 0;
  return one;
}

std::optional<BlasError> multiply(const MatmulProblem& p) {
  if (auto error = detail::validate(p))
    return error;
  if (detail::needsFallback(p)) {
    detail::fallbackMatmul(p);
    return std::nullopt;
  }
  if (detail::isGemv(p)) {
    detail::gemv(p);
    return std::nullopt;
  }
  return detail::oneDnnMatmul(p);
}

} // namespace

std::optional<BlasError> checkMatmul(const MatmulProblem& problem) {
  return detail::validate(problem);
}

std::optional<BlasError> matmul(const MatmulProblem& given) {
  MatmulProblem problem = withScalarValues(given);
  if (auto error = detail::validate(problem))
    return error;
  if (problem.m == 0 || problem.n == 0 || problem.batch == 0)
    return std::nullopt;
  if (!problem.d.batchPointers)
    return multiply(problem);
  // Each batch has its own addresses; with cached primitives one call per batch costs little.
  for (int64_t batch = 0; batch < problem.batch; ++batch) {
    MatmulProblem one = problem;
    one.batch = 1;
    one.a = batchOf(problem.a, batch);
    one.b = batchOf(problem.b, batch);
    one.c = batchOf(problem.c, batch);
    one.d = batchOf(problem.d, batch);
    if (auto error = multiply(one))
      return BlasError{error->code, "batch " + std::to_string(batch) + ": " + error->message};
  }
  return std::nullopt;
}

} // namespace drawbridge::blas

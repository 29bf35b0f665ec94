#include "drawbridge/blas/Matmul.h"

#include "Fallback.h"
#include "OneDnnMatmul.h"
#include "Validate.h"

namespace drawbridge::blas {

std::optional<BlasError> checkMatmul(const MatmulProblem& problem) {
  return detail::validate(problem);
}

std::optional<BlasError> matmul(const MatmulProblem& problem) {
  if (auto error = detail::validate(problem))
    return error;
  if (problem.m == 0 || problem.n == 0 || problem.batch == 0)
    return std::nullopt;
  if (detail::needsFallback(problem)) {
    detail::fallbackMatmul(problem);
    return std::nullopt;
  }
  return detail::oneDnnMatmul(problem);
}

} // namespace drawbridge::blas

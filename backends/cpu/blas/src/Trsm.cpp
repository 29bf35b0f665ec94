#include "drawbridge/blas/Trsm.h"

#include "Scalar.h"

#include <algorithm>
#include <vector>

namespace drawbridge::blas {
namespace {

/// One triangular system M x = r of `size` unknowns, solved in place in `x` (already alpha * b).
/// M(i, k) is read through `element` only inside its triangle.
template <typename Element>
void substitute(int64_t size, bool lower, bool unit, const Element& element,
                std::vector<double>& x) {
  for (int64_t step = 0; step < size; ++step) {
    int64_t i = lower ? step : size - 1 - step;
    double sum = x[size_t(i)];
    int64_t begin = lower ? 0 : i + 1, end = lower ? i : size;
    for (int64_t k = begin; k < end; ++k)
      sum -= element(i, k) * x[size_t(k)];
    x[size_t(i)] = unit ? sum : sum / element(i, i);
  }
}

void solveOne(const TrsmProblem& p, const void* a, void* b, double alpha) {
  // op(A)(i, k), where A is column-major with leading dimension lda.
  auto opA = [&](int64_t i, int64_t k) {
    return p.transpose ? detail::load(p.type, a, k + i * p.lda)
                       : detail::load(p.type, a, i + k * p.lda);
  };
  // op(A) is lower triangular when A is lower and not transposed, or upper and transposed.
  bool opLower = p.lower != p.transpose;
  std::vector<double> x;
  if (p.left) {
    // Each column of B: op(A) x = alpha b.
    x.resize(size_t(p.m));
    for (int64_t j = 0; j < p.n; ++j) {
      for (int64_t i = 0; i < p.m; ++i)
        x[size_t(i)] = alpha * detail::load(p.type, b, i + j * p.ldb);
      substitute(p.m, opLower, p.unitDiagonal, opA, x);
      for (int64_t i = 0; i < p.m; ++i)
        detail::store(p.type, b, i + j * p.ldb, x[size_t(i)]);
    }
    return;
  }
  // Each row of B: x^T op(A) = alpha b^T, that is op(A)^T x = alpha b, whose triangle is the
  // other one.
  auto opAt = [&](int64_t i, int64_t k) { return opA(k, i); };
  x.resize(size_t(p.n));
  for (int64_t i = 0; i < p.m; ++i) {
    for (int64_t j = 0; j < p.n; ++j)
      x[size_t(j)] = alpha * detail::load(p.type, b, i + j * p.ldb);
    substitute(p.n, !opLower, p.unitDiagonal, opAt, x);
    for (int64_t j = 0; j < p.n; ++j)
      detail::store(p.type, b, i + j * p.ldb, x[size_t(j)]);
  }
}

} // namespace

std::optional<BlasError> checkTrsm(const TrsmProblem& p) {
  auto invalid = [](std::string message) {
    return BlasError{BlasErrorCode::InvalidValue, "trsm: " + std::move(message)};
  };
  if (p.type != DataType::F32 && p.type != DataType::F64)
    return BlasError{BlasErrorCode::NotSupported, "trsm: only f32 and f64 are supported"};
  if (p.m < 0 || p.n < 0 || p.batch < 0)
    return invalid("negative size or batch count");
  int64_t order = p.left ? p.m : p.n;
  if (p.lda < std::max<int64_t>(1, order))
    return invalid("lda is smaller than A's order");
  if (p.ldb < std::max<int64_t>(1, p.m))
    return invalid("ldb is smaller than m");
  return std::nullopt;
}

std::optional<BlasError> trsm(const TrsmProblem& p) {
  if (auto error = checkTrsm(p))
    return error;
  if (p.m == 0 || p.n == 0)
    return std::nullopt;
  double alpha = p.alphaPointer ? detail::load(p.type, p.alphaPointer, 0) : p.alpha;
  for (int64_t batch = 0; batch < p.batch; ++batch) {
    const void* a = p.aPointers ? p.aPointers[batch] : p.a;
    void* b = p.bPointers ? p.bPointers[batch] : p.b;
    if (!a || !b)
      return BlasError{BlasErrorCode::InvalidValue,
                       "trsm: batch " + std::to_string(batch) + " has a null matrix address"};
    solveOne(p, a, b, alpha);
  }
  return std::nullopt;
}

} // namespace drawbridge::blas

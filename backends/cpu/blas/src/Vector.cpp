#include "drawbridge/blas/Vector.h"

#include "Scalar.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace drawbridge::blas {
namespace {

BlasError invalid(std::string message) {
  return {BlasErrorCode::InvalidValue, std::move(message)};
}

bool isReduction(VectorOp op) {
  return op == VectorOp::Dot || op == VectorOp::Nrm2 || op == VectorOp::Asum ||
         op == VectorOp::Amax;
}

bool readsX(VectorOp op) {
  return op != VectorOp::Scal;
}

bool usesY(VectorOp op) {
  return op == VectorOp::Axpy || op == VectorOp::Scal || op == VectorOp::Copy ||
         op == VectorOp::Dot;
}

// Where the i-th element of a strided vector of n lives: BLAS walks a negative increment from
// the far end, so the memory touched is the same as for its absolute value.
struct Strided {
  int64_t n, inc;
  int64_t operator()(int64_t i) const { return inc >= 0 ? i * inc : (n - 1 - i) * -inc; }
};

// Nrm2 of doubles: scaled by the largest magnitude so that squares neither overflow nor
// underflow. Floats are summed in double, where their squares cannot.
template <typename T> double norm2(const T* x, int64_t n, int64_t incx) {
  if constexpr (sizeof(T) == sizeof(float)) {
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
      sum += double(x[i * incx]) * double(x[i * incx]);
    return std::sqrt(sum);
  } else {
    double scale = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (std::isnan(x[i * incx]))
        return x[i * incx];
      scale = std::max(scale, std::fabs(x[i * incx]));
    }
    if (scale == 0 || std::isinf(scale))
      return scale;
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
      sum += (x[i * incx] / scale) * (x[i * incx] / scale);
    return scale * std::sqrt(sum);
  }
}

// The first index of the largest magnitude, 1-based; a NaN never compares larger, as in the
// reference BLAS.
template <typename T> int32_t amax(const T* x, int64_t n, int64_t incx) {
  int64_t best = 0;
  T largest = std::fabs(x[0]);
  for (int64_t i = 1; i < n; ++i)
    if (std::fabs(x[i * incx]) > largest) {
      largest = std::fabs(x[i * incx]);
      best = i;
    }
  return static_cast<int32_t>(best + 1);
}

template <typename T> void run(const VectorProblem& p, double alphaValue) {
  const T* x = static_cast<const T*>(p.x);
  T* y = static_cast<T*>(p.y);
  T alpha = static_cast<T>(alphaValue);
  Strided ix{p.n, p.incx}, iy{p.n, p.incy};
  // Scal (on y), Nrm2, Asum and Amax do nothing for an increment <= 0.
  bool forwardX = p.n > 0 && p.incx > 0, forwardY = p.n > 0 && p.incy > 0;
  switch (p.op) {
  case VectorOp::Axpy:
    for (int64_t i = 0; i < p.n; ++i)
      y[iy(i)] += alpha * x[ix(i)];
    return;
  case VectorOp::Scal:
    for (int64_t i = 0; forwardY && i < p.n; ++i)
      y[i * p.incy] *= alpha;
    return;
  case VectorOp::Copy:
    for (int64_t i = 0; i < p.n; ++i)
      y[iy(i)] = x[ix(i)];
    return;
  case VectorOp::Dot: {
    double sum = 0;
    for (int64_t i = 0; i < p.n; ++i)
      sum += double(x[ix(i)]) * double(y[iy(i)]);
    *static_cast<T*>(p.result) = static_cast<T>(sum);
    return;
  }
  case VectorOp::Nrm2:
    *static_cast<T*>(p.result) = forwardX ? static_cast<T>(norm2(x, p.n, p.incx)) : T(0);
    return;
  case VectorOp::Asum: {
    double sum = 0;
    for (int64_t i = 0; forwardX && i < p.n; ++i)
      sum += std::fabs(double(x[i * p.incx]));
    *static_cast<T*>(p.result) = static_cast<T>(sum);
    return;
  }
  case VectorOp::Amax:
    *static_cast<int32_t*>(p.result) = forwardX ? amax(x, p.n, p.incx) : 0;
    return;
  }
}

} // namespace

std::optional<BlasError> checkVector(const VectorProblem& p) {
  if (p.type != DataType::F32 && p.type != DataType::F64)
    return BlasError{BlasErrorCode::NotSupported, std::string("BLAS vector operations on ") +
                                                      detail::typeName(p.type) +
                                                      " are not implemented (f32 and f64 are)"};
  if (isReduction(p.op) && !p.result)
    return invalid("the result pointer is null");
  if (p.n > 0 && readsX(p.op) && !p.x)
    return invalid("vector x is a null pointer");
  if (p.n > 0 && usesY(p.op) && !p.y)
    return invalid(p.op == VectorOp::Scal ? "vector x is a null pointer"
                                          : "vector y is a null pointer");
  return std::nullopt;
}

std::optional<BlasError> vector(const VectorProblem& p) {
  if (auto error = checkVector(p))
    return error;
  double alpha = p.alphaPointer ? detail::load(p.type, p.alphaPointer, 0) : p.alpha;
  if (p.type == DataType::F64)
    run<double>(p, alpha);
  else
    run<float>(p, alpha);
  return std::nullopt;
}

} // namespace drawbridge::blas

#include "Validate.h"

#include "Scalar.h"

namespace drawbridge::blas::detail {
namespace {

BlasError invalid(std::string message) {
  return {BlasErrorCode::InvalidValue, std::move(message)};
}

} // namespace

std::optional<BlasError> validate(const MatmulProblem& p) {
  if (p.m < 0 || p.n < 0 || p.k < 0 || p.batch < 0)
    return invalid("negative dimension: m=" + std::to_string(p.m) + " n=" + std::to_string(p.n) +
                   " k=" + std::to_string(p.k) + " batch=" + std::to_string(p.batch));
  if (p.m == 0 || p.n == 0 || p.batch == 0)
    return std::nullopt;
  if (!p.d.data)
    return invalid("the output matrix D is a null pointer");
  if (p.k > 0 && (!p.a.data || !p.b.data))
    return invalid("input matrix A or B is a null pointer");
  if (p.beta != 0 && !p.c.data)
    return invalid("beta is non-zero but C is a null pointer");
  if (p.a.type != p.b.type)
    return BlasError{BlasErrorCode::NotSupported, std::string("A and B must have one type, got ") +
                                                      typeName(p.a.type) + " and " +
                                                      typeName(p.b.type)};
  if (p.beta != 0 && p.c.type != p.d.type)
    return BlasError{BlasErrorCode::NotSupported, std::string("C (") + typeName(p.c.type) +
                                                      ") and D (" + typeName(p.d.type) +
                                                      ") must have one type"};
  if (p.d.type != p.a.type && p.d.type != DataType::F32)
    return BlasError{BlasErrorCode::NotSupported, std::string("output type ") + typeName(p.d.type) +
                                                      " for " + typeName(p.a.type) + " inputs"};
  auto badStrides = [](const auto& m) {
    return m.rowStride < 1 || m.colStride < 1 || m.batchStride < 0;
  };
  if (badStrides(p.a) || badStrides(p.b) || badStrides(p.c) || badStrides(p.d))
    return invalid("matrix strides must be positive (batch stride non-negative)");
  if (p.batch > 1 && p.d.batchStride == 0)
    return invalid("a batch stride of 0 for D would write every batch to the same place");
  return std::nullopt;
}

bool needsFallback(const MatmulProblem& p) {
  return p.k == 0 || p.a.type == DataType::F64;
}

} // namespace drawbridge::blas::detail

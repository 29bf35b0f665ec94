#include "Validate.h"

#include "Scalar.h"

namespace drawbridge::blas::detail {
namespace {

BlasError invalid(std::string message) {
  return {BlasErrorCode::InvalidValue, std::move(message)};
}

template <typename M> bool present(const M& m) {
  return m.data || m.batchPointers;
}

// C is read unless beta is known to be zero now.
bool mayReadC(const MatmulProblem& p) {
  return p.beta != 0 || p.betaPointer;
}

} // namespace

std::optional<BlasError> validate(const MatmulProblem& p) {
  if (p.m < 0 || p.n < 0 || p.k < 0 || p.batch < 0)
    return invalid("negative dimension: m=" + std::to_string(p.m) + " n=" + std::to_string(p.n) +
                   " k=" + std::to_string(p.k) + " batch=" + std::to_string(p.batch));
  if (p.m == 0 || p.n == 0 || p.batch == 0)
    return std::nullopt;
  if (!present(p.d))
    return invalid("the output matrix D is a null pointer");
  if (p.k > 0 && (!present(p.a) || !present(p.b)))
    return invalid("input matrix A or B is a null pointer");
  if (mayReadC(p) && !present(p.c))
    return invalid("beta is non-zero but C is a null pointer");
  if (p.d.batchPointers && ((p.k > 0 && (!p.a.batchPointers || !p.b.batchPointers)) ||
                            (mayReadC(p) && !p.c.batchPointers)))
    return invalid("batches given by arrays of addresses need one for every operand");
  if (p.a.type != p.b.type)
    return BlasError{BlasErrorCode::NotSupported, std::string("A and B must have one type, got ") +
                                                      typeName(p.a.type) + " and " +
                                                      typeName(p.b.type)};
  if (mayReadC(p) && p.c.type != p.d.type)
    return BlasError{BlasErrorCode::NotSupported, std::string("C (") + typeName(p.c.type) +
                                                      ") and D (" + typeName(p.d.type) +
                                                      ") must have one type"};
  if (p.d.type != p.a.type && p.d.type != DataType::F32)
    return BlasError{BlasErrorCode::NotSupported, std::string("output type ") + typeName(p.d.type) +
                                                      " for " + typeName(p.a.type) + " inputs"};
  auto badStrides = [](const auto& m) {
    return m.rowStride == 0 || m.colStride == 0 || m.batchStride < 0;
  };
  if (badStrides(p.a) || badStrides(p.b) || badStrides(p.c) || badStrides(p.d))
    return invalid("matrix strides must be non-zero (batch strides non-negative)");
  if (p.batch > 1 && p.d.batchStride == 0 && !p.d.batchPointers)
    return invalid("a batch stride of 0 for D would write every batch to the same place");
  return std::nullopt;
}

bool needsFallback(const MatmulProblem& p) {
  auto backwards = [](const auto& m) { return m.rowStride < 0 || m.colStride < 0; };
  return p.k == 0 || p.a.type == DataType::F64 || backwards(p.a) || backwards(p.b) ||
         backwards(p.c) || backwards(p.d);
}

} // namespace drawbridge::blas::detail

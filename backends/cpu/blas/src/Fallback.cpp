#include "Fallback.h"

#include "Scalar.h"

#include <cmath>

namespace drawbridge::blas::detail {

double applyEpilogue(Epilogue epilogue, double x) {
  switch (epilogue) {
  case Epilogue::None:
    return x;
  case Epilogue::Relu:
    return x > 0 ? x : 0;
  case Epilogue::Gelu: {
    constexpr double kSqrt2OverPi = 0.7978845608028654;
    return 0.5 * x * (1 + std::tanh(kSqrt2OverPi * (x + 0.044715 * x * x * x)));
  }
  }
  return x;
}

void fallbackMatmul(const MatmulProblem& p) {
  for (int64_t batch = 0; batch < p.batch; ++batch)
    for (int64_t j = 0; j < p.n; ++j)
      for (int64_t i = 0; i < p.m; ++i) {
        double sum = 0;
        for (int64_t l = 0; l < p.k; ++l)
          sum += load(p.a.type, p.a.data,
                      batch * p.a.batchStride + i * p.a.rowStride + l * p.a.colStride) *
                 load(p.b.type, p.b.data,
                      batch * p.b.batchStride + l * p.b.rowStride + j * p.b.colStride);
        double value = p.alpha * sum;
        if (p.beta != 0)
          value += p.beta * load(p.c.type, p.c.data,
                                 batch * p.c.batchStride + i * p.c.rowStride + j * p.c.colStride);
        if (p.bias)
          value += load(p.biasType, p.bias, i);
        store(p.d.type, p.d.data, batch * p.d.batchStride + i * p.d.rowStride + j * p.d.colStride,
              applyEpilogue(p.epilogue, value));
      }
}

} // namespace drawbridge::blas::detail

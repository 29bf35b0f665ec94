// Linked into a workload built without a BLAS library: the own-kernel path runs, and asking for
// the library path stops with the reason instead of failing somewhere inside a GEMM.
#include "BlasLinear.h"

#include <cstdio>
#include <cstdlib>

namespace workload {

std::unique_ptr<BlasLinear> makeBlasLinear() {
  std::fprintf(stderr, "llama-workload: this build has no BLAS library (it was built without "
                       "cuBLAS or hipBLAS); run --gemm own, or a build that links one\n");
  std::exit(2);
}

} // namespace workload

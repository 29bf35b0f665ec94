// Profiler control. No NVIDIA profiler is ever attached to Drawbridge's runtime, and NVIDIA's
// runtime without one accepts both calls and does nothing; so does Drawbridge's.
// (Drawbridge's own timing, DRAWBRIDGE_PROFILE, covers the whole run.)
#include "Api.h"
#include "Export.h"

#include <cuda_profiler_api.h>

using namespace drawbridge::cudart;

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaProfilerStart() {
  return api("cudaProfilerStart", [] { return cudaSuccess; });
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaProfilerStop() {
  return api("cudaProfilerStop", [] { return cudaSuccess; });
}

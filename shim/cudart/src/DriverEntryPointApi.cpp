// cudaGetDriverEntryPoint*: no CUDA driver sits below Drawbridge's runtime, so every symbol is
// one the runtime cannot find. CUDA answers that with cudaSuccess, a NULL function pointer and
// cudaDriverEntryPointSymbolNotFound (cuda_runtime_api.h), which lets a program that probes for
// driver functions fall back to the runtime API instead of failing.
#include "Api.h"
#include "Export.h"
#include "drawbridge/support/ReportOnce.h"

using namespace drawbridge::cudart;

namespace {

cudaError_t notFound(const char* symbol, void** funcPtr, unsigned long long flags,
                     cudaDriverEntryPointQueryResult* driverStatus) {
  if (!symbol || !funcPtr ||
      (flags &
       ~static_cast<unsigned long long>(cudaEnableLegacyStream | cudaEnablePerThreadDefaultStream)))
    return cudaErrorInvalidValue;
  drawbridge::reportOnce("cudaGetDriverEntryPoint",
                         "drawbridge: cudaGetDriverEntryPoint: there is no CUDA driver below "
                         "Drawbridge's runtime; driver symbols (first asked: " +
                             std::string(symbol) + ") are reported as not found");
  *funcPtr = nullptr;
  if (driverStatus)
    *driverStatus = cudaDriverEntryPointSymbolNotFound;
  return cudaSuccess;
}

// The cudaVersion of ...ByVersion changes nothing when no symbol is found.
cudaError_t query(const char* name, const char* symbol, void** funcPtr, unsigned long long flags,
                  cudaDriverEntryPointQueryResult* driverStatus) {
  return api(
      name, [&] { return notFound(symbol, funcPtr, flags, driverStatus); }, symbol, funcPtr, flags,
      driverStatus);
}

cudaError_t queryByVersion(const char* name, const char* symbol, void** funcPtr,
                           unsigned int cudaVersion, unsigned long long flags,
                           cudaDriverEntryPointQueryResult* driverStatus) {
  return api(
      name, [&] { return notFound(symbol, funcPtr, flags, driverStatus); }, symbol, funcPtr,
      cudaVersion, flags, driverStatus);
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGetDriverEntryPoint(const char* symbol, void** funcPtr, unsigned long long flags,
                        cudaDriverEntryPointQueryResult* driverStatus) {
  return query("cudaGetDriverEntryPoint", symbol, funcPtr, flags, driverStatus);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGetDriverEntryPoint_ptsz(const char* symbol, void** funcPtr, unsigned long long flags,
                             cudaDriverEntryPointQueryResult* driverStatus) {
  return query("cudaGetDriverEntryPoint_ptsz", symbol, funcPtr, flags, driverStatus);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetDriverEntryPointByVersion(
    const char* symbol, void** funcPtr, unsigned int cudaVersion, unsigned long long flags,
    cudaDriverEntryPointQueryResult* driverStatus) {
  return queryByVersion("cudaGetDriverEntryPointByVersion", symbol, funcPtr, cudaVersion, flags,
                        driverStatus);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetDriverEntryPointByVersion_ptsz(
    const char* symbol, void** funcPtr, unsigned int cudaVersion, unsigned long long flags,
    cudaDriverEntryPointQueryResult* driverStatus) {
  return queryByVersion("cudaGetDriverEntryPointByVersion_ptsz", symbol, funcPtr, cudaVersion,
                        flags, driverStatus);
}

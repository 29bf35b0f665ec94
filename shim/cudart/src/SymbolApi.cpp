// __device__ and __constant__ variables, named by their host shadows as CUDA programs do.
#include "Api.h"
#include "Export.h"
#include "Modules.h"
#include "Operations.h"
#include "Runtime.h"

using namespace drawbridge::cudart;

namespace {

// The device address and size of the variable whose host shadow is `symbol`.
cudaError_t lookUp(const void* symbol, void*& address, size_t& size) {
  auto* variable = const_cast<RegisteredVariable*>(Registry::instance().variable(symbol));
  if (!variable)
    return cudaErrorInvalidSymbol;
  size = variable->size;
  return onCurrentDevice([&](drawbridge::backend::Device& device) {
    return resolveVariable(*variable, device, address);
  });
}

cudaError_t copySymbol(const void* symbol, size_t count, size_t offset, bool toSymbol, void* other,
                       cudaMemcpyKind kind, cudaStream_t stream, bool async, const char* name) {
  cudaMemcpy3DParms params;
  if (cudaError_t error = symbolCopy(symbol, count, offset, toSymbol, other, kind, params))
    return error;
  return copy(params, stream, async, name);
}

} // namespace

namespace drawbridge::cudart {

cudaError_t symbolCopy(const void* symbol, size_t count, size_t offset, bool toSymbol, void* other,
                       cudaMemcpyKind kind, cudaMemcpy3DParms& params) {
  if (!validCopyDirection(kind))
    return cudaErrorInvalidMemcpyDirection;
  void* address = nullptr;
  size_t size = 0;
  if (cudaError_t error = lookUp(symbol, address, size))
    return error;
  if (offset > size || count > size - offset)
    return cudaErrorInvalidValue;
  char* at = static_cast<char*>(address) + offset;
  params = linearCopy(toSymbol ? at : other, toSymbol ? other : at, count, kind);
  return cudaSuccess;
}

} // namespace drawbridge::cudart

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyToSymbol(const void* symbol, const void* src,
                                                        size_t count, size_t offset,
                                                        cudaMemcpyKind kind) {
  return api(
      "cudaMemcpyToSymbol",
      [&] {
        return copySymbol(symbol, count, offset, true, const_cast<void*>(src), kind, nullptr, false,
                          "cudaMemcpyToSymbol");
      },
      symbol, src, count, offset, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyFromSymbol(void* dst, const void* symbol,
                                                          size_t count, size_t offset,
                                                          cudaMemcpyKind kind) {
  return api(
      "cudaMemcpyFromSymbol",
      [&] {
        return copySymbol(symbol, count, offset, false, dst, kind, nullptr, false,
                          "cudaMemcpyFromSymbol");
      },
      dst, symbol, count, offset, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyToSymbolAsync(const void* symbol, const void* src,
                                                             size_t count, size_t offset,
                                                             cudaMemcpyKind kind,
                                                             cudaStream_t stream) {
  return api(
      "cudaMemcpyToSymbolAsync",
      [&] {
        return copySymbol(symbol, count, offset, true, const_cast<void*>(src), kind, stream, true,
                          "cudaMemcpyToSymbolAsync");
      },
      symbol, src, count, offset, kind, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyFromSymbolAsync(void* dst, const void* symbol,
                                                               size_t count, size_t offset,
                                                               cudaMemcpyKind kind,
                                                               cudaStream_t stream) {
  return api(
      "cudaMemcpyFromSymbolAsync",
      [&] {
        return copySymbol(symbol, count, offset, false, dst, kind, stream, true,
                          "cudaMemcpyFromSymbolAsync");
      },
      dst, symbol, count, offset, kind, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetSymbolAddress(void** devPtr, const void* symbol) {
  return api(
      "cudaGetSymbolAddress",
      [&] {
        if (!devPtr)
          return cudaErrorInvalidValue;
        size_t size = 0;
        return lookUp(symbol, *devPtr, size);
      },
      devPtr, symbol);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetSymbolSize(size_t* size, const void* symbol) {
  return api(
      "cudaGetSymbolSize",
      [&] {
        if (!size)
          return cudaErrorInvalidValue;
        void* address = nullptr;
        return lookUp(symbol, address, *size);
      },
      size, symbol);
}

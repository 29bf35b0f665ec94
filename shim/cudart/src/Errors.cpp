#include "Errors.h"

#include <atomic>

namespace drawbridge::cudart {
namespace {

thread_local cudaError_t lastError = cudaSuccess;
std::atomic<cudaError_t> sticky{cudaSuccess};

} // namespace

const char* errorName(cudaError_t error) {
  switch (error) {
#define DRAWBRIDGE_CUDA_ERROR(name, text)                                                          \
  case name:                                                                                       \
    return #name;
#include "ErrorTable.def"
#undef DRAWBRIDGE_CUDA_ERROR
  }
  return "unrecognized error code";
}

const char* errorString(cudaError_t error) {
  switch (error) {
#define DRAWBRIDGE_CUDA_ERROR(name, text)                                                          \
  case name:                                                                                       \
    return text;
#include "ErrorTable.def"
#undef DRAWBRIDGE_CUDA_ERROR
  }
  return "unrecognized error code";
}

bool isSticky(cudaError_t error) {
  switch (error) {
  case cudaErrorAssert:
  case cudaErrorLaunchFailure:
  case cudaErrorIllegalAddress:
  case cudaErrorIllegalInstruction:
  case cudaErrorMisalignedAddress:
  case cudaErrorInvalidAddressSpace:
  case cudaErrorInvalidPc:
  case cudaErrorHardwareStackError:
  case cudaErrorLaunchTimeout:
    return true;
  default:
    return false;
  }
}

cudaError_t report(cudaError_t error) {
  if (error == cudaSuccess)
    return error;
  lastError = error;
  if (isSticky(error)) {
    cudaError_t none = cudaSuccess;
    sticky.compare_exchange_strong(none, error);
  }
  return error;
}

cudaError_t takeLastError() {
  cudaError_t error = lastError;
  lastError = cudaSuccess;
  cudaError_t standing = sticky.load();
  return standing != cudaSuccess ? standing : error;
}

cudaError_t peekLastError() {
  cudaError_t standing = sticky.load();
  return standing != cudaSuccess ? standing : lastError;
}

cudaError_t stickyError() {
  return sticky.load();
}

void clearStickyError() {
  sticky.store(cudaSuccess);
  lastError = cudaSuccess;
}

} // namespace drawbridge::cudart

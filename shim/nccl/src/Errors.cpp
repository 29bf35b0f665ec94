// NCCL's error strings, the last error of the calling thread, and the result of every export
// Drawbridge does not implement.
#include "Communicator.h"
#include "Export.h"
#include "drawbridge/support/ReportOnce.h"

#include <cstdio>
#include <cstdlib>

namespace drawbridge::nccl {
namespace {
thread_local std::string lastError;
} // namespace

ncclResult_t fail(ncclResult_t result, const std::string& message) {
  lastError = message;
  if (const char* trace = std::getenv("DRAWBRIDGE_TRACE"); trace && *trace && *trace != '0')
    std::fprintf(stderr, "drawbridge: nccl: %s\n", message.c_str());
  return result;
}

const char* lastErrorText() {
  return lastError.c_str();
}

ncclResult_t fromMpi(int code, const char* what) {
  if (code == MPI_SUCCESS)
    return ncclSuccess;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  // A peer that vanished or a broken link is what NCCL reports as a remote error.
  return fail(ncclRemoteError, std::string(what) + " failed in MPI: " + std::string(text, length));
}

int unimplementedApi(const char* name) {
  std::string message =
      std::string(name) + " is not implemented by Drawbridge's NCCL; it returns ncclInvalidUsage";
  reportOnce(name, "drawbridge: " + message);
  return fail(ncclInvalidUsage, message);
}

} // namespace drawbridge::nccl

DRAWBRIDGE_NCCL_EXPORT const char* ncclGetErrorString(ncclResult_t result) {
  // NCCL 2.28's own strings.
  switch (result) {
  case ncclSuccess:
    return "no error";
  case ncclUnhandledCudaError:
    return "unhandled cuda error (run with NCCL_DEBUG=INFO for details)";
  case ncclSystemError:
    return "unhandled system error (run with NCCL_DEBUG=INFO for details)";
  case ncclInternalError:
    return "internal error - please report this issue to the NCCL developers";
  case ncclInvalidArgument:
    return "invalid argument (run with NCCL_DEBUG=WARN for details)";
  case ncclInvalidUsage:
    return "invalid usage (run with NCCL_DEBUG=WARN for details)";
  case ncclRemoteError:
    return "remote process exited or there was a network error";
  case ncclInProgress:
    return "NCCL operation in progress";
  default:
    return "unknown result code";
  }
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclGetErrorString)

DRAWBRIDGE_NCCL_EXPORT const char* ncclGetLastError(ncclComm_t) {
  return drawbridge::nccl::lastErrorText();
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclGetLastError)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclGetVersion(int* version) {
  if (!version)
    return drawbridge::nccl::fail(ncclInvalidArgument, "ncclGetVersion: version is NULL");
  *version = NCCL_VERSION_CODE;
  return ncclSuccess;
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclGetVersion)

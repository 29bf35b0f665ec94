// Status codes a backend returns. Each maps 1:1 onto a CUDA runtime error code, so the shim
// translates them without guessing; the message says what went wrong and names the thing.
#pragma once

#include "drawbridge/support/Expected.h"

#include <cassert>
#include <string>
#include <utility>

namespace drawbridge::backend {

enum class StatusCode {
  Success,              // cudaSuccess
  InvalidValue,         // cudaErrorInvalidValue
  OutOfMemory,          // cudaErrorMemoryAllocation
  InvalidDevice,        // cudaErrorInvalidDevice
  InvalidDevicePointer, // cudaErrorInvalidDevicePointer
  InvalidHandle,        // cudaErrorInvalidResourceHandle
  InvalidConfiguration, // cudaErrorInvalidConfiguration (grid/block/shared memory out of range)
  InvalidSource,        // cudaErrorInvalidSource (IR that cannot be parsed or lowered)
  SymbolNotFound,       // cudaErrorSymbolNotFound (no such kernel or global)
  NotReady,             // cudaErrorNotReady (query of unfinished work)
  LaunchFailure,        // cudaErrorLaunchFailure (trap, non-uniform barrier, bad collective)
  Assert,               // cudaErrorAssert (device-side assert)
  NotSupported,         // cudaErrorNotSupported
  MapFailed,            // cudaErrorMapBufferObjectFailed (another process's memory or event)
  InvalidContext,       // cudaErrorDeviceUninitialized (201: the driver's INVALID_CONTEXT)
  Unknown,              // cudaErrorUnknown
};

/// The CUDA-style name of a code ("LaunchFailure" for StatusCode::LaunchFailure).
const char* statusCodeName(StatusCode code);

/// A code and, when it is not Success, a message for the person who must act on it.
struct [[nodiscard]] Status {
  StatusCode code = StatusCode::Success;
  std::string message;

  static Status success() { return {}; }
  bool ok() const { return code == StatusCode::Success; }
  explicit operator bool() const { return ok(); }
};

inline Status failure(StatusCode code, std::string message) {
  return {code, std::move(message)};
}

/// A value or the Status that explains why there is none (never a successful Status).
template <typename T> class [[nodiscard]] Outcome : public Expected<T, Status> {
public:
  Outcome(T value) : Expected<T, Status>(std::move(value)) {}
  Outcome(Status status) : Expected<T, Status>(std::move(status)) { assert(!this->error().ok()); }

  const Status& status() const { return this->error(); }
};

} // namespace drawbridge::backend

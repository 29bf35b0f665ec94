// Status codes a backend returns. Each maps 1:1 onto a CUDA runtime error code, so the shim
// translates them without guessing; the message says what went wrong and names the thing.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

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

/// A value or the Status that explains why there is none.
template <typename T> class [[nodiscard]] Outcome {
public:
  Outcome(T value) : state_(std::move(value)) {}
  Outcome(Status status) : state_(std::move(status)) { assert(!std::get<Status>(state_).ok()); }

  explicit operator bool() const { return std::holds_alternative<T>(state_); }
  T& operator*() {
    assert(*this);
    return std::get<T>(state_);
  }
  const T& operator*() const {
    assert(*this);
    return std::get<T>(state_);
  }
  T* operator->() { return &**this; }
  const T* operator->() const { return &**this; }
  const Status& status() const {
    assert(!*this);
    return std::get<Status>(state_);
  }

private:
  std::variant<T, Status> state_;
};

} // namespace drawbridge::backend

#include "drawbridge/backend/Status.h"

namespace drawbridge::backend {

const char* statusCodeName(StatusCode code) {
  switch (code) {
  case StatusCode::Success:
    return "Success";
  case StatusCode::InvalidValue:
    return "InvalidValue";
  case StatusCode::OutOfMemory:
    return "OutOfMemory";
  case StatusCode::InvalidDevice:
    return "InvalidDevice";
  case StatusCode::InvalidDevicePointer:
    return "InvalidDevicePointer";
  case StatusCode::InvalidHandle:
    return "InvalidHandle";
  case StatusCode::InvalidConfiguration:
    return "InvalidConfiguration";
  case StatusCode::InvalidSource:
    return "InvalidSource";
  case StatusCode::SymbolNotFound:
    return "SymbolNotFound";
  case StatusCode::NotReady:
    return "NotReady";
  case StatusCode::LaunchFailure:
    return "LaunchFailure";
  case StatusCode::Assert:
    return "Assert";
  case StatusCode::NotSupported:
    return "NotSupported";
  case StatusCode::MapFailed:
    return "MapFailed";
  case StatusCode::InvalidContext:
    return "InvalidContext";
  case StatusCode::Unknown:
    return "Unknown";
  }
  return "Unknown";
}

} // namespace drawbridge::backend

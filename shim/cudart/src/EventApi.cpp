// Events: recording, waiting, querying and timing.
#include "Api.h"
#include "Capture.h"
#include "Errors.h"
#include "Export.h"
#include "Log.h"
#include "Runtime.h"

#include <cstdio>
#include <mutex>
#include <set>

using namespace drawbridge::cudart;

namespace {

// Events created with cudaEventDisableTiming: CUDA refuses to time them.
std::mutex untimedMutex;
std::set<cudaEvent_t> untimed;

bool timed(cudaEvent_t event) {
  std::lock_guard lock(untimedMutex);
  return !untimed.count(event);
}

cudaError_t createEvent(cudaEvent_t* event, unsigned flags, const char* name) {
  constexpr unsigned kKnown =
      cudaEventBlockingSync | cudaEventDisableTiming | cudaEventInterprocess;
  if (!event || (flags & ~kKnown))
    return cudaErrorInvalidValue;
  return onCurrentDevice([&](auto& d) {
    auto created = d.createEvent();
    if (!created)
      return toCudaError(created.status(), name);
    *event = reinterpret_cast<cudaEvent_t>(*created);
    if (flags & cudaEventDisableTiming) {
      std::lock_guard lock(untimedMutex);
      untimed.insert(*event);
    }
    return cudaSuccess;
  });
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaEventCreate(cudaEvent_t* event) {
  return api(
      "cudaEventCreate", [&] { return createEvent(event, cudaEventDefault, "cudaEventCreate"); },
      event);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event,
                                                              unsigned int flags) {
  return api(
      "cudaEventCreateWithFlags",
      [&] { return createEvent(event, flags, "cudaEventCreateWithFlags"); }, event, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaEventDestroy(cudaEvent_t event) {
  return api(
      "cudaEventDestroy",
      [&] {
        if (!event)
          return cudaErrorInvalidResourceHandle;
        {
          std::lock_guard lock(untimedMutex);
          untimed.erase(event);
        }
        return onCurrentDevice([&](auto& d) {
          return toCudaError(d.destroyEvent(toBackend(event)), "cudaEventDestroy");
        });
      },
      event);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  return api(
      "cudaEventRecord",
      [&] {
        if (!event)
          return cudaErrorInvalidResourceHandle;
        if (auto captured = capture::recordEvent(event, stream))
          return *captured;
        return onCurrentDevice([&](auto& d) {
          return toCudaError(d.recordEvent(toBackend(event), toBackend(stream)), "cudaEventRecord");
        });
      },
      event, stream);
}

// cudaEventRecordExternal only changes what a capture makes of the record (an external event
// node, which Drawbridge's graphs do not model); outside a capture both records are the same.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaEventRecordWithFlags(cudaEvent_t event,
                                                              cudaStream_t stream,
                                                              unsigned int flags) {
  if (flags & ~cudaEventRecordExternal)
    return report(cudaErrorInvalidValue);
  if ((flags & cudaEventRecordExternal) &&
      capture::info(stream).status != cudaStreamCaptureStatusNone) {
    logError("drawbridge: cudaEventRecordWithFlags: external event nodes are not "
             "supported in stream capture; record the event outside the capture\n");
    return report(cudaErrorNotSupported);
  }
  return cudaEventRecord(event, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  return api(
      "cudaEventSynchronize",
      [&] {
        if (!event)
          return cudaErrorInvalidResourceHandle;
        return onCurrentDevice([&](auto& d) {
          return toCudaError(d.synchronizeEvent(toBackend(event)), "cudaEventSynchronize");
        });
      },
      event);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaEventQuery(cudaEvent_t event) {
  if (!event)
    return report(cudaErrorInvalidResourceHandle);
  cudaError_t result = onCurrentDevice([&](drawbridge::backend::Device& d) {
    return toCudaError(d.queryEvent(toBackend(event)), "cudaEventQuery");
  });
  return result == cudaErrorNotReady ? result : report(result);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start,
                                                          cudaEvent_t end) {
  return api(
      "cudaEventElapsedTime",
      [&] {
        if (!ms)
          return cudaErrorInvalidValue;
        if (!start || !end || !timed(start) || !timed(end))
          return cudaErrorInvalidResourceHandle;
        return onCurrentDevice([&](auto& d) {
          auto elapsed = d.elapsedMilliseconds(toBackend(start), toBackend(end));
          if (!elapsed)
            return toCudaError(elapsed.status(), "cudaEventElapsedTime");
          *ms = *elapsed;
          return cudaSuccess;
        });
      },
      ms, start, end);
}

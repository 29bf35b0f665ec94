// Events: recording, waiting, querying and timing, and interprocess events' handles.
#include "Api.h"
#include "Capture.h"
#include "Errors.h"
#include "Export.h"
#include "IpcHandles.h"
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
  // CUDA: "cudaEventInterprocess must be specified along with cudaEventDisableTiming".
  bool interprocess = flags & cudaEventInterprocess;
  if (interprocess && !(flags & cudaEventDisableTiming))
    return cudaErrorInvalidValue;
  return onCurrentDevice([&](drawbridge::backend::Device& d) {
    auto created = interprocess ? d.createInterprocessEvent() : d.createEvent();
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

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaIpcGetEventHandle(cudaIpcEventHandle_t* handle,
                                                           cudaEvent_t event) {
  return api(
      "cudaIpcGetEventHandle",
      [&] {
        if (!handle)
          return cudaErrorInvalidValue;
        if (!event)
          return cudaErrorInvalidResourceHandle;
        return onCurrentDevice([&](drawbridge::backend::Device& d) {
          auto exported = d.exportEvent(toBackend(event));
          if (!exported)
            return toCudaError(exported.status(), "cudaIpcGetEventHandle");
          fromShareable(*exported, *handle);
          return cudaSuccess;
        });
      },
      handle, event);
}

// The opened event behaves as one created here with cudaEventDisableTiming (CUDA's words).
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaIpcOpenEventHandle(cudaEvent_t* event,
                                                            cudaIpcEventHandle_t handle) {
  return api(
      "cudaIpcOpenEventHandle",
      [&] {
        if (!event)
          return cudaErrorInvalidValue;
        return onCurrentDevice([&](drawbridge::backend::Device& d) {
          auto opened = d.importEvent(toShareable(handle));
          if (!opened)
            return toCudaError(opened.status(), "cudaIpcOpenEventHandle");
          *event = reinterpret_cast<cudaEvent_t>(*opened);
          std::lock_guard lock(untimedMutex);
          untimed.insert(*event);
          return cudaSuccess;
        });
      },
      event);
}

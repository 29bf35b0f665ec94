// Streams: creation with flags and priorities, ordering, queries, ids, attributes and host
// callbacks.
#include "Api.h"
#include "Capture.h"
#include "Export.h"
#include "Log.h"
#include "Operations.h"
#include "Runtime.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>

using namespace drawbridge::cudart;

namespace {

// CUDA's range: 0 is the least priority, -5 the greatest; values beyond are clamped.
constexpr int kLeastPriority = 0;
constexpr int kGreatestPriority = -5;

// Every stream's id is unique in the process and never reused, as CUDA's are.
std::atomic<unsigned long long> nextStreamId{1};

struct StreamSettings {
  unsigned flags = cudaStreamDefault;
  int priority = kLeastPriority;
  unsigned long long id = nextStreamId++;
  // The attributes cudaStreamSetAttribute stored (access policy window, synchronisation policy,
  // memory sync domain); the CPU device has no L2 or sync domains for them to steer.
  std::map<cudaLaunchAttributeID, cudaLaunchAttributeValue> attributes;
};
std::mutex settingsMutex;
std::map<cudaStream_t, StreamSettings> settings;

// The key of a stream's settings: 0 and cudaStreamLegacy are one stream, and each thread's
// default stream is its own.
cudaStream_t keyOf(cudaStream_t stream) {
  return stream == cudaStreamLegacy ? nullptr : reinterpret_cast<cudaStream_t>(toBackend(stream));
}

/// The settings of a stream, made with CUDA's defaults on first use (the default streams).
StreamSettings& settingsLocked(cudaStream_t stream) {
  return settings[keyOf(stream)];
}

StreamSettings settingsOf(cudaStream_t stream) {
  std::lock_guard lock(settingsMutex);
  return settingsLocked(stream);
}

cudaError_t createStream(cudaStream_t* stream, unsigned flags, int priority, const char* name) {
  if (!stream || (flags & ~cudaStreamNonBlocking))
    return cudaErrorInvalidValue;
  return onCurrentDevice([&](drawbridge::backend::Device& d) {
    auto created = d.createStream((flags & cudaStreamNonBlocking)
                                      ? drawbridge::backend::StreamKind::NonBlocking
                                      : drawbridge::backend::StreamKind::Blocking);
    if (!created)
      return toCudaError(created.status(), name);
    *stream = reinterpret_cast<cudaStream_t>(*created);
    if (flags & cudaStreamNonBlocking)
      capture::rememberNonBlocking(*stream);
    std::lock_guard lock(settingsMutex);
    StreamSettings& made = settings[*stream];
    made = StreamSettings{};
    made.flags = flags;
    made.priority = std::clamp(priority, kGreatestPriority, kLeastPriority);
    return cudaSuccess;
  });
}

bool isStreamAttribute(cudaLaunchAttributeID attr) {
  return attr == cudaLaunchAttributeAccessPolicyWindow ||
         attr == cudaLaunchAttributeSynchronizationPolicy || attr == cudaLaunchAttributePriority ||
         attr == cudaLaunchAttributeMemSyncDomainMap || attr == cudaLaunchAttributeMemSyncDomain;
}

cudaError_t getStreamAttribute(cudaStream_t stream, cudaLaunchAttributeID attr,
                               cudaLaunchAttributeValue* value) {
  if (!value || !isStreamAttribute(attr))
    return cudaErrorInvalidValue;
  std::lock_guard lock(settingsMutex);
  StreamSettings& own = settingsLocked(stream);
  if (attr == cudaLaunchAttributePriority) {
    value->priority = own.priority;
    return cudaSuccess;
  }
  auto it = own.attributes.find(attr);
  *value = it == own.attributes.end() ? cudaLaunchAttributeValue{} : it->second;
  if (it == own.attributes.end() && attr == cudaLaunchAttributeSynchronizationPolicy)
    value->syncPolicy = cudaSyncPolicyAuto;
  return cudaSuccess;
}

// A window no larger than the device's cudaDevAttrMaxAccessPolicyWindowSize (CUDA's rule; the
// CPU device's is 0, having no L2 to steer, so only an empty window is accepted).
bool validAccessPolicy(const cudaAccessPolicyWindow& window) {
  auto known = [](cudaAccessProperty p) {
    return p == cudaAccessPropertyNormal || p == cudaAccessPropertyStreaming ||
           p == cudaAccessPropertyPersisting;
  };
  int largest = 0;
  if (cudaDeviceGetAttribute(&largest, cudaDevAttrMaxAccessPolicyWindowSize,
                             Runtime::instance().currentOrdinal()) != cudaSuccess ||
      window.num_bytes > size_t(largest))
    return false;
  return window.hitRatio >= 0.f && window.hitRatio <= 1.f && known(window.hitProp) &&
         known(window.missProp);
}

cudaError_t setStreamAttribute(cudaStream_t stream, cudaLaunchAttributeID attr,
                               const cudaLaunchAttributeValue* value) {
  if (!value || !isStreamAttribute(attr))
    return cudaErrorInvalidValue;
  if (attr == cudaLaunchAttributeAccessPolicyWindow &&
      !validAccessPolicy(value->accessPolicyWindow))
    return cudaErrorInvalidValue;
  if (attr == cudaLaunchAttributeSynchronizationPolicy &&
      (value->syncPolicy < cudaSyncPolicyAuto || value->syncPolicy > cudaSyncPolicyBlockingSync))
    return cudaErrorInvalidValue;
  std::lock_guard lock(settingsMutex);
  StreamSettings& own = settingsLocked(stream);
  if (attr == cudaLaunchAttributePriority)
    own.priority = std::clamp(value->priority, kGreatestPriority, kLeastPriority);
  else
    own.attributes[attr] = *value;
  return cudaSuccess;
}

struct StreamCallback {
  cudaStreamCallback_t fn;
  cudaStream_t stream;
  void* user;
};

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamCreate(cudaStream_t* pStream) {
  return api(
      "cudaStreamCreate",
      [&] { return createStream(pStream, cudaStreamDefault, kLeastPriority, "cudaStreamCreate"); },
      pStream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamCreateWithFlags(cudaStream_t* pStream,
                                                               unsigned int flags) {
  return api(
      "cudaStreamCreateWithFlags",
      [&] { return createStream(pStream, flags, kLeastPriority, "cudaStreamCreateWithFlags"); },
      pStream, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamCreateWithPriority(cudaStream_t* pStream,
                                                                  unsigned int flags,
                                                                  int priority) {
  return api(
      "cudaStreamCreateWithPriority",
      [&] { return createStream(pStream, flags, priority, "cudaStreamCreateWithPriority"); },
      pStream, flags, priority);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  return api(
      "cudaStreamDestroy",
      [&] {
        if (stream == nullptr || stream == cudaStreamLegacy || stream == cudaStreamPerThread)
          return cudaErrorInvalidResourceHandle;
        capture::forgetStream(stream);
        {
          std::lock_guard lock(settingsMutex);
          settings.erase(keyOf(stream));
        }
        return onCurrentDevice([&](auto& d) {
          return toCudaError(d.destroyStream(toBackend(stream)), "cudaStreamDestroy");
        });
      },
      stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  return api(
      "cudaStreamSynchronize",
      [&] {
        if (cudaError_t error = capture::forbidSynchronize(stream))
          return error;
        return onCurrentDevice([&](auto& d) {
          return toCudaError(d.synchronizeStream(toBackend(stream)), "cudaStreamSynchronize");
        });
      },
      stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamQuery(cudaStream_t stream) {
  // cudaErrorNotReady is an answer, not a failure: it must not become the last error.
  if (cudaError_t error = capture::forbidSynchronize(stream))
    return report(error);
  cudaError_t result = onCurrentDevice([&](drawbridge::backend::Device& d) {
    return toCudaError(d.queryStream(toBackend(stream)), "cudaStreamQuery");
  });
  return result == cudaErrorNotReady ? result : report(result);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event,
                                                         unsigned int flags) {
  return api(
      "cudaStreamWaitEvent",
      [&] {
        if (!event || (flags & ~cudaEventWaitExternal))
          return cudaErrorInvalidValue;
        if (auto captured = capture::waitEvent(stream, event))
          return *captured;
        return onCurrentDevice([&](auto& d) {
          return toCudaError(d.waitEvent(toBackend(stream), toBackend(event)),
                             "cudaStreamWaitEvent");
        });
      },
      stream, event, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLaunchHostFunc(cudaStream_t stream, cudaHostFn_t fn,
                                                        void* userData) {
  return api(
      "cudaLaunchHostFunc",
      [&] { return hostFunction(fn, userData, stream, "cudaLaunchHostFunc"); }, stream, fn,
      userData);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamAddCallback(cudaStream_t stream,
                                                           cudaStreamCallback_t callback,
                                                           void* userData, unsigned int flags) {
  return api(
      "cudaStreamAddCallback",
      [&] {
        if (!callback || flags != 0)
          return cudaErrorInvalidValue;
        if (capture::info(stream).status != cudaStreamCaptureStatusNone)
          return cudaErrorStreamCaptureUnsupported; // CUDA has no node for these callbacks
        auto* call = new StreamCallback{callback, stream, userData};
        return onCurrentDevice([&](auto& d) {
          return toCudaError(
              d.addHostCallback(
                  toBackend(stream),
                  [](void* p, drawbridge::backend::StatusCode status) {
                    std::unique_ptr<StreamCallback> call(static_cast<StreamCallback*>(p));
                    call->fn(call->stream, toCudaError({status, {}}, "cudaStreamAddCallback"),
                             call->user);
                  },
                  call),
              "cudaStreamAddCallback");
        });
      },
      stream, callback, userData, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamGetPriority(cudaStream_t hStream, int* priority) {
  return api(
      "cudaStreamGetPriority",
      [&] {
        if (!priority)
          return cudaErrorInvalidValue;
        *priority = settingsOf(hStream).priority;
        return cudaSuccess;
      },
      hStream, priority);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamGetFlags(cudaStream_t hStream, unsigned int* flags) {
  return api(
      "cudaStreamGetFlags",
      [&] {
        if (!flags)
          return cudaErrorInvalidValue;
        *flags = settingsOf(hStream).flags;
        return cudaSuccess;
      },
      hStream, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamGetId(cudaStream_t hStream,
                                                     unsigned long long* streamId) {
  return api(
      "cudaStreamGetId",
      [&] {
        if (!streamId)
          return cudaErrorInvalidValue;
        *streamId = settingsOf(hStream).id;
        return cudaSuccess;
      },
      hStream, streamId);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamGetId_ptsz(cudaStream_t hStream,
                                                          unsigned long long* streamId) {
  return cudaStreamGetId(hStream ? hStream : cudaStreamPerThread, streamId);
}

// Every stream belongs to the device current when it was made; the backend's streams are the
// current device's, so a stream's device is the current one.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamGetDevice(cudaStream_t hStream, int* device) {
  return api(
      "cudaStreamGetDevice",
      [&] {
        if (!device)
          return cudaErrorInvalidValue;
        return onCurrentDevice([&](auto&) {
          *device = Runtime::instance().currentOrdinal();
          return cudaSuccess;
        });
      },
      hStream, device);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamGetDevice_ptsz(cudaStream_t hStream, int* device) {
  return cudaStreamGetDevice(hStream ? hStream : cudaStreamPerThread, device);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamGetAttribute(cudaStream_t hStream,
                                                            cudaLaunchAttributeID attr,
                                                            cudaLaunchAttributeValue* value_out) {
  return api(
      "cudaStreamGetAttribute", [&] { return getStreamAttribute(hStream, attr, value_out); },
      hStream, attr, value_out);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamGetAttribute_ptsz(
    cudaStream_t hStream, cudaLaunchAttributeID attr, cudaLaunchAttributeValue* value_out) {
  return cudaStreamGetAttribute(hStream ? hStream : cudaStreamPerThread, attr, value_out);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamSetAttribute(cudaStream_t hStream,
                                                            cudaLaunchAttributeID attr,
                                                            const cudaLaunchAttributeValue* value) {
  return api(
      "cudaStreamSetAttribute", [&] { return setStreamAttribute(hStream, attr, value); }, hStream,
      attr, value);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamSetAttribute_ptsz(
    cudaStream_t hStream, cudaLaunchAttributeID attr, const cudaLaunchAttributeValue* value) {
  return cudaStreamSetAttribute(hStream ? hStream : cudaStreamPerThread, attr, value);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamCopyAttributes(cudaStream_t dst, cudaStream_t src) {
  return api(
      "cudaStreamCopyAttributes",
      [&] {
        std::lock_guard lock(settingsMutex);
        StreamSettings from = settingsLocked(src);
        StreamSettings& to = settingsLocked(dst);
        to.attributes = from.attributes;
        to.priority = from.priority;
        return cudaSuccess;
      },
      dst, src);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamCopyAttributes_ptsz(cudaStream_t dst,
                                                                   cudaStream_t src) {
  return cudaStreamCopyAttributes(dst ? dst : cudaStreamPerThread, src ? src : cudaStreamPerThread);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamBeginCapture(cudaStream_t stream,
                                                            cudaStreamCaptureMode mode) {
  return api(
      "cudaStreamBeginCapture", [&] { return capture::begin(stream, mode); }, stream, mode);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamBeginCaptureToGraph(
    cudaStream_t stream, cudaGraph_t graph, const cudaGraphNode_t* dependencies,
    const cudaGraphEdgeData* dependencyData, size_t numDependencies, cudaStreamCaptureMode mode) {
  return api(
      "cudaStreamBeginCaptureToGraph",
      [&] {
        static const cudaGraphEdgeData kFull = {};
        for (size_t i = 0; dependencyData && i < numDependencies; ++i)
          if (std::memcmp(&dependencyData[i], &kFull, sizeof kFull)) {
            logError("drawbridge: cudaStreamBeginCaptureToGraph: edge data "
                     "(programmatic dependent launch) is not supported\n");
            return cudaErrorNotSupported;
          }
        if (!graph)
          return cudaErrorInvalidValue;
        return capture::begin(stream, mode, graph, dependencies, numDependencies);
      },
      stream, graph, dependencies, dependencyData, numDependencies, mode);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamBeginCaptureToGraph_ptsz(
    cudaStream_t stream, cudaGraph_t graph, const cudaGraphNode_t* dependencies,
    const cudaGraphEdgeData* dependencyData, size_t numDependencies, cudaStreamCaptureMode mode) {
  return cudaStreamBeginCaptureToGraph(stream ? stream : cudaStreamPerThread, graph, dependencies,
                                       dependencyData, numDependencies, mode);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamEndCapture(cudaStream_t stream,
                                                          cudaGraph_t* pGraph) {
  return api(
      "cudaStreamEndCapture", [&] { return capture::end(stream, pGraph); }, stream, pGraph);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaStreamIsCapturing(cudaStream_t stream, cudaStreamCaptureStatus* pCaptureStatus) {
  return api(
      "cudaStreamIsCapturing",
      [&] {
        if (!pCaptureStatus)
          return cudaErrorInvalidValue;
        *pCaptureStatus = capture::info(stream).status;
        return cudaSuccess;
      },
      stream, pCaptureStatus);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamGetCaptureInfo(
    cudaStream_t stream, cudaStreamCaptureStatus* captureStatus_out, unsigned long long* id_out,
    cudaGraph_t* graph_out, const cudaGraphNode_t** dependencies_out,
    const cudaGraphEdgeData** edgeData_out, size_t* numDependencies_out) {
  return api(
      "cudaStreamGetCaptureInfo",
      [&] {
        if (!captureStatus_out)
          return cudaErrorInvalidValue;
        capture::Info info = capture::info(stream);
        *captureStatus_out = info.status;
        if (id_out)
          *id_out = info.id;
        if (graph_out)
          *graph_out = info.graph;
        if (dependencies_out)
          *dependencies_out = info.dependencies;
        if (edgeData_out)
          *edgeData_out = nullptr; // every edge is a plain dependency
        if (numDependencies_out)
          *numDependencies_out = info.dependencyCount;
        return cudaSuccess;
      },
      stream, captureStatus_out);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamUpdateCaptureDependencies(
    cudaStream_t stream, cudaGraphNode_t* dependencies, const cudaGraphEdgeData* dependencyData,
    size_t numDependencies, unsigned int flags) {
  return api(
      "cudaStreamUpdateCaptureDependencies",
      [&] {
        // Every captured edge is a full dependency; programmatic edges are not modelled.
        for (size_t i = 0; dependencyData && i < numDependencies; ++i)
          if (dependencyData[i].type != cudaGraphDependencyTypeDefault ||
              dependencyData[i].from_port || dependencyData[i].to_port) {
            logError("drawbridge: cudaStreamUpdateCaptureDependencies: only full "
                     "dependencies (zeroed cudaGraphEdgeData) are supported\n");
            return cudaErrorNotSupported;
          }
        return capture::updateDependencies(stream, dependencies, numDependencies, flags);
      },
      stream, dependencies, numDependencies, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaThreadExchangeStreamCaptureMode(cudaStreamCaptureMode* mode) {
  return api(
      "cudaThreadExchangeStreamCaptureMode", [&] { return capture::exchangeMode(mode); }, mode);
}

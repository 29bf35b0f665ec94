// Streams: creation with flags and priorities, ordering, queries and host callbacks.
#include "Api.h"
#include "Export.h"
#include "Runtime.h"

using namespace drawbridge::cudart;

namespace {

cudaError_t createStream(cudaStream_t* stream, unsigned flags, const char* name) {
  if (!stream || (flags & ~cudaStreamNonBlocking))
    return cudaErrorInvalidValue;
  return onCurrentDevice([&](drawbridge::backend::Device& d) {
    auto created = d.createStream((flags & cudaStreamNonBlocking)
                                      ? drawbridge::backend::StreamKind::NonBlocking
                                      : drawbridge::backend::StreamKind::Blocking);
    if (!created)
      return toCudaError(created.status(), name);
    *stream = reinterpret_cast<cudaStream_t>(*created);
    return cudaSuccess;
  });
}

struct HostFunction {
  cudaHostFn_t fn;
  void* user;
};

struct StreamCallback {
  cudaStreamCallback_t fn;
  cudaStream_t stream;
  void* user;
};

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamCreate(cudaStream_t* pStream) {
  return api(
      "cudaStreamCreate",
      [&] { return createStream(pStream, cudaStreamDefault, "cudaStreamCreate"); }, pStream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamCreateWithFlags(cudaStream_t* pStream,
                                                               unsigned int flags) {
  return api(
      "cudaStreamCreateWithFlags",
      [&] { return createStream(pStream, flags, "cudaStreamCreateWithFlags"); }, pStream, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamCreateWithPriority(cudaStream_t* pStream,
                                                                  unsigned int flags,
                                                                  int priority) {
  return api(
      "cudaStreamCreateWithPriority",
      [&] { return createStream(pStream, flags, "cudaStreamCreateWithPriority"); }, pStream, flags,
      priority);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  return api(
      "cudaStreamDestroy",
      [&] {
        if (stream == nullptr || stream == cudaStreamLegacy || stream == cudaStreamPerThread)
          return cudaErrorInvalidResourceHandle;
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
        return onCurrentDevice([&](auto& d) {
          return toCudaError(d.synchronizeStream(toBackend(stream)), "cudaStreamSynchronize");
        });
      },
      stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamQuery(cudaStream_t stream) {
  // cudaErrorNotReady is an answer, not a failure: it must not become the last error.
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
      [&] {
        if (!fn)
          return cudaErrorInvalidValue;
        auto* call = new HostFunction{fn, userData};
        return onCurrentDevice([&](auto& d) {
          return toCudaError(d.addHostCallback(
                                 toBackend(stream),
                                 [](void* p, drawbridge::backend::StatusCode) {
                                   std::unique_ptr<HostFunction> call(
                                       static_cast<HostFunction*>(p));
                                   call->fn(call->user);
                                 },
                                 call),
                             "cudaLaunchHostFunc");
        });
      },
      stream, fn, userData);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaStreamAddCallback(cudaStream_t stream,
                                                           cudaStreamCallback_t callback,
                                                           void* userData, unsigned int flags) {
  return api(
      "cudaStreamAddCallback",
      [&] {
        if (!callback || flags != 0)
          return cudaErrorInvalidValue;
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

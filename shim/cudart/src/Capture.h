// Stream capture: while a stream captures, the work put on it becomes nodes of a graph instead
// of running. Other streams join a capture by waiting on an event recorded in it, and must
// join back before it ends. Calls CUDA forbids during capture fail as CUDA's do and invalidate
// the capture.
#pragma once

#include "Graph.h"

#include <cuda_runtime_api.h>
#include <optional>

namespace drawbridge::cudart::capture {

/// Captures into a new graph, or with `into` into that existing graph, after `dependencies`
/// (cudaStreamBeginCaptureToGraph).
cudaError_t begin(cudaStream_t stream, cudaStreamCaptureMode mode, cudaGraph_t into = nullptr,
                  const cudaGraphNode_t* dependencies = nullptr, size_t count = 0);
cudaError_t end(cudaStream_t stream, cudaGraph_t* graph);

struct Info {
  cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
  unsigned long long id = 0;
  cudaGraph_t graph = nullptr;
  const cudaGraphNode_t* dependencies = nullptr;
  size_t dependencyCount = 0;
};
Info info(cudaStream_t stream);

/// cudaStreamUpdateCaptureDependencies: adds `nodes` to, or sets them as, what the next node
/// captured on `stream` depends on.
cudaError_t updateDependencies(cudaStream_t stream, const cudaGraphNode_t* nodes, size_t count,
                               unsigned flags);

/// When `stream` is capturing, adds `work` to its graph and returns the call's result; when a
/// capture forbids using `stream` (the legacy stream during a capture), returns that error.
/// Otherwise nothing: the caller runs the work.
std::optional<cudaError_t> intercept(cudaStream_t stream, NodeWork&& work);
/// Whether any capture is under way: work that is costly to describe as a node (a kernel's
/// argument copy) is described only then.
bool active();

/// cudaEventRecord / cudaStreamWaitEvent on capturing streams: fork and join.
std::optional<cudaError_t> recordEvent(cudaEvent_t event, cudaStream_t stream);
std::optional<cudaError_t> waitEvent(cudaStream_t stream, cudaEvent_t event);

/// Synchronising with a capturing stream: cudaErrorStreamCaptureUnsupported, and the capture
/// is invalidated. cudaSuccess otherwise.
cudaError_t forbidSynchronize(cudaStream_t stream);
/// Calls CUDA deems unsafe while a capture that is not relaxed is under way on this thread
/// (cudaMalloc, cudaDeviceSynchronize...): the same error.
cudaError_t forbidUnsafeCall();

cudaError_t exchangeMode(cudaStreamCaptureMode* mode);

/// Non-blocking streams do not synchronise with the legacy stream, so using it does not break
/// their captures.
void rememberNonBlocking(cudaStream_t stream);
void forgetStream(cudaStream_t stream);

} // namespace drawbridge::cudart::capture

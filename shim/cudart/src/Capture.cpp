#include "Capture.h"

#include "Runtime.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace drawbridge::cudart::capture {
namespace {

struct Session {
  unsigned long long id;
  cudaStreamCaptureMode mode;
  std::thread::id thread;
  backend::Stream* origin;
  std::unique_ptr<CUgraph_st> owned; // the graph begun for the capture, unless it was given
  CUgraph_st* graph;
  bool invalidated = false;
};

struct CapturingStream {
  std::shared_ptr<Session> session;
  std::vector<cudaGraphNode_t> tail; // what the next node on the stream depends on
};

struct RecordedEvent {
  std::shared_ptr<Session> session;
  std::vector<cudaGraphNode_t> nodes;
};

std::mutex mutex;
std::map<backend::Stream*, CapturingStream> streams;
std::map<cudaEvent_t, RecordedEvent> events;
std::set<backend::Stream*> nonBlocking;
unsigned long long nextId = 1;
thread_local cudaStreamCaptureMode threadMode = cudaStreamCaptureModeGlobal;

CapturingStream* find(backend::Stream* stream) {
  auto it = streams.find(stream);
  return it == streams.end() ? nullptr : &it->second;
}

// Whether a capture forbids unsafe calls on this thread: global captures unless this thread
// chose relaxed, and thread-local captures this thread began.
bool forbidsUnsafe(const Session& session) {
  if (session.mode == cudaStreamCaptureModeGlobal)
    return threadMode != cudaStreamCaptureModeRelaxed;
  return session.mode == cudaStreamCaptureModeThreadLocal &&
         session.thread == std::this_thread::get_id();
}

void invalidate(const std::shared_ptr<Session>& session) {
  session->invalidated = true;
}

// Every node `from` depends on, directly or not, and itself.
void ancestors(cudaGraphNode_t from, std::set<cudaGraphNode_t>& seen) {
  if (!seen.insert(from).second)
    return;
  for (cudaGraphNode_t d : from->dependencies)
    ancestors(d, seen);
}

} // namespace

cudaError_t begin(cudaStream_t stream, cudaStreamCaptureMode mode, cudaGraph_t into,
                  const cudaGraphNode_t* dependencies, size_t count) {
  if (mode != cudaStreamCaptureModeGlobal && mode != cudaStreamCaptureModeThreadLocal &&
      mode != cudaStreamCaptureModeRelaxed)
    return cudaErrorInvalidValue;
  if (count && !dependencies)
    return cudaErrorInvalidValue;
  for (size_t i = 0; i < count; ++i)
    if (!into || !into->owns(dependencies[i]))
      return cudaErrorInvalidValue;
  backend::Stream* key = toBackend(stream);
  if (!key)
    return cudaErrorStreamCaptureUnsupported; // the legacy stream cannot capture
  std::lock_guard lock(mutex);
  if (find(key))
    return cudaErrorIllegalState;
  auto owned = into ? nullptr : std::make_unique<CUgraph_st>();
  CUgraph_st* graph = into ? into : owned.get();
  auto session = std::make_shared<Session>(
      Session{nextId++, mode, std::this_thread::get_id(), key, std::move(owned), graph});
  streams[key] = {session, {dependencies, dependencies + count}};
  return cudaSuccess;
}

cudaError_t end(cudaStream_t stream, cudaGraph_t* graph) {
  if (!graph)
    return cudaErrorInvalidValue;
  backend::Stream* key = toBackend(stream);
  std::lock_guard lock(mutex);
  CapturingStream* capturing = find(key);
  if (!capturing)
    return cudaErrorIllegalState;
  std::shared_ptr<Session> session = capturing->session;
  if (session->mode != cudaStreamCaptureModeRelaxed &&
      session->thread != std::this_thread::get_id())
    return cudaErrorStreamCaptureWrongThread;
  if (session->origin != key)
    return cudaErrorStreamCaptureUnmatched;
  std::set<cudaGraphNode_t> joined;
  for (cudaGraphNode_t node : capturing->tail)
    ancestors(node, joined);
  bool unjoined = false;
  for (auto it = streams.begin(); it != streams.end();) {
    if (it->second.session != session) {
      ++it;
      continue;
    }
    for (cudaGraphNode_t node : it->second.tail)
      unjoined |= !joined.count(node);
    it = streams.erase(it);
  }
  std::erase_if(events, [&](const auto& e) { return e.second.session == session; });
  *graph = nullptr;
  if (session->invalidated)
    return cudaErrorStreamCaptureInvalidated;
  if (unjoined)
    return cudaErrorStreamCaptureUnjoined;
  (void)session->owned.release(); // the program's now
  *graph = session->graph;
  return cudaSuccess;
}

Info info(cudaStream_t stream) {
  std::lock_guard lock(mutex);
  Info result;
  CapturingStream* capturing = find(toBackend(stream));
  if (!capturing)
    return result;
  result.status = capturing->session->invalidated ? cudaStreamCaptureStatusInvalidated
                                                  : cudaStreamCaptureStatusActive;
  result.id = capturing->session->id;
  result.graph = capturing->session->graph;
  result.dependencies = capturing->tail.data();
  result.dependencyCount = capturing->tail.size();
  return result;
}

cudaError_t updateDependencies(cudaStream_t stream, const cudaGraphNode_t* nodes, size_t count,
                               unsigned flags) {
  if (flags != cudaStreamAddCaptureDependencies && flags != cudaStreamSetCaptureDependencies)
    return cudaErrorInvalidValue;
  if (count && !nodes)
    return cudaErrorInvalidValue;
  std::lock_guard lock(mutex);
  CapturingStream* capturing = find(toBackend(stream));
  if (!capturing)
    return cudaErrorIllegalState;
  for (size_t i = 0; i < count; ++i)
    if (!capturing->session->graph->owns(nodes[i]))
      return cudaErrorInvalidValue;
  if (flags == cudaStreamSetCaptureDependencies)
    capturing->tail.clear();
  for (size_t i = 0; i < count; ++i)
    if (std::find(capturing->tail.begin(), capturing->tail.end(), nodes[i]) ==
        capturing->tail.end())
      capturing->tail.push_back(nodes[i]);
  return cudaSuccess;
}

bool active() {
  std::lock_guard lock(mutex);
  return !streams.empty();
}

std::optional<cudaError_t> intercept(cudaStream_t stream, NodeWork&& work) {
  std::lock_guard lock(mutex);
  if (streams.empty())
    return std::nullopt;
  backend::Stream* key = toBackend(stream);
  if (!key) {
    // The legacy stream synchronises with every blocking stream: a capture on one breaks.
    bool broken = false;
    for (auto& [other, capturing] : streams)
      if (!nonBlocking.count(other) && capturing.session->mode != cudaStreamCaptureModeRelaxed) {
        invalidate(capturing.session);
        broken = true;
      }
    if (broken)
      return cudaErrorStreamCaptureImplicit;
    return std::nullopt;
  }
  CapturingStream* capturing = find(key);
  if (!capturing)
    return std::nullopt;
  if (capturing->session->invalidated)
    return cudaErrorStreamCaptureInvalidated;
  cudaGraphNode_t node = nullptr;
  if (cudaError_t error = capturing->session->graph->add(std::move(work), capturing->tail.data(),
                                                         capturing->tail.size(), &node))
    return error;
  capturing->tail = {node};
  return cudaSuccess;
}

std::optional<cudaError_t> recordEvent(cudaEvent_t event, cudaStream_t stream) {
  std::lock_guard lock(mutex);
  CapturingStream* capturing = find(toBackend(stream));
  if (!capturing) {
    events.erase(event); // recorded outside any capture again
    return std::nullopt;
  }
  events[event] = {capturing->session, capturing->tail};
  return cudaSuccess;
}

std::optional<cudaError_t> waitEvent(cudaStream_t stream, cudaEvent_t event) {
  std::lock_guard lock(mutex);
  backend::Stream* key = toBackend(stream);
  CapturingStream* capturing = find(key);
  auto recorded = events.find(event);
  if (recorded == events.end())
    return capturing ? std::optional(cudaErrorStreamCaptureIsolation) : std::nullopt;
  if (!key)
    return cudaErrorStreamCaptureImplicit;
  if (!capturing) {
    // The stream joins the capture (a fork), continuing from where the event was recorded.
    streams[key] = {recorded->second.session, recorded->second.nodes};
    return cudaSuccess;
  }
  if (capturing->session != recorded->second.session)
    return cudaErrorStreamCaptureIsolation;
  for (cudaGraphNode_t node : recorded->second.nodes)
    if (std::find(capturing->tail.begin(), capturing->tail.end(), node) == capturing->tail.end())
      capturing->tail.push_back(node);
  return cudaSuccess;
}

cudaError_t forbidSynchronize(cudaStream_t stream) {
  // Synchronising the legacy stream is unsafe during any capture that forbids unsafe calls,
  // whatever the capturing streams' flags (measured on an H200, CUDA 13).
  if (!toBackend(stream))
    return forbidUnsafeCall();
  std::lock_guard lock(mutex);
  CapturingStream* capturing = find(toBackend(stream));
  if (!capturing)
    return cudaSuccess;
  invalidate(capturing->session);
  return cudaErrorStreamCaptureUnsupported;
}

cudaError_t forbidUnsafeCall() {
  std::lock_guard lock(mutex);
  cudaError_t result = cudaSuccess;
  for (auto& [key, capturing] : streams)
    if (forbidsUnsafe(*capturing.session)) {
      invalidate(capturing.session);
      result = cudaErrorStreamCaptureUnsupported;
    }
  return result;
}

cudaError_t exchangeMode(cudaStreamCaptureMode* mode) {
  if (!mode || (*mode != cudaStreamCaptureModeGlobal && *mode != cudaStreamCaptureModeThreadLocal &&
                *mode != cudaStreamCaptureModeRelaxed))
    return cudaErrorInvalidValue;
  std::swap(*mode, threadMode);
  return cudaSuccess;
}

void rememberNonBlocking(cudaStream_t stream) {
  std::lock_guard lock(mutex);
  nonBlocking.insert(toBackend(stream));
}

void forgetStream(cudaStream_t stream) {
  std::lock_guard lock(mutex);
  backend::Stream* key = toBackend(stream);
  nonBlocking.erase(key);
  streams.erase(key);
}

} // namespace drawbridge::cudart::capture

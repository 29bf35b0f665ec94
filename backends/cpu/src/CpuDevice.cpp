// Device state, memory, streams and events of the CPU device.
#include "CpuDevice.h"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace drawbridge::backend::cpu {

namespace {

// cudaMalloc guarantees at least 256-byte alignment; kernels rely on it for vector access.
constexpr size_t kAllocationAlignment = 256;

size_t physicalMemory() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long pageSize = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && pageSize > 0 ? size_t(pages) * size_t(pageSize) : 0;
}

Status invalidHandle(const char* what) {
  return failure(StatusCode::InvalidHandle, std::string("unknown ") + what + " handle");
}

} // namespace

CpuDevice::CpuDevice(std::unique_ptr<Compiler> compiler, std::unique_ptr<Jit> jit,
                     ObjectCache cache, unsigned threads)
    : compiler_(std::move(compiler)), jit_(std::move(jit)), cache_(std::move(cache)),
      pool_(threads), legacy_(std::make_shared<StreamQueue>()) {
  properties_.name = "Drawbridge CPU";
  properties_.multiProcessorCount = int(threads);
  properties_.totalMemory = physicalMemory();
  properties_.sharedMemoryPerBlockMax = 227 * 1024;
}

CpuDevice::~CpuDevice() {
  // Streams finish their work before modules and memory go away.
  for (auto& [handle, stream] : streams_)
    stream->synchronize();
  legacy_->synchronize();
  streams_.clear();
  for (auto& [handle, module] : modules_)
    unloadLibraries(*module);
  for (auto& [pointer, allocation] : allocations_)
    if (allocation.second != MemoryKind::Device) // the arena unmaps device memory
      std::free(pointer);
}

Status CpuDevice::sticky() {
  std::lock_guard lock(mutex_);
  return sticky_;
}

void CpuDevice::setSticky(Status status) {
  std::lock_guard lock(mutex_);
  if (sticky_.ok())
    sticky_ = std::move(status);
}

std::shared_ptr<StreamQueue> CpuDevice::findStream(Stream* stream) {
  std::lock_guard lock(mutex_);
  if (!stream)
    return legacy_;
  auto it = streams_.find(stream);
  return it == streams_.end() ? nullptr : it->second;
}

std::shared_ptr<CpuEvent> CpuDevice::findEvent(Event* event) {
  std::lock_guard lock(mutex_);
  auto it = events_.find(event);
  return it == events_.end() ? nullptr : it->second;
}

Outcome<std::pair<std::shared_ptr<StreamQueue>, uint64_t>>
CpuDevice::submit(Stream* stream, std::function<void()> work) {
  std::shared_ptr<StreamQueue> queue = findStream(stream);
  if (!queue)
    return invalidHandle("stream");
  // The legacy default stream waits for all work queued before on blocking streams, and work
  // queued on blocking streams waits for it.
  std::vector<std::pair<std::shared_ptr<StreamQueue>, uint64_t>> before;
  {
    std::lock_guard lock(mutex_);
    if (queue == legacy_) {
      for (auto& [handle, other] : streams_)
        if (other->kind() == StreamKind::Blocking)
          before.emplace_back(other, other->lastTicket());
    } else if (queue->kind() == StreamKind::Blocking) {
      before.emplace_back(legacy_, legacy_->lastTicket());
    }
  }
  uint64_t ticket = queue->enqueue([before = std::move(before), work = std::move(work)] {
    for (const auto& [other, ticket] : before)
      other->waitFor(ticket);
    work();
  });
  return std::pair{queue, ticket};
}

Status CpuDevice::synchronize() {
  std::vector<std::shared_ptr<StreamQueue>> all;
  {
    std::lock_guard lock(mutex_);
    all.push_back(legacy_);
    for (auto& [handle, stream] : streams_)
      all.push_back(stream);
  }
  for (auto& stream : all)
    stream->synchronize();
  return sticky();
}

Outcome<void*> CpuDevice::allocate(size_t bytes, MemoryKind kind) {
  if (Status status = sticky(); !status.ok())
    return status;
  if (bytes == 0)
    return static_cast<void*>(nullptr);
  void* pointer = nullptr;
  if (kind == MemoryKind::Device) {
    auto allocated = arena_.allocate(bytes);
    if (!allocated)
      return allocated.status();
    pointer = *allocated;
  } else {
    size_t rounded =
        (bytes + kAllocationAlignment - 1) / kAllocationAlignment * kAllocationAlignment;
    pointer = rounded >= bytes ? std::aligned_alloc(kAllocationAlignment, rounded) : nullptr;
    if (!pointer)
      return failure(StatusCode::OutOfMemory,
                     "cannot allocate " + std::to_string(bytes) + " bytes of host memory");
  }
  std::lock_guard lock(mutex_);
  allocations_[pointer] = {bytes, kind};
  return pointer;
}

Status CpuDevice::free(void* pointer) {
  if (!pointer)
    return Status::success();
  {
    std::lock_guard lock(mutex_);
    if (!allocations_.count(pointer))
      return failure(StatusCode::InvalidValue,
                     "free of a pointer that this device did not allocate");
  }
  // As cudaFree does, wait for work that may still use the memory.
  Status status = synchronize();
  std::lock_guard lock(mutex_);
  auto it = allocations_.find(pointer);
  if (it == allocations_.end())
    return status;
  if (it->second.second == MemoryKind::Device)
    arena_.free(pointer);
  else
    std::free(pointer);
  allocations_.erase(it);
  return status;
}

Status CpuDevice::copy(void* dst, const void* src, size_t bytes, Stream* stream, bool async) {
  if (Status status = sticky(); !status.ok())
    return status;
  if (bytes == 0)
    return Status::success();
  if (!dst || !src)
    return failure(StatusCode::InvalidValue, "copy with a null pointer");
  auto submitted = submit(stream, [=] { std::memmove(dst, src, bytes); });
  if (!submitted)
    return submitted.status();
  if (!async)
    submitted->first->waitFor(submitted->second);
  return sticky();
}

Status CpuDevice::fill(void* dst, int byte, size_t bytes, Stream* stream, bool async) {
  if (Status status = sticky(); !status.ok())
    return status;
  if (bytes == 0)
    return Status::success();
  if (!dst)
    return failure(StatusCode::InvalidValue, "fill of a null pointer");
  auto submitted = submit(stream, [=] { std::memset(dst, byte, bytes); });
  if (!submitted)
    return submitted.status();
  if (!async)
    submitted->first->waitFor(submitted->second);
  return sticky();
}

Outcome<Stream*> CpuDevice::createStream(StreamKind kind) {
  auto stream = std::make_shared<StreamQueue>(kind);
  std::lock_guard lock(mutex_);
  streams_[stream.get()] = stream;
  return static_cast<Stream*>(stream.get());
}

Status CpuDevice::destroyStream(Stream* stream) {
  std::shared_ptr<StreamQueue> queue;
  {
    std::lock_guard lock(mutex_);
    auto it = streams_.find(stream);
    if (it == streams_.end())
      return invalidHandle("stream");
    queue = std::move(it->second);
    streams_.erase(it);
  }
  queue->synchronize(); // CUDA lets queued work finish
  return Status::success();
}

Status CpuDevice::synchronizeStream(Stream* stream) {
  std::shared_ptr<StreamQueue> queue = findStream(stream);
  if (!queue)
    return invalidHandle("stream");
  queue->synchronize();
  return sticky();
}

Status CpuDevice::queryStream(Stream* stream) {
  std::shared_ptr<StreamQueue> queue = findStream(stream);
  if (!queue)
    return invalidHandle("stream");
  if (Status status = sticky(); !status.ok())
    return status;
  return queue->isDone(queue->lastTicket())
             ? Status::success()
             : failure(StatusCode::NotReady, "work is still queued on the stream");
}

Status CpuDevice::addHostCallback(Stream* stream, HostCallback callback, void* user) {
  if (!callback)
    return failure(StatusCode::InvalidValue, "null host callback");
  auto submitted = submit(stream, [this, callback, user] { callback(user, sticky().code); });
  return submitted ? Status::success() : submitted.status();
}

Event* CpuDevice::addEvent(std::shared_ptr<CpuEvent> event) {
  std::lock_guard lock(mutex_);
  Event* handle = event.get();
  events_[handle] = std::move(event);
  return handle;
}

Outcome<Event*> CpuDevice::createEvent() {
  return addEvent(std::make_shared<CpuEvent>());
}

Status CpuDevice::destroyEvent(Event* event) {
  std::lock_guard lock(mutex_);
  interprocessEvents_.erase(event);
  return events_.erase(event) ? Status::success() : invalidHandle("event");
}

Status CpuDevice::recordEvent(Event* event, Stream* stream) {
  std::shared_ptr<CpuEvent> target = findEvent(event);
  if (!target)
    return invalidHandle("event");
  uint64_t generation = target->record();
  auto submitted = submit(stream, [target, generation] { target->complete(generation); });
  return submitted ? Status::success() : submitted.status();
}

Status CpuDevice::waitEvent(Stream* stream, Event* event) {
  std::shared_ptr<CpuEvent> target = findEvent(event);
  if (!target)
    return invalidHandle("event");
  uint64_t generation = target->latest();
  auto submitted = submit(stream, [target, generation] { target->waitFor(generation); });
  return submitted ? Status::success() : submitted.status();
}

Status CpuDevice::synchronizeEvent(Event* event) {
  std::shared_ptr<CpuEvent> target = findEvent(event);
  if (!target)
    return invalidHandle("event");
  target->wait();
  return sticky();
}

Status CpuDevice::queryEvent(Event* event) {
  std::shared_ptr<CpuEvent> target = findEvent(event);
  if (!target)
    return invalidHandle("event");
  return target->isDone() ? Status::success()
                          : failure(StatusCode::NotReady, "the event has not completed");
}

Outcome<float> CpuDevice::elapsedMilliseconds(Event* start, Event* end) {
  std::shared_ptr<CpuEvent> first = findEvent(start), second = findEvent(end);
  if (!first || !second)
    return invalidHandle("event");
  auto from = first->completedAt(), to = second->completedAt();
  if (!from || !to)
    return failure(StatusCode::NotReady, "an event has not completed (or was never recorded)");
  return std::chrono::duration<float, std::milli>(*to - *from).count();
}

} // namespace drawbridge::backend::cpu

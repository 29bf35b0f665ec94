// The CPU device's memory and events shared with other processes (CUDA IPC): handles name a
// memfd of the exporting process (SharedArena.h, SharedMemory.h), which the importing process
// maps at an address of its own.
#include "CpuDevice.h"
#include "IpcHandle.h"

#include <atomic>
#include <unistd.h>

namespace drawbridge::backend::cpu {

namespace {

Status badHandle(const char* what) {
  return failure(StatusCode::InvalidValue,
                 std::string("the bytes are not a Drawbridge ") + what +
                     " handle (garbage, another kind of handle, or one made by NVIDIA's runtime)");
}

// As NVIDIA's runtime, which opens a memory handle only in another process.
Status ownHandle() {
  return failure(StatusCode::InvalidContext,
                 "the memory handle was made by this process; CUDA opens it only in another "
                 "process (use the original pointer here)");
}

/// The generation the exporter's ledger holds for the handle's allocation now: 0 once freed.
Outcome<uint64_t> currentGeneration(const IpcHandle& handle) {
  auto ledger = SharedFile::openPeer(handle.pid, handle.fd, handle.file, handle.ledgerOffset,
                                     sizeof(uint64_t));
  if (!ledger)
    return ledger.status();
  return reinterpret_cast<std::atomic<uint64_t>*>(ledger->at(handle.ledgerOffset))
      ->load(std::memory_order_acquire);
}

} // namespace

Outcome<ShareableHandle> CpuDevice::exportMemory(const void* pointer) {
  std::optional<SharedArena::Region> region = arena_.find(pointer);
  if (!region)
    return failure(StatusCode::InvalidValue,
                   "the pointer is not in device memory allocated by cudaMalloc in this process");
  IpcHandle handle;
  handle.magic = IpcHandle::kMemory;
  handle.pid = int32_t(getpid());
  handle.fd = region->fd;
  handle.file = region->file;
  handle.offset = region->offset;
  handle.size = region->size;
  handle.generation = region->generation;
  handle.ledgerOffset = region->ledgerOffset;
  return handle.encode();
}

Outcome<std::pair<void*, size_t>> CpuDevice::importMemory(const ShareableHandle& bytes) {
  std::optional<IpcHandle> handle = IpcHandle::decode(bytes, IpcHandle::kMemory);
  if (!handle || handle->size == 0)
    return badHandle("memory");
  if (handle->pid == getpid())
    return ownHandle();
  ImportKey key{uint64_t(handle->pid), handle->file.device, handle->file.inode, handle->offset,
                handle->generation};
  {
    std::lock_guard lock(mutex_);
    if (auto it = importsByKey_.find(key); it != importsByKey_.end()) {
      ++imports_.at(it->second).references;
      return std::pair{it->second, size_t(handle->size)};
    }
  }
  auto generation = currentGeneration(*handle);
  if (!generation)
    return generation.status();
  if (*generation != handle->generation)
    return failure(StatusCode::MapFailed, "process " + std::to_string(handle->pid) +
                                              " has freed the memory the handle names");
  auto mapping =
      SharedFile::openPeer(handle->pid, handle->fd, handle->file, handle->offset, handle->size);
  if (!mapping)
    return mapping.status();
  void* pointer = mapping->at(handle->offset);
  std::lock_guard lock(mutex_);
  if (auto it = importsByKey_.find(key); it != importsByKey_.end()) {
    // Another thread opened it meanwhile: keep its mapping, drop this one.
    ++imports_.at(it->second).references;
    return std::pair{it->second, size_t(handle->size)};
  }
  imports_.emplace(pointer, Import{std::move(*mapping), key, 1});
  importsByKey_[key] = pointer;
  return std::pair{pointer, size_t(handle->size)};
}

Outcome<bool> CpuDevice::closeImportedMemory(void* pointer) {
  std::optional<SharedFile> unmapped; // last, once the work queued before is done
  {
    std::lock_guard lock(mutex_);
    auto it = imports_.find(pointer);
    if (it == imports_.end())
      return failure(StatusCode::InvalidValue,
                     "the pointer was not returned by cudaIpcOpenMemHandle (or is closed)");
    if (--it->second.references > 0)
      return false;
    importsByKey_.erase(it->second.key);
    unmapped.emplace(std::move(it->second.mapping));
    imports_.erase(it);
  }
  // Kernels and copies queued before may still use the memory; a sticky kernel error is
  // reported by the calls that follow, not by this one.
  static_cast<void>(synchronize());
  return true;
}

Outcome<Event*> CpuDevice::createInterprocessEvent() {
  auto file = SharedFile::create("drawbridge-event", sizeof(EventCounters));
  if (!file)
    return file.status();
  auto owner = std::make_shared<SharedFile>(std::move(*file));
  auto* counters = new (owner->at(0)) EventCounters;
  IpcHandle handle;
  handle.magic = IpcHandle::kEvent;
  handle.pid = int32_t(getpid());
  handle.fd = owner->fd();
  handle.file = owner->identity();
  handle.size = sizeof(EventCounters);
  Event* event = addEvent(std::make_shared<CpuEvent>(counters, std::move(owner)));
  std::lock_guard lock(mutex_);
  interprocessEvents_[event] = handle.encode();
  return event;
}

Outcome<ShareableHandle> CpuDevice::exportEvent(Event* event) {
  std::lock_guard lock(mutex_);
  if (!events_.count(event))
    return failure(StatusCode::InvalidHandle, "unknown event handle");
  auto it = interprocessEvents_.find(event);
  if (it == interprocessEvents_.end())
    return failure(StatusCode::InvalidHandle,
                   "the event was not created with cudaEventInterprocess | "
                   "cudaEventDisableTiming (an imported event cannot be exported again)");
  return it->second;
}

Outcome<Event*> CpuDevice::importEvent(const ShareableHandle& bytes) {
  std::optional<IpcHandle> handle = IpcHandle::decode(bytes, IpcHandle::kEvent);
  if (!handle || handle->size != sizeof(EventCounters))
    return badHandle("event");
  auto file = SharedFile::openPeer(handle->pid, handle->fd, handle->file, 0, handle->size);
  if (!file)
    return file.status();
  auto owner = std::make_shared<SharedFile>(std::move(*file));
  auto* counters = reinterpret_cast<EventCounters*>(owner->at(0));
  return addEvent(std::make_shared<CpuEvent>(counters, std::move(owner)));
}

} // namespace drawbridge::backend::cpu

#include "GraphMemory.h"

#include "Allocations.h"

#include <map>
#include <mutex>
#include <sys/mman.h>

namespace drawbridge::cudart {
namespace {

struct Watermarks {
  uint64_t used = 0, reserved = 0;
};

struct Registry {
  std::mutex mutex;
  std::map<void*, std::weak_ptr<GraphAllocation>> all;
  // A live allocation stays until freed, even when every graph that made it is gone.
  std::map<void*, std::shared_ptr<GraphAllocation>> live;
  std::map<int, Watermarks> high;

  static Registry& instance() {
    static auto* registry = new Registry; // outlives graphs destroyed at exit
    return *registry;
  }
  uint64_t sum(int device, bool reservedToo) {
    uint64_t total = 0;
    for (auto& [address, weak] : all)
      if (auto a = weak.lock(); a && a->device == device && (a->live || (reservedToo && a->backed)))
        total += a->size;
    return total;
  }
  void noteHigh(int device) {
    Watermarks& h = high[device];
    h.used = std::max(h.used, sum(device, false));
    h.reserved = std::max(h.reserved, sum(device, true));
  }
};

} // namespace

// The registry's entry expires with it; it is pruned later, so that an owner dropped while the
// registry is locked never has to lock it.
GraphAllocation::~GraphAllocation() {
  Allocations::instance().remove(address);
  munmap(address, size);
}

namespace graphMemory {

cudaError_t create(size_t size, int device, std::shared_ptr<GraphAllocation>& made) {
  if (size == 0)
    return cudaErrorInvalidValue;
  // Pages of its own, so that trimming can give them back and the address stays.
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return cudaErrorMemoryAllocation;
  made = std::make_shared<GraphAllocation>();
  made->address = p;
  made->size = size;
  made->device = device;
  Allocations::instance().add({p, size, cudaMemoryTypeDevice, device, false});
  Registry& registry = Registry::instance();
  std::lock_guard lock(registry.mutex);
  std::erase_if(registry.all, [](const auto& entry) { return entry.second.expired(); });
  registry.all[p] = made;
  registry.noteHigh(device);
  return cudaSuccess;
}

cudaError_t allocate(const std::shared_ptr<GraphAllocation>& allocation) {
  Registry& registry = Registry::instance();
  std::lock_guard lock(registry.mutex);
  if (allocation->live)
    return cudaErrorInvalidValue;
  allocation->live = true;
  allocation->backed = true;
  registry.live[allocation->address] = allocation;
  registry.noteHigh(allocation->device);
  return cudaSuccess;
}

bool release(void* address) {
  std::shared_ptr<GraphAllocation> freed; // dropped after the lock: it may be the last owner
  Registry& registry = Registry::instance();
  std::lock_guard lock(registry.mutex);
  auto it = registry.live.find(address);
  if (it == registry.live.end())
    return false;
  freed = std::move(it->second);
  registry.live.erase(it);
  freed->live = false;
  return true;
}

std::shared_ptr<GraphAllocation> find(void* address) {
  Registry& registry = Registry::instance();
  std::lock_guard lock(registry.mutex);
  auto it = registry.all.find(address);
  return it == registry.all.end() ? nullptr : it->second.lock();
}

uint64_t figure(int device, Figure which) {
  Registry& registry = Registry::instance();
  std::lock_guard lock(registry.mutex);
  switch (which) {
  case Figure::UsedCurrent:
    return registry.sum(device, false);
  case Figure::ReservedCurrent:
    return registry.sum(device, true);
  case Figure::UsedHigh:
    return registry.high[device].used;
  case Figure::ReservedHigh:
    return registry.high[device].reserved;
  }
  return 0;
}

void resetHigh(int device, Figure which) {
  Registry& registry = Registry::instance();
  std::lock_guard lock(registry.mutex);
  if (which == Figure::UsedHigh)
    registry.high[device].used = registry.sum(device, false);
  else
    registry.high[device].reserved = registry.sum(device, true);
}

void trim(int device) {
  Registry& registry = Registry::instance();
  std::lock_guard lock(registry.mutex);
  for (auto& [address, weak] : registry.all)
    if (auto a = weak.lock(); a && a->device == device && !a->live && a->backed) {
      madvise(a->address, a->size, MADV_DONTNEED);
      a->backed = false;
    }
}

} // namespace graphMemory
} // namespace drawbridge::cudart

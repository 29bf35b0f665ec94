#include "drawbridge/backend/Images.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace drawbridge::backend {
namespace {

// A handle is (generation << 32) | (slot + 1): kernels look objects up without a lock, and a
// destroyed object's handle stops resolving even after its slot is reused.
constexpr uint32_t kSlots = 1u << 16;

struct Table {
  std::atomic<const ImageObject*> objects[kSlots] = {};
  std::atomic<uint32_t> generations[kSlots] = {};
  std::mutex mutex; // registration and removal
  std::vector<uint32_t> free;
  uint32_t used = 0;
  // A destroyed object stays allocated until its slot is reused, so a kernel that still reads
  // it while the program destroys it (undefined in CUDA) reads stale data rather than freed
  // memory in the common case.
  std::unique_ptr<ImageObject> owned[kSlots];
};

Table& table() {
  static Table* t = new Table;
  return *t;
}

} // namespace

uint64_t registerImage(const ImageObject& object) {
  Table& t = table();
  std::lock_guard lock(t.mutex);
  uint32_t slot;
  if (!t.free.empty()) {
    slot = t.free.back();
    t.free.pop_back();
  } else if (t.used < kSlots) {
    slot = t.used++;
  } else {
    return 0;
  }
  auto copy = std::make_unique<ImageObject>(object);
  t.objects[slot].store(copy.get(), std::memory_order_release);
  t.owned[slot] = std::move(copy);
  uint64_t generation = t.generations[slot].load(std::memory_order_relaxed);
  return (generation << 32) | (slot + 1);
}

bool unregisterImage(uint64_t handle) {
  Table& t = table();
  std::lock_guard lock(t.mutex);
  if (!findImage(handle))
    return false;
  uint32_t slot = static_cast<uint32_t>(handle) - 1;
  t.objects[slot].store(nullptr, std::memory_order_release);
  t.generations[slot].fetch_add(1, std::memory_order_relaxed);
  t.free.push_back(slot);
  return true;
}

const ImageObject* findImage(uint64_t handle) {
  uint32_t index = static_cast<uint32_t>(handle);
  if (index == 0 || index > kSlots)
    return nullptr;
  Table& t = table();
  uint32_t slot = index - 1;
  if (t.generations[slot].load(std::memory_order_acquire) != handle >> 32)
    return nullptr;
  return t.objects[slot].load(std::memory_order_acquire);
}

} // namespace drawbridge::backend

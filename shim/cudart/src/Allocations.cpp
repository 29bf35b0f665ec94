#include "Allocations.h"

namespace drawbridge::cudart {

Allocations& Allocations::instance() {
  static Allocations* allocations = new Allocations; // outlives atexit handlers that free
  return *allocations;
}

void Allocations::add(const Allocation& allocation) {
  std::lock_guard lock(mutex_);
  byBase_[reinterpret_cast<uintptr_t>(allocation.base)] = allocation;
}

bool Allocations::remove(const void* base) {
  std::lock_guard lock(mutex_);
  return byBase_.erase(reinterpret_cast<uintptr_t>(base)) != 0;
}

std::optional<Allocation> Allocations::find(const void* address) const {
  auto at = reinterpret_cast<uintptr_t>(address);
  std::lock_guard lock(mutex_);
  auto it = byBase_.upper_bound(at);
  if (it == byBase_.begin())
    return std::nullopt;
  --it;
  if (at - it->first >= it->second.size)
    return std::nullopt;
  return it->second;
}

bool Allocations::overlaps(const void* base, size_t size) const {
  auto begin = reinterpret_cast<uintptr_t>(base);
  std::lock_guard lock(mutex_);
  auto it = byBase_.lower_bound(begin + size);
  if (it == byBase_.begin())
    return false;
  --it;
  return it->first + it->second.size > begin;
}

void Allocations::clear() {
  std::lock_guard lock(mutex_);
  byBase_.clear();
}

} // namespace drawbridge::cudart

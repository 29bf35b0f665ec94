// A bounded, thread-safe map from a problem's key to what was made for it, dropping the least
// recently used entry when full. Values are made outside the lock (two threads may both make
// one; the first stored wins) and shared, so an evicted value lives on while it is in use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace drawbridge::blas::detail {

using CacheKey = std::vector<int64_t>;

template <typename Value> class LruCache {
public:
  explicit LruCache(size_t capacity) : capacity_(capacity) {}

  template <typename Make> std::shared_ptr<const Value> getOrMake(const CacheKey& key, Make make) {
    if (auto found = find(key))
      return found;
    auto made = std::make_shared<const Value>(make());
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end())
      return it->second->second;
    order_.emplace_front(key, made);
    index_.emplace(key, order_.begin());
    if (order_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    return made;
  }

private:
  struct Hash {
    size_t operator()(const CacheKey& key) const {
      uint64_t h = 0xcbf29ce484222325ull;
      for (int64_t v : key)
        h = (h ^ static_cast<uint64_t>(v)) * 0x100000001b3ull;
      return static_cast<size_t>(h);
    }
  };
  using Entries = std::list<std::pair<CacheKey, std::shared_ptr<const Value>>>; // newest first

  std::shared_ptr<const Value> find(const CacheKey& key) {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end())
      return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }

  size_t capacity_;
  std::mutex mutex_;
  Entries order_;
  std::unordered_map<CacheKey, typename Entries::iterator, Hash> index_;
};

} // namespace drawbridge::blas::detail

#include "drawbridge/reference/KvCache.h"

#include <algorithm>

namespace drawbridge::reference {

KvCache::KvCache(int64_t capacity, int64_t width)
    : capacity_(capacity), width_(width), keys_(static_cast<size_t>(capacity * width)),
      values_(keys_.size()), positions_(static_cast<size_t>(capacity), -1) {}

void KvCache::append(std::span<const float> keys, std::span<const float> values, int64_t position) {
  int64_t slot = position % capacity_;
  std::copy(keys.begin(), keys.end(), keys_.begin() + slot * width_);
  std::copy(values.begin(), values.end(), values_.begin() + slot * width_);
  positions_[static_cast<size_t>(slot)] = position;
}

KvCache::Contents KvCache::contents() const {
  Contents out;
  for (int64_t slot = 0; slot < capacity_; ++slot) {
    if (positions_[static_cast<size_t>(slot)] < 0)
      continue;
    out.positions.push_back(positions_[static_cast<size_t>(slot)]);
    out.keys.insert(out.keys.end(), keys_.begin() + slot * width_,
                    keys_.begin() + (slot + 1) * width_);
    out.values.insert(out.values.end(), values_.begin() + slot * width_,
                      values_.begin() + (slot + 1) * width_);
  }
  return out;
}

} // namespace drawbridge::reference

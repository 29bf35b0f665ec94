// One layer's key/value cache. With a sliding window the cache is rolling: it holds only the last
// `window` positions, position p in slot p % window, as Mistral's reference implementation does;
// without one it holds every position up to its capacity.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace drawbridge::reference {

class KvCache {
public:
  /// `width` is kvHeads * headDim, the size of one token's keys (and values).
  KvCache(int64_t capacity, int64_t width);

  /// Stores one token's keys and values at `position`, evicting position - capacity if present.
  void append(std::span<const float> keys, std::span<const float> values, int64_t position);

  /// The cached tokens, in slot order, gathered for attention.
  struct Contents {
    std::vector<float> keys, values;
    std::vector<int64_t> positions;
  };
  Contents contents() const;

  int64_t capacity() const { return capacity_; }

private:
  int64_t capacity_;
  int64_t width_;
  std::vector<float> keys_, values_;
  std::vector<int64_t> positions_; // -1 for an empty slot
};

} // namespace drawbridge::reference

// What the runtime knows of each address range: device, pinned or registered host, or managed
// memory, and on which device. The backend keeps the memory; CUDA's pointer attributes and
// host registration are the runtime's own bookkeeping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cuda_runtime_api.h>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace drawbridge::cudart {

class ManagedAdvice;

struct Allocation {
  void* base;
  size_t size;
  cudaMemoryType type;
  int device;
  bool registered;        // cudaHostRegister: the program owns the memory
  unsigned hostFlags = 0; // cudaHostAlloc's or cudaHostRegister's flags, for cudaHostGetFlags
  std::shared_ptr<ManagedAdvice> advice = nullptr; // managed memory's, shared by every copy
};

class Allocations {
public:
  static Allocations& instance();

  void add(const Allocation& allocation);
  /// Removes the range starting at `base`; false when there is none.
  bool remove(const void* base);
  /// The range that contains `address`.
  std::optional<Allocation> find(const void* address) const;
  bool overlaps(const void* base, size_t size) const;
  /// cudaDeviceReset: the device's memory is gone, and the registrations with it.
  void clear();

private:
  mutable std::mutex mutex_;
  std::map<uintptr_t, Allocation> byBase_;
};

} // namespace drawbridge::cudart

// Graph memory: what memory allocation nodes allocate. Each node's address is fixed when the
// node is made and stays valid while any graph or executable graph holds the node; the memory
// is "live" from when an allocation node is launched until a free node, cudaFreeAsync or
// cudaFree frees it (tracked in the order the program issues them, which is stream order for a
// program that honours CUDA's rules). A device's used memory is its live allocations; its
// reserved memory also counts unused allocations whose pages cudaDeviceGraphMemTrim has not
// given back.
#pragma once

#include <cuda_runtime_api.h>
#include <memory>

namespace drawbridge::cudart {

struct GraphAllocation {
  void* address = nullptr;
  size_t size = 0;
  int device = 0;
  bool live = false;         // an allocation node ran, and nothing has freed it since
  bool backed = true;        // its pages are reserved (not trimmed)
  bool freedInGraph = false; // a free node for it exists (it may have only one)

  GraphAllocation() = default;
  GraphAllocation(const GraphAllocation&) = delete;
  GraphAllocation& operator=(const GraphAllocation&) = delete;
  ~GraphAllocation();
};

namespace graphMemory {

/// A new allocation of `size` bytes on `device`, not live yet.
cudaError_t create(size_t size, int device, std::shared_ptr<GraphAllocation>& made);
/// The allocation node was launched: cudaErrorInvalidValue when the allocation is still live
/// (CUDA's rule for relaunching a graph whose allocations were not freed).
cudaError_t allocate(const std::shared_ptr<GraphAllocation>& allocation);
/// Frees the live graph allocation at `address`; false when there is none.
bool release(void* address);
/// The graph allocation whose address is `address`, live or not; null when none.
std::shared_ptr<GraphAllocation> find(void* address);

enum class Figure { UsedCurrent, UsedHigh, ReservedCurrent, ReservedHigh };
uint64_t figure(int device, Figure which);
/// Resets a high watermark to the current figure.
void resetHigh(int device, Figure which);
/// Gives back the pages of the device's allocations that are not live.
void trim(int device);

} // namespace graphMemory
} // namespace drawbridge::cudart

// Where a memory pool's memory lives and of which kind it is: CUDA keys pools on both (a
// device, the host, one of the host's NUMA nodes or, for managed pools, nowhere in particular;
// pinned or managed). On the CPU device every one of them is host memory.
#pragma once

#include <compare>
#include <cuda_runtime_api.h>

namespace drawbridge::cudart {

struct PoolKey {
  cudaMemAllocationType type;
  cudaMemLocationType where;
  int id; // the device or NUMA node; 0 where the location has no id

  auto operator<=>(const PoolKey&) const = default;
  bool onDevice() const { return where == cudaMemLocationTypeDevice; }
  bool onHost() const {
    return where == cudaMemLocationTypeHost || where == cudaMemLocationTypeHostNuma;
  }
};

/// The pool a location and allocation type name in cudaMemGetMemPool and its kin: a device
/// (cudaErrorInvalidDevice when there is none of that ordinal), the host, a NUMA node the
/// machine has, or no location for a managed pool; cudaErrorInvalidValue for anything else.
cudaError_t poolKey(const cudaMemLocation* location, cudaMemAllocationType type, PoolKey& key);

/// Whether `location` names the host: the host itself, the current NUMA node, or a NUMA node
/// the machine has.
bool namesHost(const cudaMemLocation& location);

} // namespace drawbridge::cudart

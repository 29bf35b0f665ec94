#include "PoolLocation.h"

#include "Runtime.h"

#include <string>
#include <sys/stat.h>

namespace drawbridge::cudart {

namespace {

// Linux lists its NUMA nodes under /sys/devices/system/node; a kernel without NUMA support has
// no such folder and one node, 0.
bool numaNodeExists(int node) {
  if (node < 0)
    return false;
  struct stat info;
  if (stat("/sys/devices/system/node", &info) != 0)
    return node == 0;
  std::string path = "/sys/devices/system/node/node" + std::to_string(node);
  return stat(path.c_str(), &info) == 0;
}

} // namespace

bool namesHost(const cudaMemLocation& location) {
  switch (location.type) {
  case cudaMemLocationTypeHost:
  case cudaMemLocationTypeHostNumaCurrent:
    return true;
  case cudaMemLocationTypeHostNuma:
    return numaNodeExists(location.id);
  default:
    return false;
  }
}

cudaError_t poolKey(const cudaMemLocation* location, cudaMemAllocationType type, PoolKey& key) {
  if (!location || (type != cudaMemAllocationTypePinned && type != cudaMemAllocationTypeManaged))
    return cudaErrorInvalidValue;
  key = {type, location->type, 0};
  switch (location->type) {
  case cudaMemLocationTypeDevice: {
    key.id = location->id;
    drawbridge::backend::Device* device = nullptr;
    return Runtime::instance().device(location->id, device);
  }
  case cudaMemLocationTypeHost:
    return cudaSuccess; // the id is ignored
  case cudaMemLocationTypeHostNuma:
    key.id = location->id;
    return numaNodeExists(location->id) ? cudaSuccess : cudaErrorInvalidValue;
  case cudaMemLocationTypeNone:
    return type == cudaMemAllocationTypeManaged ? cudaSuccess : cudaErrorInvalidValue;
  default:
    // cudaMemLocationTypeHostNumaCurrent names no pool: CUDA refuses it for pools.
    return cudaErrorInvalidValue;
  }
}

} // namespace drawbridge::cudart

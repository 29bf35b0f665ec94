// cudaDeviceProp and cudaDeviceGetAttribute from the backend's honest figures. Both read one
// mapping, so they always agree.
#pragma once

#include "drawbridge/backend/Types.h"

#include <cuda_runtime_api.h>
#include <optional>

namespace drawbridge::cudart {

/// The compute capability Drawbridge's devices present: the newest whose PTX features the
/// frontend implements (bf16, cp.async, mma.sync of sm_80; not Hopper's wgmma or clusters).
inline constexpr int kComputeMajor = 8;
inline constexpr int kComputeMinor = 0;

void fillProperties(const backend::DeviceProperties& device, cudaDeviceProp& prop);

/// The attribute's value, or nothing for attributes Drawbridge does not describe.
std::optional<int> attributeValue(const backend::DeviceProperties& device, cudaDeviceAttr attr);

} // namespace drawbridge::cudart

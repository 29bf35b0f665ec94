// CUDA's 64-byte IPC handles (cudaIpcMemHandle_t, cudaIpcEventHandle_t) carry the backend's
// shareable handle bytes unchanged, so any channel the program uses carries them too.
#pragma once

#include "drawbridge/backend/Types.h"

#include <cstring>

namespace drawbridge::cudart {

template <typename CudaHandle> backend::ShareableHandle toShareable(const CudaHandle& handle) {
  backend::ShareableHandle shareable;
  static_assert(sizeof handle.reserved == sizeof shareable.bytes);
  std::memcpy(shareable.bytes.data(), handle.reserved, sizeof handle.reserved);
  return shareable;
}

template <typename CudaHandle>
void fromShareable(const backend::ShareableHandle& shareable, CudaHandle& handle) {
  static_assert(sizeof handle.reserved == sizeof shareable.bytes);
  std::memcpy(handle.reserved, shareable.bytes.data(), sizeof handle.reserved);
}

} // namespace drawbridge::cudart

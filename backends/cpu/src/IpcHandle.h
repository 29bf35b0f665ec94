// The CPU device's IPC handles: what a process needs to find and check another process's
// shared file. They are plain bytes in CUDA's 64-byte handles, so any channel carries them.
#pragma once

#include "SharedMemory.h"
#include "drawbridge/backend/Types.h"

#include <cstring>
#include <optional>

namespace drawbridge::backend::cpu {

struct IpcHandle {
  static constexpr uint32_t kMemory = 0x4d424244; // "DBBM"
  static constexpr uint32_t kEvent = 0x45424244;  // "DBBE"

  uint32_t magic = 0;
  int32_t pid = 0;
  int32_t fd = -1;
  uint32_t reserved = 0;
  FileIdentity file;
  uint64_t offset = 0;       // of the memory (or the event's counters) in the file
  uint64_t size = 0;         // of the allocation
  uint64_t generation = 0;   // the allocation's, which the file's ledger must still hold
  uint64_t ledgerOffset = 0; // where in the file the ledger keeps it

  ShareableHandle encode() const {
    ShareableHandle handle;
    std::memcpy(handle.bytes.data(), this, sizeof *this);
    return handle;
  }
  /// Nothing when the bytes are no handle of `magic`'s kind (garbage, or another kind).
  static std::optional<IpcHandle> decode(const ShareableHandle& handle, uint32_t magic) {
    IpcHandle decoded;
    std::memcpy(&decoded, handle.bytes.data(), sizeof decoded);
    if (decoded.magic != magic || decoded.pid <= 0 || decoded.fd < 0 || decoded.reserved != 0)
      return std::nullopt;
    return decoded;
  }
};
static_assert(sizeof(IpcHandle) == sizeof(ShareableHandle));

} // namespace drawbridge::backend::cpu

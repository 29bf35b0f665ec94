// memfd-backed shared memory: how another process reaches the CPU device's memory and events.
// A process opens a peer's memfd through /proc/<pid>/fd/<n> (allowed between processes of one
// user, as CUDA IPC is) and checks that the descriptor still names the same file, since a
// descriptor number is reused once closed.
#pragma once

#include "drawbridge/backend/Status.h"

#include <cstddef>
#include <cstdint>

namespace drawbridge::backend::cpu {

/// A file's identity, which survives neither its close nor the reuse of its descriptor number.
struct FileIdentity {
  uint64_t device = 0, inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

/// An open memfd of a fixed size, mapped MAP_SHARED read-write; closed and unmapped on
/// destruction.
class SharedFile {
public:
  /// A new memfd of `bytes` bytes (close-on-exec: a child started by exec does not inherit it).
  static Outcome<SharedFile> create(const char* name, size_t bytes);
  /// `bytes` at `offset` of descriptor `fd` of process `pid`, when that descriptor still names
  /// `identity`; MapFailed otherwise. The mapping starts at the page that holds `offset`.
  static Outcome<SharedFile> openPeer(int pid, int fd, FileIdentity identity, size_t offset,
                                      size_t bytes);
  /// `bytes` (0: all) of the file behind `fd`, which stays the caller's; InvalidValue when `fd`
  /// is no open, mappable, large enough file.
  static Outcome<SharedFile> mapDescriptor(int fd, size_t bytes);

  SharedFile(SharedFile&& other) noexcept;
  SharedFile& operator=(SharedFile&& other) noexcept;
  SharedFile(const SharedFile&) = delete;
  SharedFile& operator=(const SharedFile&) = delete;
  ~SharedFile();

  int fd() const { return fd_; }
  FileIdentity identity() const { return identity_; }
  /// The byte at file offset `offset` (which the mapping must cover).
  std::byte* at(size_t offset) const { return base_ + (offset - mappedOffset_); }
  size_t mappedBytes() const { return mappedBytes_; }

private:
  SharedFile() = default;

  int fd_ = -1; // -1 for an opened peer's file: the mapping keeps it alive
  FileIdentity identity_;
  std::byte* base_ = nullptr;
  size_t mappedOffset_ = 0, mappedBytes_ = 0;
};

size_t pageSize();

} // namespace drawbridge::backend::cpu

// The CPU device's memory: shared files (memfd) mapped MAP_SHARED, so that another process can
// map the same pages (CUDA IPC). Allocations up to kLargest bytes are carved from 64 MiB blocks
// by size class (powers of two from 256 bytes) and reused from per-class free lists, so
// cudaMalloc/cudaFree churn costs no system call; larger ones get a file of their own, given
// back to the system when freed, except the few last freed (kLargeCacheBytes in all), which
// serve again a request of their size, up to twice as small, without one. Each file ends in a
// ledger: one generation per 256-byte granule, written when an allocation starts there and cleared
// when it is freed, through which another process tells a handle to live memory from one to freed
// or reused memory.
#pragma once

#include "SharedMemory.h"

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace drawbridge::backend::cpu {

class SharedArena {
public:
  static constexpr size_t kGranule = 256; // cudaMalloc's alignment, and the smallest class
  static constexpr size_t kBlockBytes = size_t(64) << 20;
  static constexpr size_t kLargest = size_t(4) << 20;
  static constexpr size_t kLargeCacheBytes = size_t(256) << 20;
  static constexpr size_t kLargeCacheFiles = 4;

  /// Where an allocation lives, for another process to open it.
  struct Region {
    void* base;
    size_t size; // as requested
    int fd;      // this process's descriptor of the file
    FileIdentity file;
    size_t offset;       // of the allocation in the file
    size_t ledgerOffset; // of its generation in the file
    uint64_t generation; // never 0, unique in this process
  };

  SharedArena() = default;
  SharedArena(const SharedArena&) = delete;
  SharedArena& operator=(const SharedArena&) = delete;

  /// `bytes` > 0; aligned to kGranule.
  Outcome<void*> allocate(size_t bytes);
  /// False when `pointer` is not the start of a live allocation.
  bool free(void* pointer);
  /// The live allocation that contains `address`.
  std::optional<Region> find(const void* address) const;

  /// The ledger offset of an allocation starting at `offset` of a file whose data part is
  /// `dataBytes` long.
  static size_t ledgerOffset(size_t dataBytes, size_t offset) {
    return dataBytes + offset / kGranule * sizeof(uint64_t);
  }

private:
  static constexpr size_t kClasses = 15; // 256 B .. 4 MiB

  struct Chunk {
    SharedFile* file;
    size_t offset, size, dataBytes;
    int sizeClass; // -1: a large allocation, which owns `own`
    uint64_t generation;
    std::unique_ptr<SharedFile> own;
  };

  Outcome<void*> allocateLarge(size_t bytes);
  /// A free chunk of `sizeClass` (from its free list or the newest block); the lock is held.
  Outcome<std::pair<SharedFile*, size_t>> carve(int sizeClass);
  /// Records `chunk` as the live allocation at `base` under a new generation, published in the
  /// file's ledger; the lock is held.
  void* track(std::byte* base, Chunk chunk);
  void setGeneration(const Chunk& chunk, uint64_t generation);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<SharedFile>> blocks_;
  size_t blockUsed_ = kBlockBytes; // of the newest block; full until there is one
  std::array<std::vector<std::pair<SharedFile*, size_t>>, kClasses> freeLists_;
  std::map<uintptr_t, Chunk> chunks_; // live allocations by address
  struct CachedFile {
    std::unique_ptr<SharedFile> file;
    size_t dataBytes;
  };
  std::vector<CachedFile> largeCache_; // freed large allocations' files
  size_t largeCacheBytes_ = 0;
  uint64_t generations_ = 0;
};

} // namespace drawbridge::backend::cpu

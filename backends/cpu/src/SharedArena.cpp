#include "SharedArena.h"

#include <atomic>
#include <bit>
#include <string>
#include <sys/mman.h>

namespace drawbridge::backend::cpu {

namespace {

int sizeClassOf(size_t bytes) {
  size_t rounded = std::bit_ceil(std::max(bytes, SharedArena::kGranule));
  return std::countr_zero(rounded) - std::countr_zero(SharedArena::kGranule);
}

size_t classBytes(int sizeClass) {
  return SharedArena::kGranule << sizeClass;
}

// Large pages for big regions where the kernel allows them for shared memory
// (/sys/kernel/mm/transparent_hugepage/shmem_enabled); a hint, so failure changes nothing.
void adviseHugePages(std::byte* base, size_t bytes) {
  constexpr size_t kHuge = size_t(2) << 20;
  if (bytes >= kHuge)
    madvise(base, bytes / kHuge * kHuge, MADV_HUGEPAGE);
}

} // namespace

Outcome<void*> SharedArena::allocate(size_t bytes) {
  if (bytes > kLargest)
    return allocateLarge(bytes);
  int sizeClass = sizeClassOf(bytes);
  std::lock_guard lock(mutex_);
  auto carved = carve(sizeClass);
  if (!carved)
    return carved.status();
  auto [file, offset] = *carved;
  return track(file->at(offset), Chunk{file, offset, bytes, kBlockBytes, sizeClass, 0, nullptr});
}

Outcome<std::pair<SharedFile*, size_t>> SharedArena::carve(int sizeClass) {
  auto& list = freeLists_[size_t(sizeClass)];
  if (!list.empty()) {
    auto reused = list.back();
    list.pop_back();
    return reused;
  }
  size_t bytes = classBytes(sizeClass);
  if (blockUsed_ + bytes > kBlockBytes) {
    // What is left of the full block (less than `bytes`) stays unused.
    size_t ledger = kBlockBytes / kGranule * sizeof(uint64_t);
    auto block = SharedFile::create("drawbridge-device-memory", kBlockBytes + ledger);
    if (!block)
      return block.status();
    adviseHugePages(block->at(0), kBlockBytes);
    blocks_.push_back(std::make_unique<SharedFile>(std::move(*block)));
    blockUsed_ = 0;
  }
  size_t offset = blockUsed_;
  blockUsed_ += bytes;
  return std::pair{blocks_.back().get(), offset};
}

Outcome<void*> SharedArena::allocateLarge(size_t bytes) {
  size_t data = (bytes + pageSize() - 1) / pageSize() * pageSize();
  if (data < bytes)
    return failure(StatusCode::OutOfMemory, "cannot allocate " + std::to_string(bytes) + " bytes");
  {
    std::lock_guard lock(mutex_);
    for (auto it = largeCache_.begin(); it != largeCache_.end(); ++it) {
      if (it->dataBytes < data || it->dataBytes / 2 > data)
        continue;
      std::byte* start = it->file->at(0); // before the chunk takes the file
      void* base =
          track(start, Chunk{it->file.get(), 0, bytes, it->dataBytes, -1, 0, std::move(it->file)});
      largeCacheBytes_ -= it->dataBytes;
      largeCache_.erase(it);
      return base;
    }
  }
  auto file = SharedFile::create("drawbridge-device-memory", data + pageSize());
  if (!file)
    return file.status();
  adviseHugePages(file->at(0), data);
  auto own = std::make_unique<SharedFile>(std::move(*file));
  std::byte* base = own->at(0); // before the chunk takes the file
  std::lock_guard lock(mutex_);
  return track(base, Chunk{own.get(), 0, bytes, data, -1, 0, std::move(own)});
}

void* SharedArena::track(std::byte* base, Chunk chunk) {
  chunk.generation = ++generations_;
  Chunk& live = chunks_[reinterpret_cast<uintptr_t>(base)] = std::move(chunk);
  setGeneration(live, live.generation);
  return base;
}

void SharedArena::setGeneration(const Chunk& chunk, uint64_t generation) {
  // Another process reads it with pread, without a lock of ours.
  auto* entry = reinterpret_cast<std::atomic<uint64_t>*>(
      chunk.file->at(ledgerOffset(chunk.dataBytes, chunk.offset)));
  entry->store(generation, std::memory_order_release);
}

bool SharedArena::free(void* pointer) {
  std::unique_ptr<SharedFile> large; // unmapped after the lock is released
  {
    std::lock_guard lock(mutex_);
    auto it = chunks_.find(reinterpret_cast<uintptr_t>(pointer));
    if (it == chunks_.end())
      return false;
    Chunk& chunk = it->second;
    setGeneration(chunk, 0);
    if (chunk.sizeClass < 0 && largeCache_.size() < kLargeCacheFiles &&
        chunk.dataBytes <= kLargeCacheBytes - largeCacheBytes_) {
      largeCacheBytes_ += chunk.dataBytes;
      largeCache_.push_back({std::move(chunk.own), chunk.dataBytes});
    } else if (chunk.sizeClass < 0)
      large = std::move(chunk.own);
    else
      freeLists_[size_t(chunk.sizeClass)].emplace_back(chunk.file, chunk.offset);
    chunks_.erase(it);
  }
  return true;
}

std::optional<SharedArena::Region> SharedArena::find(const void* address) const {
  auto at = reinterpret_cast<uintptr_t>(address);
  std::lock_guard lock(mutex_);
  auto it = chunks_.upper_bound(at);
  if (it == chunks_.begin())
    return std::nullopt;
  --it;
  const Chunk& chunk = it->second;
  if (at - it->first >= chunk.size)
    return std::nullopt;
  return Region{reinterpret_cast<void*>(it->first),
                chunk.size,
                chunk.file->fd(),
                chunk.file->identity(),
                chunk.offset,
                ledgerOffset(chunk.dataBytes, chunk.offset),
                chunk.generation};
}

} // namespace drawbridge::backend::cpu

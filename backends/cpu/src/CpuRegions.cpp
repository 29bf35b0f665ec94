// Device memory handed over as a file descriptor (memory pools shared by descriptor, external
// memory): whole files of the CPU device's shared memory, mapped where another process or API
// gives their descriptor.
#include "CpuDevice.h"

#include <fcntl.h>

namespace drawbridge::backend::cpu {

Outcome<void*> CpuDevice::createShareableRegion(size_t bytes) {
  if (bytes == 0)
    return failure(StatusCode::InvalidValue, "a shareable region of 0 bytes");
  auto file = SharedFile::create("drawbridge-shareable-pool", bytes);
  if (!file)
    return file.status();
  void* base = file->at(0);
  std::lock_guard lock(mutex_);
  regions_.emplace(base, std::move(*file));
  return base;
}

Status CpuDevice::destroyShareableRegion(void* base) {
  return unmapFile(regions_, base, "no shareable region starts at the address");
}

Outcome<int> CpuDevice::exportRegion(void* base) {
  std::lock_guard lock(mutex_);
  auto it = regions_.find(base);
  if (it == regions_.end())
    return failure(StatusCode::InvalidValue, "no shareable region starts at the address");
  int fd = fcntl(it->second.fd(), F_DUPFD_CLOEXEC, 0);
  if (fd < 0)
    return failure(StatusCode::OutOfMemory, "no descriptor left for the exported pool");
  return fd;
}

Outcome<std::pair<void*, size_t>> CpuDevice::mapExternalMemory(int fd, size_t bytes) {
  auto file = SharedFile::mapDescriptor(fd, bytes);
  if (!file)
    return file.status();
  void* base = file->at(0);
  size_t mapped = file->mappedBytes();
  std::lock_guard lock(mutex_);
  externals_.emplace(base, std::move(*file));
  return std::pair{base, mapped};
}

Status CpuDevice::unmapExternalMemory(void* base) {
  return unmapFile(externals_, base, "no external memory is mapped at the address");
}

Status CpuDevice::unmapFile(std::map<void*, SharedFile>& files, void* base, const char* missing) {
  std::optional<SharedFile> unmapped; // last, once the work queued before is done
  {
    std::lock_guard lock(mutex_);
    auto it = files.find(base);
    if (it == files.end())
      return failure(StatusCode::InvalidValue, missing);
    unmapped.emplace(std::move(it->second));
    files.erase(it);
  }
  // Kernels and copies queued before may still use the memory.
  static_cast<void>(synchronize());
  return Status::success();
}

} // namespace drawbridge::backend::cpu

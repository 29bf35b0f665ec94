#include "SharedMemory.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace drawbridge::backend::cpu {

namespace {

// Each large allocation holds a descriptor (another process opens the memory through it), so a
// program with many of them can pass the default soft limit of 1,024 while far below the hard
// one.
bool raiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max)
    return false;
  limit.rlim_cur = limit.rlim_max;
  return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

FileIdentity identityOf(const struct stat& status) {
  return FileIdentity{uint64_t(status.st_dev), uint64_t(status.st_ino)};
}

Outcome<FileIdentity> identify(int fd) {
  struct stat status {};
  if (fstat(fd, &status) != 0)
    return failure(StatusCode::Unknown, std::string("fstat: ") + std::strerror(errno));
  return identityOf(status);
}

} // namespace

size_t pageSize() {
  static const size_t size = size_t(sysconf(_SC_PAGE_SIZE));
  return size;
}

Outcome<SharedFile> SharedFile::create(const char* name, size_t bytes) {
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0 && errno == EMFILE && raiseDescriptorLimit())
    fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0)
    return failure(StatusCode::OutOfMemory,
                   std::string("cannot create shared device memory (memfd_create: ") +
                       std::strerror(errno) + ")");
  SharedFile file;
  file.fd_ = fd;
  auto identity = identify(fd);
  if (!identity)
    return identity.status();
  file.identity_ = *identity;
  if (ftruncate(fd, off_t(bytes)) != 0)
    return failure(StatusCode::OutOfMemory,
                   "cannot size " + std::to_string(bytes) +
                       " bytes of shared device memory (ftruncate: " + std::strerror(errno) + ")");
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED)
    return failure(StatusCode::OutOfMemory,
                   "cannot map " + std::to_string(bytes) +
                       " bytes of shared device memory (mmap: " + std::strerror(errno) + ")");
  file.base_ = static_cast<std::byte*>(base);
  file.mappedBytes_ = bytes;
  return file;
}

Outcome<SharedFile> SharedFile::openPeer(int pid, int fd, FileIdentity identity, size_t offset,
                                         size_t bytes) {
  std::string path = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
  int local = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (local < 0)
    return failure(StatusCode::MapFailed,
                   "cannot open process " + std::to_string(pid) + "'s shared memory (" +
                       std::strerror(errno) +
                       "): the process has exited or freed it, or belongs to another user");
  struct stat status {};
  if (fstat(local, &status) != 0 || !(identityOf(status) == identity) ||
      uint64_t(status.st_size) < offset + bytes) {
    close(local);
    return failure(StatusCode::MapFailed, "process " + std::to_string(pid) +
                                              " no longer has the shared memory the handle names "
                                              "(it was freed)");
  }
  size_t start = offset / pageSize() * pageSize();
  size_t length = offset + bytes - start;
  void* base = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, local, off_t(start));
  int error = errno;
  close(local); // the mapping keeps the file
  if (base == MAP_FAILED)
    return failure(StatusCode::MapFailed, std::string("cannot map another process's memory (") +
                                              std::strerror(error) + ")");
  SharedFile file;
  file.identity_ = identity;
  file.base_ = static_cast<std::byte*>(base);
  file.mappedOffset_ = start;
  file.mappedBytes_ = length;
  return file;
}

Outcome<SharedFile> SharedFile::mapDescriptor(int fd, size_t bytes) {
  struct stat status {};
  if (fd < 0 || fstat(fd, &status) != 0)
    return failure(StatusCode::InvalidValue, "the descriptor is not open");
  if (!S_ISREG(status.st_mode) || status.st_size <= 0)
    return failure(StatusCode::InvalidValue,
                   "the descriptor names no memory object (not a memfd or file with contents)");
  size_t available = size_t(status.st_size);
  if (bytes == 0)
    bytes = available;
  if (bytes > available)
    return failure(StatusCode::InvalidValue, "the memory object holds " +
                                                 std::to_string(available) + " bytes, fewer than " +
                                                 std::to_string(bytes));
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED)
    return failure(StatusCode::InvalidValue,
                   std::string("cannot map the memory object read-write (") + std::strerror(errno) +
                       ")");
  SharedFile file;
  file.identity_ = identityOf(status);
  file.base_ = static_cast<std::byte*>(base);
  file.mappedBytes_ = bytes;
  return file;
}

SharedFile::SharedFile(SharedFile&& other) noexcept {
  *this = std::move(other);
}

SharedFile& SharedFile::operator=(SharedFile&& other) noexcept {
  std::swap(fd_, other.fd_);
  std::swap(identity_, other.identity_);
  std::swap(base_, other.base_);
  std::swap(mappedOffset_, other.mappedOffset_);
  std::swap(mappedBytes_, other.mappedBytes_);
  return *this;
}

SharedFile::~SharedFile() {
  if (base_)
    munmap(base_, mappedBytes_);
  if (fd_ >= 0)
    close(fd_);
}

} // namespace drawbridge::backend::cpu

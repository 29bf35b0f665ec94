#include "Runtime.h"

#include "Log.h"
#include "drawbridge/backend/cpu/CpuBackend.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <pthread.h>
#include <string_view>
#include <unistd.h>

namespace drawbridge::cudart {
namespace {

thread_local int currentDevice = 0;

// Set in a child made by fork() after the backend started in the parent. The backend's threads
// (streams, the worker pool) did not come along, so work there would never run: every call that
// needs a device fails as NVIDIA's runtime fails in such a child. Checked before the runtime's
// lock, which another of the parent's threads may have held at the fork.
std::atomic<bool> forkedChild{false};

void markForkedChild() {
  forkedChild.store(true);
}

cudaError_t refuseInForkedChild() {
  static std::atomic<bool> said{false};
  if (!said.exchange(true)) {
    // write(2), not stdio: the parent may have forked while another thread held stdio's lock.
    const char message[] =
        "drawbridge: CUDA cannot be used in a child made by fork() after the parent used it "
        "(as on NVIDIA); start the child with exec or posix_spawn instead\n";
    static_cast<void>(write(STDERR_FILENO, message, sizeof message - 1));
  }
  return cudaErrorInitializationError;
}

// CUDA_VISIBLE_DEVICES: a comma-separated list of ordinals; the list ends at the first entry
// that names no device (as CUDA's does), an empty value hides every device, and duplicates
// end it too.
std::vector<int> visibleOrdinals(int available) {
  std::vector<int> visible;
  const char* spec = std::getenv("CUDA_VISIBLE_DEVICES");
  if (!spec) {
    for (int i = 0; i < available; ++i)
      visible.push_back(i);
    return visible;
  }
  std::string_view rest(spec);
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    char* end = nullptr;
    std::string text(item);
    long ordinal = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || ordinal < 0 || ordinal >= available)
      break;
    if (std::find(visible.begin(), visible.end(), ordinal) != visible.end())
      break;
    visible.push_back(static_cast<int>(ordinal));
    if (comma == std::string_view::npos)
      break;
    rest.remove_prefix(comma + 1);
  }
  return visible;
}

} // namespace

Runtime& Runtime::instance() {
  // Never destroyed: programs call into the runtime from atexit handlers.
  static Runtime* runtime = new Runtime;
  return *runtime;
}

cudaError_t Runtime::start() {
  if (backend_)
    return cudaSuccess;
  const char* name = std::getenv("DRAWBRIDGE_BACKEND");
  if (name && std::string_view(name) != "cpu") {
    logError("drawbridge: DRAWBRIDGE_BACKEND=%s is not a backend of this build "
             "(it has: cpu)\n",
             name);
    return cudaErrorInitializationError;
  }
  auto created = backend::cpu::createCpuBackend();
  if (!created) {
    logError("drawbridge: the CPU backend could not start: %s\n", created.status().message.c_str());
    return cudaErrorInitializationError;
  }
  backend_ = std::move(*created);
  static std::once_flag atFork;
  std::call_once(atFork, [] { pthread_atfork(nullptr, nullptr, markForkedChild); });
  visible_ = visibleOrdinals(backend_->deviceCount());
  return cudaSuccess;
}

cudaError_t Runtime::deviceCount(int& count) {
  count = 0;
  if (forkedChild.load())
    return refuseInForkedChild();
  std::lock_guard lock(mutex_);
  if (cudaError_t error = start())
    return error;
  count = static_cast<int>(visible_.size());
  return count == 0 ? cudaErrorNoDevice : cudaSuccess;
}

cudaError_t Runtime::device(int ordinal, backend::Device*& device) {
  device = nullptr;
  if (forkedChild.load())
    return refuseInForkedChild();
  std::lock_guard lock(mutex_);
  if (cudaError_t error = start())
    return error;
  if (visible_.empty())
    return cudaErrorNoDevice;
  if (ordinal < 0 || ordinal >= static_cast<int>(visible_.size()))
    return cudaErrorInvalidDevice;
  device = backend_->device(visible_[ordinal]);
  return device ? cudaSuccess : cudaErrorInvalidDevice;
}

cudaError_t Runtime::current(backend::Device*& device) {
  return this->device(currentDevice, device);
}

int Runtime::currentOrdinal() const {
  return currentDevice;
}

cudaError_t Runtime::setCurrentOrdinal(int ordinal) {
  int count = 0;
  if (cudaError_t error = deviceCount(count))
    return error;
  if (ordinal < 0 || ordinal >= count)
    return cudaErrorInvalidDevice;
  currentDevice = ordinal;
  return cudaSuccess;
}

void Runtime::reset() {
  if (forkedChild.load())
    return; // the backend's threads are the parent's: its destructor would wait for them
  std::lock_guard lock(mutex_);
  backend_.reset();
  visible_.clear();
}

cudaError_t toCudaError(const backend::Status& status, const char* api) {
  using backend::StatusCode;
  if (!status.ok() && !status.message.empty())
    logError("drawbridge: %s: %s\n", api, status.message.c_str());
  switch (status.code) {
  case StatusCode::Success:
    return cudaSuccess;
  case StatusCode::InvalidValue:
    return cudaErrorInvalidValue;
  case StatusCode::OutOfMemory:
    return cudaErrorMemoryAllocation;
  case StatusCode::InvalidDevice:
    return cudaErrorInvalidDevice;
  case StatusCode::InvalidDevicePointer:
    return cudaErrorInvalidDevicePointer;
  case StatusCode::InvalidHandle:
    return cudaErrorInvalidResourceHandle;
  case StatusCode::InvalidConfiguration:
    return cudaErrorInvalidConfiguration;
  case StatusCode::InvalidSource:
    return cudaErrorInvalidSource;
  case StatusCode::SymbolNotFound:
    return cudaErrorSymbolNotFound;
  case StatusCode::NotReady:
    return cudaErrorNotReady;
  case StatusCode::LaunchFailure:
    return cudaErrorLaunchFailure;
  case StatusCode::Assert:
    return cudaErrorAssert;
  case StatusCode::NotSupported:
    return cudaErrorNotSupported;
  case StatusCode::MapFailed:
    return cudaErrorMapBufferObjectFailed;
  case StatusCode::InvalidContext:
    return cudaErrorDeviceUninitialized;
  case StatusCode::Unknown:
    return cudaErrorUnknown;
  }
  return cudaErrorUnknown;
}

backend::Stream* toBackend(cudaStream_t stream) {
  if (stream == nullptr || stream == cudaStreamLegacy)
    return nullptr;
  if (stream == cudaStreamPerThread) {
    // Each thread's default stream is created on first use and lives as long as the thread.
    struct PerThread {
      backend::Device* device = nullptr;
      backend::Stream* stream = nullptr;
      ~PerThread() {
        if (stream)
          (void)device->destroyStream(stream);
      }
    };
    thread_local PerThread own;
    if (!own.stream) {
      backend::Device* device = nullptr;
      if (Runtime::instance().current(device) != cudaSuccess)
        return nullptr;
      // Not a non-blocking stream: it synchronises with the legacy default stream, as CUDA's.
      auto created = device->createStream(backend::StreamKind::Blocking);
      if (!created)
        return nullptr;
      own.device = device;
      own.stream = *created;
    }
    return own.stream;
  }
  return reinterpret_cast<backend::Stream*>(stream);
}

} // namespace drawbridge::cudart

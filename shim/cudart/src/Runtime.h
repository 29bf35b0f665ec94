// The process's CUDA runtime state over a Drawbridge backend: which backend, which devices are
// visible (CUDA_VISIBLE_DEVICES), the current device of each thread, and the mapping between
// CUDA's handles and the backend's objects.
#pragma once

#include "drawbridge/backend/Backend.h"

#include <cuda_runtime_api.h>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace drawbridge::cudart {

class Runtime {
public:
  static Runtime& instance();

  /// The number of devices the program may see, or the error that prevents any.
  cudaError_t deviceCount(int& count);
  /// The calling thread's current device (0 until cudaSetDevice), started on first use.
  cudaError_t current(backend::Device*& device);
  cudaError_t device(int ordinal, backend::Device*& device);
  int currentOrdinal() const;
  cudaError_t setCurrentOrdinal(int ordinal);
  /// cudaDeviceReset: drops the backend, and every allocation, stream and event with it.
  void reset();

private:
  Runtime() = default;
  cudaError_t start();

  std::mutex mutex_;
  std::unique_ptr<backend::Backend> backend_;
  std::vector<int> visible_; // backend ordinals, in the order CUDA_VISIBLE_DEVICES names them
  std::string startError_;
};

/// Runs `body(device)` on the calling thread's current device, or returns why there is none.
template <typename Body> cudaError_t onCurrentDevice(Body&& body) {
  backend::Device* device = nullptr;
  if (cudaError_t error = Runtime::instance().current(device))
    return error;
  return body(*device);
}

/// Whether a cudaMemcpyKind is one CUDA defines (copies and symbol copies check it alike).
inline bool validCopyDirection(cudaMemcpyKind kind) {
  return kind >= cudaMemcpyHostToHost && kind <= cudaMemcpyDefault;
}

/// The backend status as the CUDA error it stands for; a message, when there is one, goes to
/// stderr prefixed with the API that failed, since CUDA's codes alone cannot name a kernel.
cudaError_t toCudaError(const backend::Status& status, const char* api);

/// CUDA's stream handles to the backend's: 0 and cudaStreamLegacy are the legacy default
/// stream (nullptr), cudaStreamPerThread the calling thread's own default stream.
backend::Stream* toBackend(cudaStream_t stream);
inline backend::Event* toBackend(cudaEvent_t event) {
  return reinterpret_cast<backend::Event*>(event);
}

} // namespace drawbridge::cudart

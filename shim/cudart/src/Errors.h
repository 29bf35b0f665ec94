// CUDA's error reporting: names and strings as NVIDIA's, the per-thread last error, and the
// sticky errors that poison the context until the device is reset.
#pragma once

#include <cuda_runtime_api.h>

namespace drawbridge::cudart {

const char* errorName(cudaError_t error);
const char* errorString(cudaError_t error);

/// True for errors that leave the context unusable (a kernel fault, a failed assert): every
/// later call reports them, as on CUDA.
bool isSticky(cudaError_t error);

/// Every exported API returns through here: it records a failure as the thread's last error
/// (and as the context's sticky error when it is one) and passes the code on.
cudaError_t report(cudaError_t error);

/// cudaGetLastError: the last error, reset to success unless a sticky error stands.
cudaError_t takeLastError();
/// cudaPeekAtLastError: the same, without the reset.
cudaError_t peekLastError();
/// The sticky error of the context, or cudaSuccess; calls that need the device return it.
cudaError_t stickyError();
/// cudaDeviceReset destroys the context, and its sticky error with it.
void clearStickyError();

} // namespace drawbridge::cudart

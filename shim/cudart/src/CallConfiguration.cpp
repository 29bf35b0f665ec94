// `kernel<<<grid, block, shmem, stream>>>(args)` pushes its configuration, then the generated
// stub pops it and launches. Launches nest (a stub may run while another is configured), so
// each thread keeps a stack.
#include "Errors.h"
#include "Export.h"
#include "RegistrationAbi.h"

#include <vector>

namespace {

struct CallConfiguration {
  dim3 grid;
  dim3 block;
  size_t sharedMem;
  CUstream_st* stream;
};

thread_local std::vector<CallConfiguration> configurations;

} // namespace

DRAWBRIDGE_CUDART_EXPORT unsigned
__cudaPushCallConfiguration(dim3 gridDim, dim3 blockDim, size_t sharedMem, CUstream_st* stream) {
  configurations.push_back({gridDim, blockDim, sharedMem, stream});
  return 0;
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t __cudaPopCallConfiguration(dim3* gridDim, dim3* blockDim,
                                                                size_t* sharedMem, void* stream) {
  if (configurations.empty())
    return drawbridge::cudart::report(cudaErrorMissingConfiguration);
  CallConfiguration c = configurations.back();
  configurations.pop_back();
  *gridDim = c.grid;
  *blockDim = c.block;
  *sharedMem = c.sharedMem;
  *static_cast<cudaStream_t*>(stream) = c.stream;
  return cudaSuccess;
}

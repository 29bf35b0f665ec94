// Stops the program with the failing call's text when CUDA reports an error: a workload
// that has gone wrong has nothing useful left to compute.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>

namespace workload {

inline void checkCuda(cudaError_t status, const char* call, const char* file, int line) {
  if (status == cudaSuccess)
    return;
  std::fprintf(stderr, "llama-workload: %s failed at %s:%d: %s\n", call, file, line,
               cudaGetErrorString(status));
  std::exit(1);
}

} // namespace workload

#define CUDA_CHECK(call) ::workload::checkCuda((call), #call, __FILE__, __LINE__)

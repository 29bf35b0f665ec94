// Stops the program with the failing call's text when CUDA or cuBLAS reports an error: a workload
// that has gone wrong has nothing useful left to compute.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>

namespace workload {

inline void checkCuda(cudaError_t status, const char* call, const char* file, int line) {
  if (status == cudaSuccess)
    return;
  std::fprintf(stderr, "llama-workload: %s failed at %s:%d: %s\n", call, file, line,
               cudaGetErrorString(status));
  std::exit(1);
}

inline void checkCublas(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status == CUBLAS_STATUS_SUCCESS)
    return;
  std::fprintf(stderr, "llama-workload: %s failed at %s:%d: cuBLAS status %d\n", call, file, line,
               static_cast<int>(status));
  std::exit(1);
}

} // namespace workload

#define CUDA_CHECK(call) ::workload::checkCuda((call), #call, __FILE__, __LINE__)
#define CUBLAS_CHECK(call) ::workload::checkCublas((call), #call, __FILE__, __LINE__)

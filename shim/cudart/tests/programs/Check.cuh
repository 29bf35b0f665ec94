// How the test programs check themselves: print what went wrong, where, and exit non-zero.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cuda_runtime_api.h>

#define EXPECT(call, expected)                                                                     \
  do {                                                                                             \
    cudaError_t got_ = (call);                                                                     \
    if (got_ != (expected)) {                                                                      \
      std::printf("FAIL %s:%d: %s returned %s, expected %s\n", __FILE__, __LINE__, #call,          \
                  cudaGetErrorName(got_), cudaGetErrorName(expected));                             \
      std::exit(1);                                                                                \
    }                                                                                              \
  } while (0)
#define OK(call) EXPECT(call, cudaSuccess)
#define REQUIRE(condition)                                                                         \
  do {                                                                                             \
    if (!(condition)) {                                                                            \
      std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #condition);                             \
      std::exit(1);                                                                                \
    }                                                                                              \
  } while (0)

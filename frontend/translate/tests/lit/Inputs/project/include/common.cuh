// Project header reached from both translation units: translated once.
#pragma once
#include <cuda_runtime.h>
#include "util.h"

#ifndef SCALE
#define SCALE 1.0f
#endif

inline cudaError_t clear(float* p, size_t n, cudaStream_t s) {
  return cudaMemsetAsync(p, 0, n * sizeof(float), s);
}

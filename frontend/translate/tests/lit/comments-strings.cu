// Comments, strings and names that only look like the CUDA API stay byte for byte.
// RUN: %drawbridge translate %s -o %t.cu
// RUN: diff %s %t.cu
// No runtime header is added: the file already includes <cuda_runtime.h>... but in a comment only.
#include "hip/hip_runtime.h"

/* cudaMalloc(&p, n) in a block comment, and cudaMemcpy too */
const char* message = "cudaMalloc failed: cudaErrorMemoryAllocation";
const char* raw = R"(cudaFree(p); __shfl_xor_sync(0xffffffff, v, 1))";
struct Api {
  int cudaMalloc;
};
int use(Api a, Api* b) { return a.cudaMalloc + b->cudaMalloc; } // cudaDeviceSynchronize();
namespace mine { int cudaFree(int); }
int call() { return mine::cudaFree(1); }

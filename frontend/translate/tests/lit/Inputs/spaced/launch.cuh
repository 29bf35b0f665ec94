// A project header with nvcc's spaced launch syntax.
#pragma once
__global__ void fill(float* p) { p[threadIdx.x] = 1.0f; }
inline void launchFill(float* p) { fill << <1, 32 >> > (p); }

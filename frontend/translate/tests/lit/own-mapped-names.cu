// The program's own variables, parameters and fields under a name a table knows (`texture`, the
// texture reference template CUDA 12 removed) are the program's: neither their declarations nor
// their uses are reported or renamed. A function of CUDA's that the program declares again is
// still CUDA's.
// RUN: %drawbridge translate %s 2>%t.err | %strip-checks | FileCheck %s
// RUN: FileCheck --allow-empty --implicit-check-not=DBT %s --check-prefix=DIAG < %t.err
// DIAG-NOT: texture

#include <cuda_runtime.h>

extern "C" cudaError_t cudaDeviceSynchronize(void);

struct Material {
  cudaTextureObject_t texture;
};

// CHECK: __global__ void fetch(hipTextureObject_t texture, float* out) {
__global__ void fetch(cudaTextureObject_t texture, float* out) {
  // CHECK-NEXT: *out = tex1Dfetch<float>(texture, 0);
  *out = tex1Dfetch<float>(texture, 0);
}

int main() {
  Material material{};
  // CHECK: hipTextureObject_t texture = material.texture;
  cudaTextureObject_t texture = material.texture;
  float* out = nullptr;
  // CHECK: fetch<<<1, 1>>>(texture, out);
  fetch<<<1, 1>>>(texture, out);
  // CHECK: return hipDeviceSynchronize() == hipSuccess ? 0 : 1;
  return cudaDeviceSynchronize() == cudaSuccess ? 0 : 1;
}

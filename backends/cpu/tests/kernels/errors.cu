// Kernels that fail: assert, trap; and a kernel that must still work on a fresh device.
#include <cassert>

extern "C" __global__ void asserts(const int* in) {
  assert(in[threadIdx.x] >= 0);
}

extern "C" __global__ void traps(const int* in) {
  if (in[threadIdx.x] < 0)
    __trap();
}

extern "C" __global__ void fill(int* out, int value) {
  out[threadIdx.x] = value;
}

#include <cstdio>

extern "C" __global__ void greet(int base) {
  printf("thread %d of block %d: %d %.2f %s %lld %c|%5u|\n", int(threadIdx.x), int(blockIdx.x),
         base + int(threadIdx.x), 0.25 * threadIdx.x, "ok", -(1ll << 40), 'A' + int(threadIdx.x),
         threadIdx.x);
}

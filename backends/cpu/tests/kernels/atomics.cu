// Atomics under contention from every block on every worker thread.
#include "atomics_counters.h"
__device__ float atomic_max_float(float* address, float value) {
  int* bits = reinterpret_cast<int*>(address);
  int old = *bits, assumed;
  do {
    assumed = old;
    if (__int_as_float(assumed) >= value)
      break;
    old = atomicCAS(bits, assumed, __float_as_int(value));
  } while (old != assumed);
  return __int_as_float(old);
}

extern "C" __global__ void contend(Counters* c, const float* values) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  atomicAdd(&c->i32, 1);
  atomicMax(&c->u32max, i);
  atomicAdd(&c->f32, 1.0f);
  atomic_max_float(&c->f32max, values[i]);
  atomicAdd(&c->u64, 1ull << 33);
  atomicAdd(&c->f64, 0.5);
  atomicMin(&c->i32min, -int(i));
  atomicInc(&c->wrap, 999u);
}

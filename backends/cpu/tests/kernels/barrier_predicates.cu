// Barriers that also reduce a predicate over the block (bar.red), and a divergent one.
extern "C" __global__ void barrier_predicates(const int* flags, int* out) {
  int f = flags[threadIdx.x];
  int count = __syncthreads_count(f);
  int all = __syncthreads_and(f);
  int any = __syncthreads_or(f);
  out[3 * threadIdx.x] = count;
  out[3 * threadIdx.x + 1] = all;
  out[3 * threadIdx.x + 2] = any;
}

// Threads of one block reach different barriers: a kernel bug CUDA leaves undefined.
extern "C" __global__ void divergent_barrier(int* out) {
  if (threadIdx.x < 16)
    __syncthreads();
  else
    out[0] = __syncthreads_or(1);
}

// Cooperative-groups style code: tiled partitions, ballots, match, grid-stride loops, bit tricks.
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
namespace cg = cooperative_groups;

__global__ void cgReduce(const int* in, int* out, int n) {
  cg::thread_block block = cg::this_thread_block();
  cg::thread_block_tile<32> warp = cg::tiled_partition<32>(block);
  int sum = 0;
  for (int i = block.group_index().x * block.size() + block.thread_rank(); i < n;
       i += block.size() * gridDim.x)
    sum += in[i];
  sum = cg::reduce(warp, sum, cg::plus<int>());
  if (warp.thread_rank() == 0)
    atomicAdd(out, sum);
  block.sync();
}

__global__ void warpVotes(const int* in, unsigned* out) {
  int v = in[threadIdx.x];
  unsigned mask = __activemask();
  unsigned same = __match_any_sync(mask, v);
  int all = __all_sync(mask, v > 0);
  int any = __any_sync(mask, v < 0);
  unsigned lanes;
  asm("mov.u32 %0, %%lanemask_lt;" : "=r"(lanes));
  out[threadIdx.x] = same ^ (all << 1) ^ (any << 2) ^ __popc(lanes) ^ __clz(v) ^ __brev(v) ^
                     __ffs(v) ^ __byte_perm(v, same, 0x3210) ^ __funnelshift_l(v, same, 3);
  __syncwarp();
}

__device__ int clampAdd(int a, int b) {
  return min(max(a + b, -100), 100);
}

__global__ void mathMix(float* f, double* d, int* i, unsigned long long* t) {
  int x = threadIdx.x;
  f[x] = __sinf(f[x]) + __cosf(f[x]) + __log2f(f[x]) + exp2f(f[x]) + sqrtf(f[x]) + 1.0f / f[x] +
         tanhf(f[x]) + __saturatef(f[x]) + floorf(f[x]) + ceilf(f[x]) + truncf(f[x]) + rintf(f[x]);
  d[x] = sqrt(d[x]) / d[x + 1] + fma(d[x], d[x], 1.0) + (double)f[x] + (double)i[x];
  i[x] = clampAdd(i[x] / (x + 1), i[x] % (x + 3)) + (int)f[x] + (int)d[x] + __mul24(x, x) +
         __mulhi(x, i[x]);
  t[x] = clock64() + (unsigned long long)__umul64hi(t[x], 3);
}

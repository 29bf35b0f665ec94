// Block barriers: in loops, in uniform branches, after early exits, and
// values (registers and local arrays) that live across them.

// Tree reduction with __syncthreads in a loop; blockDim.x is a power of two up to 1024.
extern "C" __global__ void block_sum(const float* in, float* out) {
  __shared__ float partial[1024];
  unsigned t = threadIdx.x;
  partial[t] = in[blockIdx.x * blockDim.x + t];
  __syncthreads();
  for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (t < stride)
      partial[t] += partial[t + stride];
    __syncthreads();
  }
  if (t == 0)
    out[blockIdx.x] = partial[0];
}

// Rotates values through shared memory `rounds` times; the barrier sits in a branch that is
// uniform per block (taken by odd blocks only) inside a loop with a uniform trip count.
extern "C" __global__ void rotate(int* data, int rounds) {
  __shared__ int ring[256];
  unsigned t = threadIdx.x, n = blockDim.x;
  int* mine = data + blockIdx.x * n;
  int value = mine[t];
  if (blockIdx.x % 2 == 1) {
    for (int r = 0; r < rounds; ++r) {
      ring[t] = value;
      __syncthreads();
      value = ring[(t + 1) % n];
      __syncthreads();
    }
  }
  mine[t] = value;
}

// Threads at or past `active` return before the barrier; the others must not wait for them.
extern "C" __global__ void early_exit(int* out, unsigned active) {
  __shared__ int values[1024];
  unsigned t = threadIdx.x;
  if (t >= active)
    return;
  values[t] = int(t) * 3;
  __syncthreads();
  out[t] = values[(t + 1) % active];
}

// A per-thread local array and a register, both written before barriers and read after them.
extern "C" __global__ void live_across(const int* in, int* out) {
  __shared__ int sum;
  int local[8];
  unsigned t = threadIdx.x;
  int seed = in[t];
  for (int i = 0; i < 8; ++i)
    local[(i + seed) & 7] = seed * i;
  if (t == 0)
    sum = 0;
  __syncthreads();
  atomicAdd(&sum, seed);
  __syncthreads();
  int acc = sum;
  for (int i = 0; i < 8; ++i)
    acc += local[i] * (i + 1);
  out[t] = acc + seed;
}

// Reverses each block's slice through dynamic shared memory, sized at launch.
extern "C" __global__ void reverse_dynamic(int* data) {
  extern __shared__ int scratch[];
  unsigned t = threadIdx.x, n = blockDim.x;
  scratch[t] = data[blockIdx.x * n + t];
  __syncthreads();
  data[blockIdx.x * n + t] = scratch[n - 1 - t];
}

// A region of straight code long enough (16,384 rounds of a hash after the barrier, about
// 65,000 instructions) that the backend calls it from its loop over threads rather than inlining
// it, and compiles the module without the code generator's optimizations.
#define MIX_ROUND(x) x = (x ^ (x >> 15)) * 2246822519u + 374761393u;
#define MIX_4(x) MIX_ROUND(x) MIX_ROUND(x) MIX_ROUND(x) MIX_ROUND(x)
#define MIX_16(x) MIX_4(x) MIX_4(x) MIX_4(x) MIX_4(x)
#define MIX_64(x) MIX_16(x) MIX_16(x) MIX_16(x) MIX_16(x)
#define MIX_256(x) MIX_64(x) MIX_64(x) MIX_64(x) MIX_64(x)
#define MIX_1024(x) MIX_256(x) MIX_256(x) MIX_256(x) MIX_256(x)
#define MIX_4096(x) MIX_1024(x) MIX_1024(x) MIX_1024(x) MIX_1024(x)
#define MIX_16384(x) MIX_4096(x) MIX_4096(x) MIX_4096(x) MIX_4096(x)
extern "C" __global__ void long_region(const unsigned* in, unsigned* out) {
  __shared__ unsigned values[256];
  unsigned t = threadIdx.x, i = blockIdx.x * blockDim.x + t;
  values[t] = in[i];
  __syncthreads();
  unsigned x = values[(t + 1) % blockDim.x];
  MIX_16384(x)
  out[i] = x;
}

// 130 barriers, more than the block function keeps in one function: each pass between two of
// them runs as a function of its own (PassOutlining.cpp).
extern "C" __global__ void many_barriers(const unsigned* in, unsigned* out) {
  __shared__ unsigned values[256];
  unsigned t = threadIdx.x, x = in[blockIdx.x * blockDim.x + t];
#pragma unroll
  for (unsigned step = 0; step < 65; ++step) {
    values[t] = x;
    __syncthreads();
    x = x * 3u + values[(t + step + 1) % blockDim.x];
    __syncthreads();
  }
  out[blockIdx.x * blockDim.x + t] = x;
}

// Values saved across __syncthreads that the lanes of a warp may or may not share: the stride of
// a shared-memory tree reduction (the block shares it), a per-thread bound that decides a loop
// (alike within each warp but one) and a float each thread stores back (alike but for the sign
// of a zero in one warp); a load from an address all lanes share that no lane runs. Where a block
// runs warp by warp as vector code, a value every lane of a warp saved alike runs as one scalar;
// nothing a thread computes may show which way it ran.
extern "C" __global__ void saved_across_barriers(const int* in, const int* bounds,
                                                 const float* scales, int* sums, int* loops,
                                                 float* kept, const int* nowhere) {
  __shared__ int partial[128];
  unsigned n = blockDim.x * blockDim.y * blockDim.z; // 128
  unsigned t = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
  unsigned mine = blockIdx.x * n + t;
  const int* row = in + blockIdx.x * n;
  int bound = bounds[mine];
  float scale = scales[mine];
  partial[t] = row[t];
  __syncthreads();
  for (unsigned stride = n / 2; stride > 0; stride /= 2) {
    if (t < stride)
      partial[t] += partial[t + stride];
    __syncthreads();
  }
  int sum = partial[0];
  __syncthreads();
  for (int k = 0; k < bound; ++k)
    sum += row[(t + unsigned(k)) % n] * (k + 1);
  if (bound < 0) // no thread's: `nowhere` is not memory, and no lane may read it
    sum += *nowhere;
  loops[mine] = sum;
  __syncthreads();
  if (scale > -1.0f)
    kept[mine] = scale;
  if (t == 0)
    sums[blockIdx.x] = partial[0];
}

// C = A * B (m x k times k x n, row-major, any sizes) through 16 x 16 shared tiles, zeros past
// the matrices' edges; blockDim is 16 x 16 or 16 x 8 (then each thread loads two rows of each
// tile and computes two rows of C). Blocks 16 threads wide run their barrier regions one row
// per vector, the lanes past 16 masked off.
extern "C" __global__ void tiled_matmul_edges(const float* a, const float* b, float* c, int m,
                                              int n, int k) {
  __shared__ float ta[16][16], tb[16][16];
  unsigned tx = threadIdx.x, ty = threadIdx.y;
  int col = int(blockIdx.x * 16 + tx), row0 = int(blockIdx.y * 16 + ty),
      row1 = row0 + int(blockDim.y);
  float sum0 = 0.0f, sum1 = 0.0f;
  for (int t = 0; t < k; t += 16) {
    for (unsigned r = ty; r < 16; r += blockDim.y) {
      int ar = int(blockIdx.y * 16 + r), ac = t + int(tx), br = t + int(r);
      ta[r][tx] = ar < m && ac < k ? a[ar * k + ac] : 0.0f;
      tb[r][tx] = br < k && col < n ? b[br * n + col] : 0.0f;
    }
    __syncthreads();
    for (int j = 0; j < 16; ++j) {
      sum0 += ta[ty][j] * tb[j][tx];
      if (blockDim.y == 8)
        sum1 += ta[ty + 8][j] * tb[j][tx];
    }
    __syncthreads();
  }
  if (row0 < m && col < n)
    c[row0 * n + col] = sum0;
  if (blockDim.y == 8 && row1 < m && col < n)
    c[row1 * n + col] = sum1;
}

// After the barrier only threads below `limit` go on: they sum neighbours in shared memory,
// trade the sums with their xor partner among the threads going on, and return; the others
// return at once. `limit` falls anywhere: a warp runs this tail wholly, partly or not at all,
// and a warp where no lane runs it skips it.
extern "C" __global__ void tail_below_limit(const int* in, int* out, unsigned limit) {
  __shared__ int s[256];
  unsigned t = threadIdx.x, mine = blockIdx.x * blockDim.x + t;
  s[t] = in[mine];
  __syncthreads();
  if (t < limit) {
    int v = s[t] + s[(t + 1) % blockDim.x];
    unsigned going = __ballot_sync(__activemask(), true);
    unsigned partner = (t % 32) ^ 1;
    int traded = __shfl_sync(going, v, going >> partner & 1 ? partner : t % 32);
    out[mine] = v * 1000 + traded;
    return;
  }
}

// Warp collectives: every shuffle mode at several widths and offsets, votes, masks, match,
// redux, and a warp-shuffle reduction.

// out[(mode * 4 + w) * n + i]: mode 0 idx, 1 up, 2 down, 3 xor; width 32, 16, 8, 1... see test.
extern "C" __global__ void shuffles(const int* in, int* out, int offset) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  unsigned n = gridDim.x * blockDim.x;
  int v = in[i];
  const int widths[4] = {32, 16, 8, 2};
#pragma unroll
  for (int w = 0; w < 4; ++w) {
    out[(0 * 4 + w) * n + i] = __shfl_sync(0xffffffffu, v, offset, widths[w]);
    out[(1 * 4 + w) * n + i] = __shfl_up_sync(0xffffffffu, v, unsigned(offset), widths[w]);
    out[(2 * 4 + w) * n + i] = __shfl_down_sync(0xffffffffu, v, unsigned(offset), widths[w]);
    out[(3 * 4 + w) * n + i] = __shfl_xor_sync(0xffffffffu, v, offset, widths[w]);
  }
}

// Shuffles by offsets known when the kernel is compiled, as unrolled warp reductions shuffle
// (the generated code then reads at constant distances): slot (mode * 2 + w) * 5 + k of out, for
// widths 32 and 16 and the k-th offset of 0, 1, 3, 16, 31; out[slot * n + i].
template <int k, int offset> __device__ void shuffleBy(int v, int* out, unsigned i, unsigned n) {
  out[((0 * 2 + 0) * 5 + k) * n + i] = __shfl_sync(0xffffffffu, v, offset);
  out[((1 * 2 + 0) * 5 + k) * n + i] = __shfl_up_sync(0xffffffffu, v, offset);
  out[((2 * 2 + 0) * 5 + k) * n + i] = __shfl_down_sync(0xffffffffu, v, offset);
  out[((3 * 2 + 0) * 5 + k) * n + i] = __shfl_xor_sync(0xffffffffu, v, offset);
  out[((0 * 2 + 1) * 5 + k) * n + i] = __shfl_sync(0xffffffffu, v, offset, 16);
  out[((1 * 2 + 1) * 5 + k) * n + i] = __shfl_up_sync(0xffffffffu, v, offset, 16);
  out[((2 * 2 + 1) * 5 + k) * n + i] = __shfl_down_sync(0xffffffffu, v, offset, 16);
  out[((3 * 2 + 1) * 5 + k) * n + i] = __shfl_xor_sync(0xffffffffu, v, offset, 16);
}

extern "C" __global__ void shuffles_constant(const int* in, int* out) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  unsigned n = gridDim.x * blockDim.x;
  int v = in[i];
  shuffleBy<0, 0>(v, out, i, n);
  shuffleBy<1, 1>(v, out, i, n);
  shuffleBy<2, 3>(v, out, i, n);
  shuffleBy<3, 16>(v, out, i, n);
  shuffleBy<4, 31>(v, out, i, n);
}

// A warp reduction's loop, which the backend unrolls (its trip count is a constant), and one
// whose trip count the launch decides, which it leaves: out[i] the warp's sum for each.
extern "C" __global__ void warp_sum_loops(const int* in, int* out, int rounds) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  unsigned n = gridDim.x * blockDim.x;
  int constant = in[i], variable = in[i];
  for (int offset = 16; offset > 0; offset /= 2)
    constant += __shfl_xor_sync(0xffffffffu, constant, offset);
  for (int r = 0, offset = 16; r < rounds; ++r, offset /= 2)
    variable += __shfl_down_sync(0xffffffffu, variable, offset);
  out[i] = constant;
  out[n + i] = variable;
}

extern "C" __global__ void shuffle_double(const double* in, double* out) {
  unsigned i = threadIdx.x;
  out[i] = __shfl_down_sync(0xffffffffu, in[i], 3) + __shfl_sync(0xffffffffu, in[i], 7);
}

extern "C" __global__ void votes(const int* in, unsigned* out) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  int p = in[i];
  out[5 * i + 0] = __all_sync(0xffffffffu, p);
  out[5 * i + 1] = __any_sync(0xffffffffu, p);
  out[5 * i + 2] = __ballot_sync(0xffffffffu, p);
  out[5 * i + 3] = __uni_sync(0xffffffffu, p);
  unsigned active = 0;
  if (p)
    active = __activemask(); // only the lanes that took the branch
  out[5 * i + 4] = active;
}

// __activemask right after a divergent branch whose taken arm shuffles: the lanes have
// reconverged at the branch's end, so the mask names the whole warp (an H200, issue 13).
extern "C" __global__ void reconverged_mask(int* data, unsigned* masks) {
  unsigned lane = threadIdx.x % 32;
  int v = data[threadIdx.x];
  if (lane < 16)
    v = __shfl_down_sync(0x0000ffffu, v, 1, 16);
  masks[threadIdx.x] = __activemask();
  data[threadIdx.x] = v;
}

// Lanes 0-15 and 16-31 shuffle separately in the two arms of a divergent branch.
extern "C" __global__ void divergent_halves(int* data) {
  unsigned lane = threadIdx.x % 32;
  int v = data[threadIdx.x];
  if (lane < 16)
    v = __shfl_down_sync(0x0000ffffu, v, 1, 16) * 10;
  else
    v = __shfl_up_sync(0xffff0000u, v, 1, 16) * 100;
  data[threadIdx.x] = v;
}

extern "C" __global__ void match_and_reduce(const unsigned* in, unsigned* out) {
  unsigned v = in[threadIdx.x];
  out[4 * threadIdx.x + 0] = __match_any_sync(0xffffffffu, v);
#ifdef __clang__
  // clang 19's __reduce_*_sync pass (mask, value) to intrinsics defined as (value, mask)
  // (redux.sync dst, src, membermask); the builtins are called directly with the right order.
  out[4 * threadIdx.x + 1] = __nvvm_redux_sync_add(v, 0xffffffffu);
  out[4 * threadIdx.x + 2] = __nvvm_redux_sync_umax(v, 0xffffffffu);
  out[4 * threadIdx.x + 3] = __nvvm_redux_sync_or(v, 0xffffffffu);
#else
  out[4 * threadIdx.x + 1] = __reduce_add_sync(0xffffffffu, v);
  out[4 * threadIdx.x + 2] = __reduce_max_sync(0xffffffffu, v);
  out[4 * threadIdx.x + 3] = __reduce_or_sync(0xffffffffu, v);
#endif
}

__device__ float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_down_sync(0xffffffffu, v, offset);
  return v;
}

// Block reduction: warp shuffles, then the first warp reduces the warps' partial sums.
extern "C" __global__ void warp_reduce(const float* in, float* out, int n) {
  __shared__ float partial[32];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  float v = i < n ? in[i] : 0.0f;
  v = warp_sum(v);
  unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0)
    partial[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < (blockDim.x + 31) / 32 ? partial[lane] : 0.0f;
    v = warp_sum(v);
    if (lane == 0)
      atomicAdd(out, v);
  }
}

// Lanes 16-31 exit, then the rest shuffle with a mask that still names them: a kernel bug.
extern "C" __global__ void shuffle_with_exited_lanes(int* data) {
  if (threadIdx.x >= 16)
    return;
  data[threadIdx.x] = __shfl_down_sync(0xffffffffu, data[threadIdx.x], 1);
}

// Every lane shuffles, with a mask that leaves out lanes 16-31: a kernel bug.
extern "C" __global__ void shuffle_mask_without_own_lane(int* data) {
  data[threadIdx.x] = __shfl_sync(0x0000ffffu, data[threadIdx.x], 0);
}

// Each warp's halves shuffle at different sites (the runtime resolves them), then the whole
// block meets at a barrier and whole warps shuffle with full masks (generated code resolves
// that): what the runtime wrote and what each thread saved must survive both hand-overs.
extern "C" __global__ void runtime_then_generated(int* data) {
  unsigned t = threadIdx.x, lane = t % 32;
  int v = data[t], saved = v * 3;
  if (lane < 16)
    v += __shfl_xor_sync(0x0000ffffu, v, 1);
  else
    v -= __shfl_xor_sync(0xffff0000u, v, 2);
  __syncthreads();
  v += __shfl_down_sync(0xffffffffu, v, 4);
  data[t] = v + saved;
}

// A 3-D block whose warps straddle rows and planes: a register, a double and a local array of
// five ints (a 20-byte slot) per thread live across a barrier and a shuffle; threads of the
// last plane past `active` rows exit first.
extern "C" __global__ void saved_across_sites_3d(const int* in, int* out, unsigned active) {
  __shared__ int total;
  unsigned t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  if (threadIdx.z == blockDim.z - 1 && threadIdx.y >= active)
    return;
  int seed = in[t], local[5];
  double half = seed * 0.5;
  for (int i = 0; i < 5; ++i)
    local[(i + seed) % 5] = seed + i * 100;
  if (t == 0)
    total = 0;
  __syncthreads();
  atomicAdd(&total, seed);
  __syncthreads();
  int neighbour = __shfl_xor_sync(__activemask(), seed, 1);
  int acc = total + neighbour;
  for (int i = 0; i < 5; ++i)
    acc += local[i] * (i + 1);
  out[t] = acc + int(half * 4.0);
}

// Four full-warp shuffles that need none of one another's results meet once (one site,
// BatchShuffles.cpp); each round's operands are the last round's results, so a lane that runs
// on to the next round's meeting stores new operands before the lanes after it have read this
// round's. out[t] and out[n + t] are each thread's two values after `rounds` rounds.
extern "C" __global__ void shuffle_runs(const unsigned* in, unsigned* out, int offset, int width,
                                        int rounds) {
  unsigned n = blockDim.x * blockDim.y * blockDim.z;
  unsigned t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  unsigned a = in[t], b = a * 3u + 1u;
  for (int r = 0; r < rounds; ++r) {
    unsigned x = __shfl_sync(0xffffffffu, a, offset, width);
    unsigned y = __shfl_up_sync(0xffffffffu, b, unsigned(offset), width);
    unsigned z = __shfl_down_sync(0xffffffffu, a, unsigned(offset), width);
    unsigned w = __shfl_xor_sync(0xffffffffu, b, offset, width);
    a = x + 2u * y;
    b = z ^ (w * 5u);
  }
  out[t] = a;
  out[n + t] = b;
}

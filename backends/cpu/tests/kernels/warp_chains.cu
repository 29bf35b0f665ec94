// Whole-warp shuffles with constant operands one after another, with branches, divisions and
// stores between them: where a block is whole warps, each within one row, the block function
// runs them warp by warp as vector code (a warp chain, BlockFunction.cpp), elsewhere thread by
// thread. WarpChainTest.cpp computes every result on the host from CUDA's rules and launches
// block shapes that take each way.

constexpr unsigned kFullMask = 0xffffffffu;

// Warps numbered below `exitBelow` leave before the first shuffle and warp `leaveAt` after the
// second (whole warps, so every shuffle's mask names only lanes that are there).
extern "C" __global__ void chain_mix(const int* in, int* out, int* side, int* words, int exitBelow,
                                     int leaveAt) {
  unsigned local = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
  unsigned t = blockIdx.x * blockDim.x * blockDim.y * blockDim.z + local;
  unsigned lane = local % 32, warp = local / 32;
  int v = in[t];
  if (int(warp) < exitBelow)
    return;
  v += __shfl_down_sync(kFullMask, v, 1);
  if (lane & 1) // the lanes part: odd ones scale, even ones subtract their lane
    v = v * 3;
  else
    v = v - int(lane);
  v ^= __shfl_xor_sync(kFullMask, v, 2);
  if (int(warp) == leaveAt)
    return;
  if (lane != 0) // lane 0 would divide by zero
    v += 1000 / int(lane);
  v += __shfl_up_sync(kFullMask, v, 3);
  side[t] = v;
  if (lane % 8 == 0) // four lanes store to one word: which one's value stays is not defined
    words[blockIdx.x * 8 + warp] = v;
  v -= __shfl_sync(kFullMask, v, 5);
  v += __shfl_sync(kFullMask, v, 7, 8);
  v ^= __shfl_down_sync(kFullMask, v, 4, 16);
  out[t] = v;
}

// Half of one warp's lanes leave between two full-mask shuffles: the second names exited lanes,
// which fails the launch (as it is undefined on NVIDIA), also when the first ran as a chain.
extern "C" __global__ void chain_half_warp_leaves(int* data) {
  unsigned lane = threadIdx.x % 32;
  int v = data[threadIdx.x];
  v += __shfl_down_sync(kFullMask, v, 16);
  if (threadIdx.x >= 48)
    return;
  v += __shfl_down_sync(kFullMask, v, 8);
  data[threadIdx.x] = v + int(lane);
}

struct Record {
  int a, b, c, d;
};

// One warp per row of `n` values (n not a multiple of 32, so the lanes' loops run different
// trip counts), with a branch and a division inside the loop, a record read field by field,
// an inner loop whose trip count depends on the value, the last value a lane saw kept past the
// loop and a record written field by field, then a reduction by xor shuffles.
extern "C" __global__ void chain_after_loop(const int* in, const Record* records, int* out,
                                            Record* kept, int n) {
  unsigned lane = threadIdx.x % 32;
  unsigned row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
  Record record = records[row * 32 + lane];
  int sum = record.a - record.b * 2 + record.c * 3 - record.d, last = -1;
  for (int k = int(lane); k < n; k += 32) {
    int v = in[row * n + unsigned(k)];
    if (v & 1)
      sum += v;
    else
      sum -= v / (int(lane) + 1);
    for (int j = 0; j < (v & 3); ++j)
      sum ^= j << k;
    last = v;
  }
  sum = sum * 7 + last;
  kept[row * 32 + lane] = Record{sum, last, int(lane), sum ^ last};
  for (int offset = 16; offset > 0; offset /= 2)
    sum += __shfl_xor_sync(kFullMask, sum, offset);
  if (lane == 0)
    out[row] = sum;
}

// One warp per row of `n` int4s (n not a multiple of 32, so the lanes' loops run different trip
// counts), each read whole (nvcc's ld.global.v4) and its fields weighed differently, an int2
// written whole per lane (st.global.v2), then a reduction by xor shuffles.
extern "C" __global__ void chain_vector_rows(const int4* in, int2* pairs, int* out, int n) {
  unsigned lane = threadIdx.x % 32;
  unsigned row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
  int sum = 0, mix = 0;
  for (int k = int(lane); k < n; k += 32) {
    int4 v = in[row * unsigned(n) + unsigned(k)];
    sum += v.x - 2 * v.y + 3 * v.z - 4 * v.w;
    mix ^= v.w;
  }
  pairs[row * 32 + lane] = make_int2(sum, mix);
  for (int offset = 16; offset > 0; offset /= 2)
    sum += __shfl_xor_sync(kFullMask, sum, offset);
  if (lane == 0)
    out[row] = sum;
}

// Only the second field of each lane's int4 (its record never read whole), before a shuffle.
extern "C" __global__ void chain_record_field(const int4* in, int* out) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  int v = in[i].y;
  v += __shfl_xor_sync(kFullMask, v, 1);
  out[i] = v;
}

// Each lane's 32-bit unsigned index, `start + lane`, wraps past 2^32 inside the warp when start
// is near the top; the lanes whose index is below `n` read in[index], the others keep -1.
extern "C" __global__ void chain_wrapping_index(const int* in, int* out, unsigned start,
                                                unsigned n) {
  unsigned lane = threadIdx.x % 32, index = start + lane;
  int v = -1;
  if (index < n)
    v = in[index];
  v += __shfl_xor_sync(kFullMask, v, 1);
  out[blockIdx.x * blockDim.x + threadIdx.x] = v;
}

// The same sums from a row pointer (64-bit offsets, as inference engines index their rows):
// nvcc unrolls the loop by four and runs the rest in a loop after it, from where each lane left
// the unrolled loop (together, or not when lanes' trip counts straddle a multiple of four).
extern "C" __global__ void chain_row_pointer(const int4* in, int* out, int n) {
  unsigned lane = threadIdx.x % 32;
  unsigned row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
  const int4* values = in + size_t(row) * size_t(n);
  int sum = 0;
  for (int k = int(lane); k < n; k += 32) {
    int4 v = values[k];
    sum += v.x - 2 * v.y + 3 * v.z - 4 * v.w;
  }
  for (int offset = 16; offset > 0; offset /= 2)
    sum += __shfl_xor_sync(kFullMask, sum, offset);
  if (lane == 0)
    out[row] = sum;
}

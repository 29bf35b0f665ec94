// What a warp's lanes do when they do not all run the same code: shuffles in divergent
// branches, partial warps, lanes that exit early, loops whose trip count depends on the lane,
// and collectives that independent thread scheduling lets lanes reach from different places.
// Every mask used where results are checked names exactly the lanes that take part, so the
// results are defined by CUDA's rules (DivergenceTest.cpp computes them on the host).

constexpr unsigned kFullMask = 0xffffffffu;

// Lanes split by their value's parity; each group's mask is a ballot. Odd lanes add their
// group's lowest lane's value, even lanes subtract their group's highest lane's.
extern "C" __global__ void split_by_value(const int* in, int* out) {
  unsigned t = blockIdx.x * blockDim.x + threadIdx.x;
  int v = in[t];
  bool odd = v & 1;
  unsigned odds = __ballot_sync(kFullMask, odd), evens = __ballot_sync(kFullMask, !odd);
  if (odd)
    out[t] = v * 1000 + __shfl_sync(odds, v, __ffs(odds) - 1);
  else
    out[t] = v * 1000 - __shfl_sync(evens, v, 31 - __clz(evens));
}

// Four groups of lanes (lane % 4), each in its own arm of nested branches, each shuffling in
// its own mode with a mask naming only its group.
extern "C" __global__ void four_way(int* data) {
  unsigned lane = threadIdx.x % 32;
  int v = data[threadIdx.x];
  unsigned group = 0x11111111u << (lane % 4);
  if (lane % 2 == 0) {
    if (lane % 4 == 0)
      v += __shfl_xor_sync(group, v, 4) * 2;
    else
      v -= __shfl_down_sync(group, v, 8);
  } else {
    if (lane % 4 == 1)
      v ^= __shfl_up_sync(group, v, 4);
    else
      v += __shfl_sync(group, v, 3) * 3; // lane 3 is in the lane % 4 == 3 group
  }
  data[threadIdx.x] = v;
}

// out[4t..4t+3]: the sum of the warp's values (a down-shuffle tree that adds only lanes that
// exist), the sum broadcast from lane 0, a ballot of positive values and the number of lanes,
// with masks from a full-mask ballot (which names the lanes a partial warp has).
extern "C" __global__ void partial_warp_collectives(const int* in, int* out) {
  unsigned t = blockIdx.x * blockDim.x + threadIdx.x, lane = threadIdx.x % 32;
  unsigned present = __ballot_sync(kFullMask, 1);
  int v = in[t], sum = v;
  for (unsigned offset = 16; offset > 0; offset /= 2) {
    int other = __shfl_down_sync(present, sum, offset);
    if (lane + offset < 32 && (present >> (lane + offset) & 1))
      sum += other;
  }
  out[4 * t + 0] = sum;
  out[4 * t + 1] = __shfl_sync(present, sum, 0);
  out[4 * t + 2] = int(__ballot_sync(present, v > 0));
  out[4 * t + 3] = __popc(present);
}

// The warps named by `exiting` return at once; the others reduce with full-mask xor shuffles
// (no lane of theirs has exited), meet the block at a barrier, and shuffle once more.
extern "C" __global__ void whole_warps_exit(const int* in, int* out, unsigned exiting) {
  __shared__ int first[32];
  unsigned t = threadIdx.x, lane = t % 32, warp = t / 32;
  if (exiting >> warp & 1)
    return;
  int v = in[t];
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_xor_sync(kFullMask, v, offset);
  if (lane == 0)
    first[warp] = v;
  __syncthreads();
  out[t] = first[warp] * 2 + __shfl_down_sync(kFullMask, int(t), 1);
}

// Lanes at or past `keep` of every warp return; the rest sum over the lanes that remain (mask
// computed from `keep`), wait at a barrier the exited lanes do not reach, then broadcast.
extern "C" __global__ void lanes_exit_then_collectives(const int* in, int* out, unsigned keep) {
  unsigned t = threadIdx.x, lane = t % 32;
  if (lane >= keep)
    return;
  unsigned remaining = keep >= 32 ? kFullMask : (1u << keep) - 1;
  int v = in[t], sum = v;
  for (unsigned offset = 16; offset > 0; offset /= 2) {
    int other = __shfl_down_sync(remaining, sum, offset);
    if (lane + offset < keep)
      sum += other;
  }
  __syncthreads();
  out[t] = __shfl_sync(remaining, sum, 0) * 100 + __any_sync(remaining, v < 0);
}

// Kernel bugs: lanes 16-31 of every warp return, and the others call a collective whose mask
// names them. A GPU's result is undefined there (an exited source lane's value, a vote or
// __syncwarp over lanes that never come); Drawbridge fails the launch instead of guessing.
extern "C" __global__ void vote_names_exited_lanes(unsigned* out) {
  if (threadIdx.x % 32 >= 16)
    return;
  out[threadIdx.x] = __ballot_sync(kFullMask, 1);
}

extern "C" __global__ void syncwarp_names_exited_lanes(int* data) {
  if (threadIdx.x % 32 >= 16)
    return;
  data[threadIdx.x] += 1;
  __syncwarp();
  data[threadIdx.x] += 1;
}

// Here the lanes exit before a __syncthreads, which the others pass, so the full-mask shuffle
// after it is reached by a whole block of survivors.
extern "C" __global__ void shuffle_after_barrier_names_exited_lanes(int* data) {
  if (threadIdx.x % 32 >= 16)
    return;
  __syncthreads();
  data[threadIdx.x] = __shfl_xor_sync(kFullMask, data[threadIdx.x], 1);
}

// Lanes 0-15 wait at a full-mask __syncwarp while lanes 16-31 trade among themselves and
// then return: the lanes the waiting ones name never come.
extern "C" __global__ void partners_exit_after_their_shuffle(int* data) {
  unsigned lane = threadIdx.x % 32;
  if (lane >= 16) {
    data[threadIdx.x] = __shfl_xor_sync(0xffff0000u, data[threadIdx.x], 1);
    return;
  }
  __syncwarp();
  data[threadIdx.x] += 1;
}

// Each lane exits a loop after `trips[t]` rounds and a later round shuffles with the full
// mask: the second round already names lanes that have left the loop and returned.
extern "C" __global__ void loop_exit_then_full_shuffle(const int* trips, int* out) {
  int v = int(threadIdx.x);
  for (int i = 0; i < 4; ++i) {
    if (i >= trips[threadIdx.x])
      return;
    v += __shfl_xor_sync(kFullMask, v, 1);
  }
  out[threadIdx.x] = v;
}

// Lane t loops trips[t] times; each round, the lanes still looping (a ballot over those of
// the round before) take their lowest lane's value.
extern "C" __global__ void lane_dependent_trips(const int* trips, int* out) {
  unsigned t = blockIdx.x * blockDim.x + threadIdx.x;
  int n = trips[t], v = int(t) + 1;
  unsigned looping = kFullMask;
  for (int i = 0;; ++i) {
    looping = __ballot_sync(looping, i < n);
    if (i >= n)
      break;
    v = v * 3 + __shfl_sync(looping, v, __ffs(looping) - 1) + i;
  }
  out[t] = v;
}

// A row of `cols` values strided over the lanes (lanes past cols % 32 loop once less, as an
// inference engine's row loops do), then a full-mask xor reduction after the loop.
extern "C" __global__ void strided_row_sum(const int* row, int* out, int cols) {
  unsigned lane = threadIdx.x % 32;
  int sum = 0;
  for (int c = int(lane); c < cols; c += 32)
    sum += row[c] * (c % 5 + 1);
  for (int offset = 16; offset > 0; offset /= 2)
    sum += __shfl_xor_sync(kFullMask, sum, offset);
  out[threadIdx.x] = sum;
}

// Lanes 16-31 trade within their half in a branch while lanes 0-15 go on to the full-mask
// shuffle after it and wait there; the warp meets at that shuffle.
extern "C" __global__ void half_trades_then_full_shuffle(int* data) {
  unsigned lane = threadIdx.x % 32;
  int v = data[threadIdx.x];
  if (lane >= 16)
    v += __shfl_xor_sync(0xffff0000u, v, 1) * 7;
  data[threadIdx.x] = __shfl_sync(kFullMask, v, 31 - lane);
}

// Independent thread scheduling (sm_70 on): each half of the warp calls __syncwarp in its own
// arm of a branch, and the two calls synchronize with each other, so each half reads what the
// other wrote before its __syncwarp.
extern "C" __global__ void syncwarp_in_both_branches(int* data) {
  __shared__ int exchange[64];
  unsigned t = threadIdx.x, lane = t % 32;
  if (lane < 16) {
    exchange[t] = data[t] * 2;
    __syncwarp();
    data[t] = exchange[t + 16] + 1;
  } else {
    exchange[t] = data[t] * 3;
    __syncwarp();
    data[t] = exchange[t - 16] - 1;
  }
}

// A loop of shuffles whose trip count the launch decides, in a block whose last warp is
// partial (its mask names the lanes it has): every thread leaves from the loop's own region,
// so the block must end there rather than go round the loop's shuffle again.
extern "C" __global__ void partial_warp_shuffle_loop(int* data, int rounds) {
  unsigned present = __ballot_sync(kFullMask, 1);
  int v = data[threadIdx.x];
  for (int r = 0; r < rounds; ++r)
    v += __shfl_xor_sync(present, v, 1);
  data[threadIdx.x] = v;
}

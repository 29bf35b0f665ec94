// Warp-synchronous code: lanes of one warp trade values through shared memory with no
// __syncwarp, relying on a converged warp running each instruction for all its lanes at once
// (WarpLockstepTest.cpp computes what such a warp does, lane by lane).

// ggml's mul_mat_f with one warp per block, reduced: each lane stores a column of a tile,
// then reads a row of it, which other lanes stored. The indices can meet (lane == k), so no
// compiler may reorder the loads above the stores.
extern "C" __global__ void transpose_in_warp(const int* in, int* out) {
  __shared__ int tile[4][32][33];
  unsigned warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  unsigned t = blockIdx.x * blockDim.x + threadIdx.x;
  for (unsigned k = 0; k < 32; ++k)
    tile[warp][k][lane] = in[t] * 100 + int(k);
  int sum = 0;
  unsigned lanes = min(32u, blockDim.x - warp * 32);
  for (unsigned k = 0; k < lanes; ++k)
    sum += tile[warp][lane][k] * int(k + 1);
  out[t] = sum;
}

// Each lane reads the slot of the lane `shift` above it (in its warp), then overwrites its
// own: a warp reads every old value before any lane stores. Run `rounds` times; `shift` may be
// 0, so the compiler keeps each load before its store.
extern "C" __global__ void rotate_in_warp(int* data, unsigned shift, int rounds) {
  __shared__ int slots[128];
  unsigned lane = threadIdx.x % 32, base = threadIdx.x - lane;
  unsigned lanes = min(32u, blockDim.x - base);
  unsigned t = blockIdx.x * blockDim.x + threadIdx.x;
  slots[threadIdx.x] = data[t];
  __syncwarp(__activemask());
  for (int round = 0; round < rounds; ++round) {
    int next = slots[base + (lane + shift) % lanes];
    slots[threadIdx.x] = next + 1;
  }
  data[t] = slots[threadIdx.x];
}

// The warp reduction of CUDA's reduction samples before __syncwarp: lanes add the slot 16, 8,
// 4, 2 and 1 above their own through volatile shared memory, in lockstep.
extern "C" __global__ void volatile_warp_sum(const int* in, int* out) {
  __shared__ int sums[64];
  unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  volatile int* slots = sums + warp * 32;
  slots[lane] = in[blockIdx.x * blockDim.x + threadIdx.x];
  if (lane < 16) {
    slots[lane] += slots[lane + 16];
    slots[lane] += slots[lane + 8];
    slots[lane] += slots[lane + 4];
    slots[lane] += slots[lane + 2];
    slots[lane] += slots[lane + 1];
  }
  if (lane == 0)
    out[blockIdx.x * (blockDim.x / 32) + warp] = slots[0];
}

// Two halves of a warp in different arms of a branch, each trading values within its own half
// through shared memory: each half meets only its own lanes. The indices can meet the lane's
// own, so the loads stay after the stores.
extern "C" __global__ void halves_apart(int* data) {
  __shared__ int slots[32];
  unsigned lane = threadIdx.x;
  int v = data[lane];
  if (lane < 16) {
    slots[lane] = v * 2;
    data[lane] = slots[lane * 7 & 15];
  } else {
    slots[lane] = v * 3;
    int other = slots[16 + (lane * 5 & 15)];
    slots[lane] = other + 1;
    data[lane] = slots[16 + (lane * 3 & 15)];
  }
}

// Each lane updates s[i] for i = lane, lane + 16, ... below 64: in lockstep, lane l + 16 updates
// a slot one iteration before lane l does, and the updates do not commute.
extern "C" __global__ void stride_by_half_warps(int* data) {
  __shared__ int slots[80];
  unsigned lane = threadIdx.x;
  for (unsigned i = lane; i < 80; i += 32)
    slots[i] = data[i];
  __syncwarp();
  for (unsigned i = lane; i < 64; i += 16)
    slots[i] = slots[i] * 2 + int(lane);
  __syncwarp();
  for (unsigned i = lane; i < 80; i += 32)
    data[i] = slots[i];
}

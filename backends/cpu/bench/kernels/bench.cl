// The kernels of bench.cu in OpenCL C, for PoCL to run beside the CPU backend. Debian's PoCL
// (3.1) offers no subgroup functions, so where the CUDA kernels shuffle within a warp these
// exchange through local memory between barriers: the same steps, the same partial sums.

// A warp's xor-shuffle sum (or maximum) as a butterfly over 32 lanes' slots in `lanes` (this
// work-item's warp's 32 floats); every work-item of the group must call it.
float warpReduce(local float* lanes, float v, bool isMax) {
  int lane = get_local_id(0) % 32;
  for (int offset = 16; offset > 0; offset /= 2) {
    lanes[lane] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    float other = lanes[lane ^ offset];
    barrier(CLK_LOCAL_MEM_FENCE);
    v = isMax ? fmax(v, other) : v + other;
  }
  return v;
}

// The group's sum or maximum (local size a multiple of 32, at most 256) in every work-item.
float blockReduce(local float* lanes, local float* scratch, float v, bool isMax) {
  int lane = get_local_id(0) % 32, warp = get_local_id(0) / 32;
  int warps = get_local_size(0) / 32;
  local float* mine = lanes + warp * 32;
  v = warpReduce(mine, v, isMax);
  if (lane == 0)
    scratch[warp] = v;
  barrier(CLK_LOCAL_MEM_FENCE);
  v = lane < warps ? scratch[lane] : (isMax ? -INFINITY : 0.0f);
  v = warpReduce(mine, v, isMax);
  barrier(CLK_LOCAL_MEM_FENCE); // scratch is reused by the next reduction
  return v;
}

kernel void shared_reduce(global const float* in, global float* partial, int n) {
  local float s[256];
  uint t = get_local_id(0);
  int i = get_global_id(0);
  s[t] = i < n ? in[i] : 0.0f;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint stride = get_local_size(0) / 2; stride > 0; stride /= 2) {
    if (t < stride)
      s[t] += s[t + stride];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (t == 0)
    partial[get_group_id(0)] = s[0];
}

// shfl_down within each warp of 32 work-items, summed from `offset` down to 1: lane l adds
// lane l + offset's value, or its own beyond the warp. Every work-item must call it.
float shuffleDownSum(local float* lanes, float v, int offset) {
  int t = get_local_id(0), lane = t % 32;
  for (; offset > 0; offset /= 2) {
    lanes[t] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    v += lane + offset < 32 ? lanes[t + offset] : v;
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  return v;
}

kernel void shuffle_reduce(global const float* in, global float* partial, int n) {
  local float lanes[256], warps[8];
  int t = get_local_id(0), i = get_global_id(0);
  float v = shuffleDownSum(lanes, i < n ? in[i] : 0.0f, 16);
  if (t % 32 == 0)
    warps[t / 32] = v;
  barrier(CLK_LOCAL_MEM_FENCE);
  // The CUDA kernel's first warp alone runs this; here every warp must reach the barriers.
  v = shuffleDownSum(lanes, t < 8 ? warps[t] : 0.0f, 4);
  if (t == 0)
    partial[get_group_id(0)] = v;
}

kernel void tiled_matmul(global const float* a, global const float* b, global float* c, int n) {
  local float ta[16][16], tb[16][16];
  int tx = get_local_id(0), ty = get_local_id(1);
  int row = get_group_id(1) * 16 + ty, col = get_group_id(0) * 16 + tx;
  float sum = 0.0f;
  for (int k = 0; k < n; k += 16) {
    ta[ty][tx] = a[row * n + k + tx];
    tb[ty][tx] = b[(k + ty) * n + col];
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int j = 0; j < 16; ++j)
      sum += ta[ty][j] * tb[j][tx];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  c[row * n + col] = sum;
}

kernel void softmax_rows(global const float* x, global float* y, int cols) {
  local float lanes[256], scratch[32];
  global const float* in = x + (size_t)get_group_id(0) * cols;
  global float* out = y + (size_t)get_group_id(0) * cols;
  int t = get_local_id(0), step = get_local_size(0);
  float m = -INFINITY;
  for (int c = t; c < cols; c += step)
    m = fmax(m, in[c]);
  m = blockReduce(lanes, scratch, m, true);
  float sum = 0.0f;
  for (int c = t; c < cols; c += step) {
    float e = native_exp(in[c] - m);
    out[c] = e;
    sum += e;
  }
  float scale = 1.0f / blockReduce(lanes, scratch, sum, false);
  for (int c = t; c < cols; c += step)
    out[c] *= scale;
}

kernel void rmsnorm_rows(global const float* x, global const float* weight, global float* y,
                         int cols, float eps) {
  local float lanes[256], scratch[32];
  global const float4* in = (global const float4*)(x + (size_t)get_group_id(0) * cols);
  global const float4* w = (global const float4*)weight;
  global float4* out = (global float4*)(y + (size_t)get_group_id(0) * cols);
  int t = get_local_id(0), step = get_local_size(0);
  float squares = 0.0f;
  for (int c = t; c < cols / 4; c += step) {
    float4 v = in[c];
    squares += v.x * v.x + v.y * v.y + v.z * v.z + v.w * v.w;
  }
  float scale = rsqrt(blockReduce(lanes, scratch, squares, false) / cols + eps);
  for (int c = t; c < cols / 4; c += step)
    out[c] = in[c] * scale * w[c];
}

// One warp (32 work-items) per row; rows a multiple of the group's warps, so none returns early
// (every work-item must reach the barriers).
kernel void gemv_warp_rows(global const float* a, global const float* x, global float* y, int rows,
                           int cols) {
  local float lanes[256];
  int t = get_local_id(0), lane = t % 32;
  int row = get_group_id(0) * (get_local_size(0) / 32) + t / 32;
  global const float4* r = (global const float4*)(a + (size_t)row * cols);
  global const float4* v = (global const float4*)x;
  float sum = 0.0f;
  for (int c = lane; c < cols / 4; c += 32) {
    float4 m = r[c], u = v[c];
    sum += m.x * u.x + m.y * u.y + m.z * u.z + m.w * u.w;
  }
  sum = warpReduce(lanes + (t / 32) * 32, sum, false);
  if (lane == 0)
    y[row] = sum;
}

// Kernels the CPU backend benchmarks run.
extern "C" __global__ void empty() {}

extern "C" __global__ void triad(float* a, const float* b, const float* c, float s, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    a[i] = b[i] + s * c[i];
}

// One partial sum per block of 256 threads, through shared memory and __syncthreads.
extern "C" __global__ void shared_reduce(const float* in, float* partial, int n) {
  __shared__ float s[256];
  unsigned t = threadIdx.x;
  int i = blockIdx.x * blockDim.x + t;
  s[t] = i < n ? in[i] : 0.0f;
  __syncthreads();
  for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (t < stride)
      s[t] += s[t + stride];
    __syncthreads();
  }
  if (t == 0)
    partial[blockIdx.x] = s[0];
}

// One partial sum per block of 256 threads, through warp shuffles.
extern "C" __global__ void shuffle_reduce(const float* in, float* partial, int n) {
  __shared__ float warps[8];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  float v = i < n ? in[i] : 0.0f;
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_down_sync(0xffffffffu, v, offset);
  if (threadIdx.x % 32 == 0)
    warps[threadIdx.x / 32] = v;
  __syncthreads();
  if (threadIdx.x < 32) {
    v = threadIdx.x < 8 ? warps[threadIdx.x] : 0.0f;
    for (int offset = 4; offset > 0; offset /= 2)
      v += __shfl_down_sync(0xffffffffu, v, offset);
    if (threadIdx.x == 0)
      partial[blockIdx.x] = v;
  }
}

// C = A * B for row-major n x n matrices, n a multiple of 16, with 16 x 16 shared tiles.
extern "C" __global__ void tiled_matmul(const float* a, const float* b, float* c, int n) {
  __shared__ float ta[16][16], tb[16][16];
  int row = blockIdx.y * 16 + threadIdx.y, col = blockIdx.x * 16 + threadIdx.x;
  float sum = 0.0f;
  for (int k = 0; k < n; k += 16) {
    ta[threadIdx.y][threadIdx.x] = a[row * n + k + threadIdx.x];
    tb[threadIdx.y][threadIdx.x] = b[(k + threadIdx.y) * n + col];
    __syncthreads();
    for (int j = 0; j < 16; ++j)
      sum += ta[threadIdx.y][j] * tb[j][threadIdx.x];
    __syncthreads();
  }
  c[row * n + col] = sum;
}

// The row kernels of an inference engine (after llama.cpp's soft_max_f32/rms_norm_f32 and its
// warp-per-row mul_mat_vec): reductions across a warp by xor shuffles, across warps through
// shared memory, vector loads where rows allow them.
__device__ float warpSum(float v) {
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

__device__ float warpMax(float v) {
  for (int offset = 16; offset > 0; offset /= 2)
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

// The whole block's sum or maximum (blockDim.x a multiple of 32, at most 1024), in every thread.
template <bool isMax> __device__ float blockReduce(float v, float* scratch) {
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  v = isMax ? warpMax(v) : warpSum(v);
  __syncthreads(); // scratch may still be read from the previous reduction
  if (lane == 0)
    scratch[warp] = v;
  __syncthreads();
  v = lane < warps ? scratch[lane] : (isMax ? -INFINITY : 0.0f);
  return isMax ? warpMax(v) : warpSum(v);
}

// y = softmax(x) for each row of `cols` floats; one block per row.
extern "C" __global__ void softmax_rows(const float* x, float* y, int cols) {
  __shared__ float scratch[32];
  const float* in = x + size_t(blockIdx.x) * cols;
  float* out = y + size_t(blockIdx.x) * cols;
  float max = -INFINITY;
  for (int c = threadIdx.x; c < cols; c += blockDim.x)
    max = fmaxf(max, in[c]);
  max = blockReduce<true>(max, scratch);
  float sum = 0.0f;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    float e = __expf(in[c] - max);
    out[c] = e;
    sum += e;
  }
  float scale = 1.0f / blockReduce<false>(sum, scratch);
  for (int c = threadIdx.x; c < cols; c += blockDim.x)
    out[c] *= scale;
}

// y = x / sqrt(mean(x^2) + eps) * weight for each row of `cols` floats (a multiple of 4); one
// block per row, float4 loads.
extern "C" __global__ void rmsnorm_rows(const float* x, const float* weight, float* y, int cols,
                                        float eps) {
  __shared__ float scratch[32];
  const float4* in = reinterpret_cast<const float4*>(x + size_t(blockIdx.x) * cols);
  const float4* w = reinterpret_cast<const float4*>(weight);
  float4* out = reinterpret_cast<float4*>(y + size_t(blockIdx.x) * cols);
  float squares = 0.0f;
  for (int c = threadIdx.x; c < cols / 4; c += blockDim.x) {
    float4 v = in[c];
    squares += v.x * v.x + v.y * v.y + v.z * v.z + v.w * v.w;
  }
  float scale = rsqrtf(blockReduce<false>(squares, scratch) / cols + eps);
  for (int c = threadIdx.x; c < cols / 4; c += blockDim.x) {
    float4 v = in[c], g = w[c];
    out[c] =
        make_float4(v.x * scale * g.x, v.y * scale * g.y, v.z * scale * g.z, v.w * scale * g.w);
  }
}

// y = A x for a row-major rows x cols matrix (cols a multiple of 128); one warp per row, each
// lane reading float4s, the row's sum gathered by xor shuffles.
extern "C" __global__ void gemv_warp_rows(const float* a, const float* x, float* y, int rows,
                                          int cols) {
  int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (row >= rows)
    return;
  const float4* r = reinterpret_cast<const float4*>(a + size_t(row) * cols);
  const float4* v = reinterpret_cast<const float4*>(x);
  float sum = 0.0f;
  for (int c = lane; c < cols / 4; c += 32) {
    float4 m = r[c], u = v[c];
    sum += m.x * u.x + m.y * u.y + m.z * u.z + m.w * u.w;
  }
  sum = warpSum(sum);
  if (lane == 0)
    y[row] = sum;
}

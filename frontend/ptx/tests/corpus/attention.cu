// Single-head attention: one block per query row, scores in dynamic shared memory.
#include <cuda_fp16.h>
__global__ void attention(const __half* q, const __half* k, const __half* v, float* out, int seq,
                          int dim, float scale) {
  extern __shared__ float scores[];
  __shared__ float red[32];
  int row = blockIdx.x;
  for (int j = threadIdx.x; j < seq; j += blockDim.x) {
    float dot = 0.0f;
    for (int d = 0; d < dim; ++d)
      dot += __half2float(q[row * dim + d]) * __half2float(k[j * dim + d]);
    scores[j] = j <= row ? dot * scale : -INFINITY;
  }
  __syncthreads();
  float m = -INFINITY;
  for (int j = threadIdx.x; j < seq; j += blockDim.x)
    m = fmaxf(m, scores[j]);
  for (int o = 16; o > 0; o >>= 1)
    m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
  if ((threadIdx.x & 31) == 0)
    red[threadIdx.x >> 5] = m;
  __syncthreads();
  if (threadIdx.x == 0) {
    for (int w = 1; w < blockDim.x / 32; ++w)
      red[0] = fmaxf(red[0], red[w]);
  }
  __syncthreads();
  m = red[0];
  __syncthreads();
  float sum = 0.0f;
  for (int j = threadIdx.x; j < seq; j += blockDim.x) {
    scores[j] = __expf(scores[j] - m);
    sum += scores[j];
  }
  for (int o = 16; o > 0; o >>= 1)
    sum += __shfl_xor_sync(0xffffffffu, sum, o);
  if ((threadIdx.x & 31) == 0)
    red[threadIdx.x >> 5] = sum;
  __syncthreads();
  float total = 0.0f;
  for (int w = 0; w < blockDim.x / 32; ++w)
    total += red[w];
  for (int d = threadIdx.x; d < dim; d += blockDim.x) {
    float acc = 0.0f;
    for (int j = 0; j <= row && j < seq; ++j)
      acc += scores[j] * __half2float(v[j * dim + d]);
    out[row * dim + d] = acc / total;
  }
}

__global__ void halfOps(__half2* a, const __half2* b, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    a[i] = __hfma2(a[i], b[i], __float2half2_rn(1.0f));
}

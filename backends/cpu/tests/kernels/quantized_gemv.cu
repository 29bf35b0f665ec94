// A matrix of 4-bit codes times int8 columns, the way quantized inference engines write their
// matrix-vector products: each code indexes a 16-entry table through byte permutes, products
// are summed with dp4a, and each thread keeps one accumulator per (column, row) that a shared
// memory exchange and shuffles combine. LLVM 19's SLP vectorizer miscompiled ggml's mxfp4
// mul_mat_vec_q for 5 and 6 columns, and this kernel for 5, 6 and 7. Instantiated for 1 and 6
// to 8: for 2 to 5 columns nvcc unrolls the shuffles into up to 50 sites, 12 s to compile.
#include <cstdint>
#include <cuda_fp16.h>

constexpr int kBlock = 32;  // codes per scale
constexpr int kRowsPer = 2; // rows per thread block
struct CodeBlock {          // 17 bytes: the codes are read a byte at a time
  uint8_t exponent;         // the scale is 2^(exponent - 127)
  uint8_t codes[kBlock / 2];
};
struct ByteBlock { // 36 bytes
  __half scale;
  __half unused;
  int8_t values[kBlock];
};

__constant__ int8_t kCodeValues[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

__device__ int loadBytes(const uint8_t* p) {
  return p[0] | p[1] << 8 | p[2] << 16 | p[3] << 24;
}

// The table values of the 8 codes in `codes`: those of the low nibbles, then of the high ones.
__device__ int2 lookUp(int codes) {
  const uint32_t* table = reinterpret_cast<const uint32_t*>(kCodeValues);
  const uint32_t upperHalf = 0x32103210u | ((codes & 0x88888888u) >> 1);
  uint32_t half[2];
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    const uint32_t low = __byte_perm(table[0], table[1], codes >> 16 * h);
    const uint32_t high = __byte_perm(table[2], table[3], codes >> 16 * h);
    half[h] = __byte_perm(low, high, upperHalf >> 16 * h);
  }
  return make_int2(__byte_perm(half[0], half[1], 0x6420), __byte_perm(half[0], half[1], 0x7531));
}

__device__ float exponentScale(uint8_t exponent) {
  return __uint_as_float(exponent == 0 ? 0x00400000u : uint32_t(exponent) << 23);
}

// Codes 4*part .. 4*part+7 of a block (and their high nibbles) times the matching bytes.
__device__ float dotPart(const CodeBlock& x, const ByteBlock& y, int part) {
  const int* bytes = reinterpret_cast<const int*>(y.values) + part;
  int sum = 0;
#pragma unroll
  for (int l = 0; l < 2; ++l) {
    const int2 v = lookUp(loadBytes(x.codes + 4 * (part + l)));
    sum = __dp4a(v.x, bytes[l], sum);
    sum = __dp4a(v.y, bytes[l + 4], sum);
  }
  return exponentScale(x.exponent) * 0.5f * __half2float(y.scale) * float(sum);
}

// out[c][r] = sum over k of x[r][k] * y[c][k]; blocks of (32, 2) threads, kRowsPer rows each.
template <int kCols>
__device__ void codeGemv(const CodeBlock* x, const ByteBlock* y, float* out, int blocksPerRow,
                         int rows) {
  const int thread = threadIdx.y * 32 + threadIdx.x;
  const int row0 = blockIdx.x * kRowsPer;
  float sum[kCols][kRowsPer] = {};
  for (int b = thread / 2; b < blocksPerRow; b += blockDim.x * blockDim.y / 2) {
#pragma unroll
    for (int c = 0; c < kCols; ++c)
#pragma unroll
      for (int r = 0; r < kRowsPer; ++r)
        sum[c][r] +=
            dotPart(x[(row0 + r) * blocksPerRow + b], y[c * blocksPerRow + b], 2 * (thread % 2));
  }
  __shared__ float secondWarp[kCols][kRowsPer][32];
  if (threadIdx.y > 0) {
#pragma unroll
    for (int c = 0; c < kCols; ++c)
#pragma unroll
      for (int r = 0; r < kRowsPer; ++r)
        secondWarp[c][r][threadIdx.x] = sum[c][r];
  }
  __syncthreads();
  if (threadIdx.y > 0)
    return;
#pragma unroll 1
  for (int offset = 16; offset > 0; offset >>= 1)
#pragma unroll
    for (int c = 0; c < kCols; ++c)
#pragma unroll
      for (int r = 0; r < kRowsPer; ++r) {
        if (offset == 16)
          sum[c][r] += secondWarp[c][r][threadIdx.x];
        sum[c][r] += __shfl_xor_sync(0xffffffffu, sum[c][r], offset);
      }
#pragma unroll
  for (int c = 0; c < kCols; ++c)
#pragma unroll
    for (int r = 0; r < kRowsPer; ++r)
      if (threadIdx.x == r && row0 + r < rows)
        out[c * rows + row0 + r] = sum[c][r];
}

#define CODE_GEMV(cols)                                                                            \
  extern "C" __global__ void code_gemv_##cols(const CodeBlock* x, const ByteBlock* y, float* out,  \
                                              int blocksPerRow, int rows) {                        \
    codeGemv<cols>(x, y, out, blocksPerRow, rows);                                                 \
  }
CODE_GEMV(1)
CODE_GEMV(6)
CODE_GEMV(7)
CODE_GEMV(8)

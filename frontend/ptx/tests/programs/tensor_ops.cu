// Tensor-core and narrow-float PTX, run through the shim and checked against the host:
//  - ldmatrix (x1/x2/x4, .trans) stores what each lane received, compared with the layout the
//    PTX ISA documents;
//  - mma.sync m16n8k16 (f16 and bf16, f32 and f16 accumulators) and m16n8k8 compute tiles from
//    fragments loaded by ldmatrix or directly by the documented layout, compared with a host
//    matmul. Inputs are small integers, so every sum is exact and the comparison is bit for bit;
//  - cvt to e4m3x2/e5m2x2 (from f32 and f16x2, with .relu), back to f16x2, and to tf32 (.rna,
//    .rn, .rz, .satfinite, .relu), compared with host conversions written from the formats'
//    definitions (nearest representable by search), on ties, subnormals, the largest finite
//    values, infinities and NaN.
// Usage: tensor_ops {ldmatrix|mma|fp8|tf32}
#include "Check.cuh"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <random>
#include <string_view>
#include <type_traits>
#include <vector>

namespace {

// --- ldmatrix -------------------------------------------------------------------------------

// A 32x8 matrix of b16 values (four stacked 8x8 matrices), each element its own index.
// Each kernel's instructions need the SM in its guard; the corpus builds this file for older SMs.
__global__ void ldmatrixKernel(unsigned* out) {
#if __CUDA_ARCH__ >= 750
  __shared__ unsigned short tile[32][8];
  unsigned lane = threadIdx.x;
  for (unsigned i = lane; i < 32 * 8; i += 32)
    tile[i / 8][i % 8] = static_cast<unsigned short>(i);
  __syncwarp();
  // Lanes 8j .. 8j+7 give the rows of matrix j.
  unsigned row = static_cast<unsigned>(__cvta_generic_to_shared(&tile[lane][0]));
  unsigned r[4];
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(row));
  for (int j = 0; j < 4; ++j)
    out[(0 * 4 + j) * 32 + lane] = r[j];
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(row));
  for (int j = 0; j < 4; ++j)
    out[(1 * 4 + j) * 32 + lane] = r[j];
  asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0, %1}, [%2];"
               : "=r"(r[0]), "=r"(r[1])
               : "r"(row));
  for (int j = 0; j < 2; ++j)
    out[(2 * 4 + j) * 32 + lane] = r[j];
  asm volatile("ldmatrix.sync.aligned.m8n8.x1.trans.shared.b16 {%0}, [%1];"
               : "=r"(r[0])
               : "r"(row));
  out[(3 * 4) * 32 + lane] = r[0];
#endif
}

void checkLdmatrix() {
  unsigned* out;
  constexpr int kWords = 4 * 4 * 32;
  OK(cudaMallocManaged(&out, kWords * sizeof(unsigned)));
  std::memset(out, 0xff, kWords * sizeof(unsigned));
  ldmatrixKernel<<<1, 32>>>(out);
  OK(cudaDeviceSynchronize());
  // Lane l holds row l/4, columns 2(l%4) and 2(l%4)+1 of matrix j (of its transpose with
  // .trans); matrix j is rows 8j .. 8j+7 of the tile; element (r, c) of matrix j is 8(8j+r)+c.
  auto element = [](int j, int r, int c) { return unsigned(8 * (8 * j + r) + c); };
  int mismatches = 0;
  auto expect = [&](int group, int j, int lane, bool trans) {
    int r = lane / 4, c = 2 * (lane % 4);
    unsigned lo = trans ? element(j, c, r) : element(j, r, c);
    unsigned hi = trans ? element(j, c + 1, r) : element(j, r, c + 1);
    unsigned want = lo | hi << 16, got = out[(group * 4 + j) * 32 + lane];
    if (got != want && ++mismatches <= 5)
      std::printf("ldmatrix form %d matrix %d lane %d: got %08x, expected %08x\n", group, j, lane,
                  got, want);
  };
  for (int lane = 0; lane < 32; ++lane) {
    for (int j = 0; j < 4; ++j) {
      expect(0, j, lane, false);
      expect(1, j, lane, true);
    }
    for (int j = 0; j < 2; ++j)
      expect(2, j, lane, false);
    expect(3, 0, lane, true);
  }
  REQUIRE(mismatches == 0);
  OK(cudaFree(out));
  std::printf("ldmatrix ok\n");
}

// --- mma ------------------------------------------------------------------------------------

constexpr int M = 16, N = 8, K = 16;

// Small integers, different for every position, so a misplaced element changes the result.
float aValue(int i, int k) {
  return float((i * 5 + k * 3) % 11 - 5);
}
float bValue(int k, int n) {
  return float((k * 7 + n * 3) % 13 - 6);
}
float cValue(int i, int n) {
  return float((i * 3 + n * 5) % 9 - 4);
}

template <typename T> __device__ unsigned pack(T lo, T hi) {
  unsigned short l, h;
  std::memcpy(&l, &lo, 2);
  std::memcpy(&h, &hi, 2);
  return unsigned(l) | unsigned(h) << 16;
}

// D = A B + C for one 16x8x16 tile: A (row-major) and B (row-major, read with ldmatrix.trans)
// through ldmatrix from shared memory, C and D in f32 by the accumulator layout.
template <typename T>
__global__ void mmaLdmatrixKernel(const T* a, const T* b, const float* c, float* d) {
#if __CUDA_ARCH__ >= 800
  __shared__ T as[M][K];
  __shared__ T bs[K][N];
  unsigned lane = threadIdx.x;
  for (int i = lane; i < M * K; i += 32)
    as[i / K][i % K] = a[i];
  for (int i = lane; i < K * N; i += 32)
    bs[i / N][i % N] = b[i];
  __syncwarp();
  unsigned g = lane / 4, t = lane % 4;
  // Matrices of A: rows 0-7 and 8-15 of columns 0-7, then of columns 8-15 (a0 .. a3).
  unsigned j = lane / 8, r = lane % 8;
  unsigned aRow =
      static_cast<unsigned>(__cvta_generic_to_shared(&as[r + 8 * (j % 2)][8 * (j / 2)]));
  unsigned bRow = static_cast<unsigned>(__cvta_generic_to_shared(&bs[8 * (j % 2) + r][0]));
  unsigned ar[4], br[2];
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
               : "=r"(ar[0]), "=r"(ar[1]), "=r"(ar[2]), "=r"(ar[3])
               : "r"(aRow));
  asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0, %1}, [%2];"
               : "=r"(br[0]), "=r"(br[1])
               : "r"(bRow));
  float acc[4];
  for (int i = 0; i < 4; ++i)
    acc[i] = c[(g + 8 * (i / 2)) * N + 2 * t + i % 2];
  if constexpr (std::is_same_v<T, __half>)
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, "
                 "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
                 : "+f"(acc[0]), "+f"(acc[1]), "+f"(acc[2]), "+f"(acc[3])
                 : "r"(ar[0]), "r"(ar[1]), "r"(ar[2]), "r"(ar[3]), "r"(br[0]), "r"(br[1]));
  else
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, "
                 "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
                 : "+f"(acc[0]), "+f"(acc[1]), "+f"(acc[2]), "+f"(acc[3])
                 : "r"(ar[0]), "r"(ar[1]), "r"(ar[2]), "r"(ar[3]), "r"(br[0]), "r"(br[1]));
  for (int i = 0; i < 4; ++i)
    d[(g + 8 * (i / 2)) * N + 2 * t + i % 2] = acc[i];
#endif
}

// The same tile with f16 accumulators, fragments read from global memory by the documented
// layouts; then the m16n8k8 shape on the first 8 columns of A and rows of B.
__global__ void mmaDirectKernel(const __half* a, const __half* b, const float* c, float* d16,
                                float* d8) {
#if __CUDA_ARCH__ >= 800
  unsigned lane = threadIdx.x, g = lane / 4, t = lane % 4;
  auto A = [&](int i, int k) { return a[i * K + k]; };
  auto B = [&](int k, int n) { return b[k * N + n]; };
  unsigned ar[4], br[2], cr[2];
  for (int i = 0; i < 4; ++i) // a_{2i}, a_{2i+1}
    ar[i] =
        pack(A(g + 8 * (i % 2), 2 * t + 8 * (i / 2)), A(g + 8 * (i % 2), 2 * t + 1 + 8 * (i / 2)));
  for (int i = 0; i < 2; ++i)
    br[i] = pack(B(2 * t + 8 * i, g), B(2 * t + 1 + 8 * i, g));
  for (int i = 0; i < 2; ++i)
    cr[i] = pack(__float2half(c[(g + 8 * i) * N + 2 * t]),
                 __float2half(c[(g + 8 * i) * N + 2 * t + 1]));
  unsigned dr[2];
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f16.f16.f16.f16 {%0, %1}, {%2, %3, %4, %5}, "
               "{%6, %7}, {%8, %9};"
               : "=r"(dr[0]), "=r"(dr[1])
               : "r"(ar[0]), "r"(ar[1]), "r"(ar[2]), "r"(ar[3]), "r"(br[0]), "r"(br[1]), "r"(cr[0]),
                 "r"(cr[1]));
  for (int i = 0; i < 2; ++i) {
    __half2 pair;
    std::memcpy(&pair, &dr[i], 4);
    d16[(g + 8 * i) * N + 2 * t] = __low2float(pair);
    d16[(g + 8 * i) * N + 2 * t + 1] = __high2float(pair);
  }
  float acc[4];
  for (int i = 0; i < 4; ++i)
    acc[i] = c[(g + 8 * (i / 2)) * N + 2 * t + i % 2];
  asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5}, "
               "{%6}, {%0, %1, %2, %3};"
               : "+f"(acc[0]), "+f"(acc[1]), "+f"(acc[2]), "+f"(acc[3])
               : "r"(ar[0]), "r"(ar[1]), "r"(br[0]));
  for (int i = 0; i < 4; ++i)
    d8[(g + 8 * (i / 2)) * N + 2 * t + i % 2] = acc[i];
#endif
}

int compareTile(const char* what, const float* got, int depth) {
  int mismatches = 0;
  for (int i = 0; i < M; ++i)
    for (int n = 0; n < N; ++n) {
      float want = cValue(i, n);
      for (int k = 0; k < depth; ++k)
        want += aValue(i, k) * bValue(k, n);
      if (got[i * N + n] != want && ++mismatches <= 5)
        std::printf("%s: D[%d][%d] = %g, expected %g\n", what, i, n, got[i * N + n], want);
    }
  return mismatches;
}

template <typename T, typename Convert> int runLdmatrixMma(const char* what, Convert convert) {
  T *a, *b;
  float *c, *d;
  OK(cudaMallocManaged(&a, M * K * sizeof(T)));
  OK(cudaMallocManaged(&b, K * N * sizeof(T)));
  OK(cudaMallocManaged(&c, M * N * sizeof(float)));
  OK(cudaMallocManaged(&d, M * N * sizeof(float)));
  for (int i = 0; i < M; ++i)
    for (int k = 0; k < K; ++k)
      a[i * K + k] = convert(aValue(i, k));
  for (int k = 0; k < K; ++k)
    for (int n = 0; n < N; ++n)
      b[k * N + n] = convert(bValue(k, n));
  for (int i = 0; i < M * N; ++i)
    c[i] = cValue(i / N, i % N);
  mmaLdmatrixKernel<T><<<1, 32>>>(a, b, c, d);
  OK(cudaDeviceSynchronize());
  int mismatches = compareTile(what, d, K);
  OK(cudaFree(a));
  OK(cudaFree(b));
  OK(cudaFree(c));
  OK(cudaFree(d));
  return mismatches;
}

void checkMma() {
  int mismatches =
      runLdmatrixMma<__half>("m16n8k16 f32.f16", [](float x) { return __float2half(x); });
  mismatches += runLdmatrixMma<__nv_bfloat16>("m16n8k16 f32.bf16",
                                              [](float x) { return __float2bfloat16(x); });
  __half *a, *b;
  float *c, *d16, *d8;
  OK(cudaMallocManaged(&a, M * K * sizeof(__half)));
  OK(cudaMallocManaged(&b, K * N * sizeof(__half)));
  OK(cudaMallocManaged(&c, M * N * sizeof(float)));
  OK(cudaMallocManaged(&d16, M * N * sizeof(float)));
  OK(cudaMallocManaged(&d8, M * N * sizeof(float)));
  for (int i = 0; i < M * K; ++i)
    a[i] = __float2half(aValue(i / K, i % K));
  for (int i = 0; i < K * N; ++i)
    b[i] = __float2half(bValue(i / N, i % N));
  for (int i = 0; i < M * N; ++i)
    c[i] = cValue(i / N, i % N);
  mmaDirectKernel<<<1, 32>>>(a, b, c, d16, d8);
  OK(cudaDeviceSynchronize());
  mismatches += compareTile("m16n8k16 f16.f16", d16, K);
  mismatches += compareTile("m16n8k8 f32.f16", d8, 8);
  REQUIRE(mismatches == 0);
  std::printf("mma ok\n");
}

// --- fp8 ------------------------------------------------------------------------------------

struct Fp8 {
  int mantissa, bias;
  bool e5m2;
};
constexpr Fp8 kE4M3{3, 7, false}, kE5M2{2, 15, true};

// The value a code stands for, from the format's definition; NaN for NaN codes, infinity for
// e5m2's infinities.
double decode(const Fp8& f, unsigned code) {
  int sign = code >> 7, exponent = (code >> f.mantissa) & ((1 << (7 - f.mantissa)) - 1);
  int fraction = code & ((1 << f.mantissa) - 1), top = (1 << (7 - f.mantissa)) - 1;
  double magnitude;
  if (f.e5m2 && exponent == top)
    magnitude = fraction ? NAN : INFINITY;
  else if (!f.e5m2 && exponent == top && fraction == (1 << f.mantissa) - 1)
    magnitude = NAN;
  else if (exponent == 0)
    magnitude = std::ldexp(fraction, 1 - f.bias - f.mantissa);
  else
    magnitude = std::ldexp(fraction + (1 << f.mantissa), exponent - f.bias - f.mantissa);
  return sign ? -magnitude : magnitude;
}

// cvt.rn.satfinite: the nearest finite code (ties to the even code); NaN to 0x7f.
unsigned encode(const Fp8& f, double x, bool relu) {
  if (std::isnan(x))
    return 0x7f;
  if (relu && (x < 0 || std::signbit(x)))
    x = 0; // -0 too: an H200 turns it into +0
  // .satfinite: magnitudes beyond the largest finite value (infinities too) become it.
  double largest = 0;
  for (unsigned code = 0; code < 128; ++code)
    if (std::isfinite(decode(f, code)))
      largest = std::fmax(largest, decode(f, code));
  if (std::fabs(x) > largest)
    x = std::copysign(largest, x);
  unsigned best = 0;
  double bestDistance = INFINITY;
  for (unsigned code = 0; code < 128; ++code) {
    double v = decode(f, code);
    if (!std::isfinite(v))
      continue;
    double distance = std::fabs(std::fabs(x) - v);
    if (distance < bestDistance || (distance == bestDistance && code % 2 == 0)) {
      best = code;
      bestDistance = distance;
    }
  }
  return best | (std::signbit(x) ? 0x80 : 0);
}

__global__ void fp8Kernel(const float* in, int n, unsigned short* e4m3, unsigned short* e5m2,
                          unsigned short* e4m3Relu, unsigned short* fromHalves, float* back) {
#if __CUDA_ARCH__ >= 890
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  float hi = in[i], lo = in[(i + 1) % n];
  unsigned short r;
  asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(r) : "f"(hi), "f"(lo));
  e4m3[i] = r;
  asm("cvt.rn.satfinite.e5m2x2.f32 %0, %1, %2;" : "=h"(r) : "f"(hi), "f"(lo));
  e5m2[i] = r;
  asm("cvt.rn.satfinite.relu.e4m3x2.f32 %0, %1, %2;" : "=h"(r) : "f"(hi), "f"(lo));
  e4m3Relu[i] = r;
  unsigned halves = pack(__float2half_rn(lo), __float2half_rn(hi));
  asm("cvt.rn.satfinite.e5m2x2.f16x2 %0, %1;" : "=h"(r) : "r"(halves));
  fromHalves[i] = r;
  // Every code pair back to f16x2: byte i%256 in the low half, its complement in the high.
  unsigned short codes = static_cast<unsigned short>((i & 0xff) | ((~i & 0xff) << 8));
  unsigned pairs[2];
  asm("cvt.rn.f16x2.e4m3x2 %0, %1;" : "=r"(pairs[0]) : "h"(codes));
  asm("cvt.rn.f16x2.e5m2x2 %0, %1;" : "=r"(pairs[1]) : "h"(codes));
  for (int j = 0; j < 2; ++j) {
    __half2 pair;
    std::memcpy(&pair, &pairs[j], 4);
    back[4 * i + 2 * j] = __low2float(pair);
    back[4 * i + 2 * j + 1] = __high2float(pair);
  }
#endif
}

// Ties, subnormals, the largest finite values and beyond, infinities, NaN, then random values.
std::vector<float> edgeInputs(std::initializer_list<float> specific) {
  std::vector<float> in(specific);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> exponent(-24, 18);
  std::uniform_real_distribution<float> fraction(-2.0f, 2.0f);
  while (in.size() < 4096)
    in.push_back(std::ldexp(fraction(rng), exponent(rng)));
  return in;
}

bool sameValue(double want, float got) {
  return std::isnan(want) ? std::isnan(got)
                          : want == got && std::signbit(want) == std::signbit(got);
}

void checkFp8() {
  std::vector<float> in = edgeInputs(
      {0.0f,       -0.0f,     1.0f,      -1.0f,     1.0625f,  1.1875f,  -1.0625f, 448.0f,
       449.0f,     464.0f,    465.0f,    480.0f,    -500.0f,  57344.0f, 61439.0f, 61440.0f,
       1e9f,       -1e9f,     INFINITY,  -INFINITY, NAN,      0x1p-9f,  0x1p-10f, 0x3p-10f,
       0x5p-11f,   0x1p-6f,   0x0.fp-6f, 0x1p-16f,  0x1p-17f, 0x3p-17f, 0x1p-14f, 0x1p-149f,
       -0x1p-149f, 0x1p-126f, 240.0f,    248.0f,    0x1.2p0f, 0x1.3p0f});
  int n = static_cast<int>(in.size());
  float *dIn, *back;
  unsigned short *e4m3, *e5m2, *e4m3Relu, *fromHalves;
  OK(cudaMallocManaged(&dIn, n * sizeof(float)));
  OK(cudaMallocManaged(&back, 4 * n * sizeof(float)));
  for (auto** p : {&e4m3, &e5m2, &e4m3Relu, &fromHalves})
    OK(cudaMallocManaged(p, n * sizeof(unsigned short)));
  std::memcpy(dIn, in.data(), n * sizeof(float));
  fp8Kernel<<<(n + 127) / 128, 128>>>(dIn, n, e4m3, e5m2, e4m3Relu, fromHalves, back);
  OK(cudaDeviceSynchronize());
  int mismatches = 0, checked = 0;
  auto check = [&](const char* what, int i, unsigned got, unsigned want) {
    ++checked;
    if (got != want && ++mismatches <= 10)
      std::printf("%s of (%a, %a): got %04x, expected %04x\n", what, in[i], in[(i + 1) % n], got,
                  want);
  };
  for (int i = 0; i < n; ++i) {
    float hi = in[i], lo = in[(i + 1) % n];
    auto pair = [&](const Fp8& f, double h, double l, bool relu) {
      return encode(f, h, relu) << 8 | encode(f, l, relu);
    };
    check("e4m3x2", i, e4m3[i], pair(kE4M3, hi, lo, false));
    check("e5m2x2", i, e5m2[i], pair(kE5M2, hi, lo, false));
    check("relu e4m3x2", i, e4m3Relu[i], pair(kE4M3, hi, lo, true));
    // From f16x2: the f32 rounded to f16 first (host conversion, nearest even).
    check("e5m2x2 from f16x2", i, fromHalves[i],
          pair(kE5M2, __half2float(__float2half_rn(hi)), __half2float(__float2half_rn(lo)), false));
    unsigned codes[2] = {unsigned(i & 0xff), unsigned(~i & 0xff)};
    for (int j = 0; j < 2; ++j)
      for (int h = 0; h < 2; ++h) {
        double want = decode(j ? kE5M2 : kE4M3, codes[h]);
        float got = back[4 * i + 2 * j + h];
        ++checked;
        if (!sameValue(want, got) && ++mismatches <= 10)
          std::printf("%s code %02x: got %a, expected %a\n", j ? "e5m2" : "e4m3", codes[h], got,
                      want);
      }
  }
  REQUIRE(mismatches == 0);
  std::printf("fp8: 0 mismatches in %d results\n", checked);
  for (void* p :
       {(void*)dIn, (void*)back, (void*)e4m3, (void*)e5m2, (void*)e4m3Relu, (void*)fromHalves})
    OK(cudaFree(p));
}

// --- tf32 -----------------------------------------------------------------------------------

enum Tf32Form { Rna, RnaSatfinite, Rn, Rz, RnRelu, Tf32Forms };

__global__ void tf32Kernel(const float* in, int n, unsigned* out) {
#if __CUDA_ARCH__ >= 900
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  float x = in[i];
  unsigned r[Tf32Forms];
  asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r[Rna]) : "f"(x));
  asm("cvt.rna.satfinite.tf32.f32 %0, %1;" : "=r"(r[RnaSatfinite]) : "f"(x));
  asm("cvt.rn.tf32.f32 %0, %1;" : "=r"(r[Rn]) : "f"(x));
  asm("cvt.rz.tf32.f32 %0, %1;" : "=r"(r[Rz]) : "f"(x));
  asm("cvt.rn.relu.tf32.f32 %0, %1;" : "=r"(r[RnRelu]) : "f"(x));
  for (int f = 0; f < Tf32Forms; ++f)
    out[i * Tf32Forms + f] = r[f];
#endif
}

// The two tf32 values around x (truncated and one unit further from zero), then the choice.
unsigned tf32Reference(float x, Tf32Form form) {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  // NaN as an H200 converts it: .rna the quiet NaN, .rz and .relu the canonical NaN truncated.
  if (std::isnan(x))
    return form == Rna ? 0x7fc00000 : form == Rz || form == RnRelu ? 0x7fffe000 : 0x7fffffff;
  if (form == RnRelu && x < 0)
    return 0;
  uint32_t down = bits & ~0x1fffu, up = down + 0x2000;
  float lo, hiBits;
  std::memcpy(&lo, &down, 4);
  std::memcpy(&hiBits, &up, 4);
  // Past the largest finite value, the next step up would be 2^128.
  double hi = std::isinf(hiBits) ? std::copysign(0x1p128, x) : double(hiBits);
  uint32_t result = down;
  if (form != Rz && std::isfinite(x)) {
    double dLo = std::fabs(double(x) - lo), dHi = std::fabs(hi - x);
    bool tie = dLo == dHi;
    bool toUp = dHi < dLo || (tie && (form == Rna || form == RnaSatfinite || (up & 0x2000) == 0));
    if (bits == down)
      toUp = false;
    result = toUp ? up : down;
  }
  bool saturating = form == RnaSatfinite;
  if (saturating && (result & 0x7fffffff) == 0x7f800000)
    result = (bits & 0x80000000) | 0x7f7fe000;
  return result;
}

void checkTf32() {
  std::vector<float> in = edgeInputs({0.0f,          -0.0f,
                                      1.0f,          -1.0f,
                                      0x1.001p0f,    0x1.003p0f,
                                      0x1.0018p0f,   -0x1.001p0f,
                                      0x1.fffp0f,    0x1.ffeffep127f,
                                      0x1.fff8p127f, 0x1.fffp127f,
                                      0x1.ffep127f,  -0x1.fffp127f,
                                      INFINITY,      -INFINITY,
                                      NAN,           0x1p-149f,
                                      0x1p-137f,     0x3p-137f,
                                      0x1.ffcp-127f, 0x1.fffffep-127f,
                                      0x1.fffffcp-1f});
  int n = static_cast<int>(in.size());
  float* dIn;
  unsigned* out;
  OK(cudaMallocManaged(&dIn, n * sizeof(float)));
  OK(cudaMallocManaged(&out, n * Tf32Forms * sizeof(unsigned)));
  std::memcpy(dIn, in.data(), n * sizeof(float));
  tf32Kernel<<<(n + 127) / 128, 128>>>(dIn, n, out);
  OK(cudaDeviceSynchronize());
  static const char* names[] = {"rna", "rna.satfinite", "rn", "rz", "rn.relu"};
  int mismatches = 0;
  for (int i = 0; i < n; ++i)
    for (int f = 0; f < Tf32Forms; ++f) {
      unsigned want = tf32Reference(in[i], Tf32Form(f)), got = out[i * Tf32Forms + f];
      if (got != want && ++mismatches <= 10)
        std::printf("cvt.%s.tf32.f32 %a: got %08x, expected %08x\n", names[f], in[i], got, want);
    }
  REQUIRE(mismatches == 0);
  std::printf("tf32: 0 mismatches in %d results\n", n * Tf32Forms);
  OK(cudaFree(dIn));
  OK(cudaFree(out));
}

} // namespace

int main(int argc, char** argv) {
  std::string_view what = argc > 1 ? argv[1] : "";
  if (what == "ldmatrix")
    checkLdmatrix();
  else if (what == "mma")
    checkMma();
  else if (what == "fp8")
    checkFp8();
  else if (what == "tf32")
    checkTf32();
  else {
    std::printf("usage: tensor_ops {ldmatrix|mma|fp8|tf32}\n");
    return 2;
  }
  return 0;
}

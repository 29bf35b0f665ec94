// CUDA's wmma API, which nvcc turns into wmma.load/mma/store: one warp computes D = A B + C.
// A is M x K, B is K x N, C and D are M x N; every matrix sits in memory with a leading
// dimension 16 elements longer than its rows or columns, so the loads' stride operand counts.
#include <cuda_bf16.h>
#include <mma.h>

using namespace nvcuda;

constexpr int kPad = 16;

template <typename Layout> constexpr bool kRowMajor = false;
template <> constexpr bool kRowMajor<wmma::row_major> = true;

// `storeColumns` stores D column-major.
template <int M, int N, int K, typename In, typename Acc, typename ALayout, typename BLayout>
__device__ void product(const In* a, const In* b, const Acc* c, Acc* d, bool scale,
                        bool storeColumns) {
  wmma::fragment<wmma::matrix_a, M, N, K, In, ALayout> fa;
  wmma::fragment<wmma::matrix_b, M, N, K, In, BLayout> fb;
  wmma::fragment<wmma::accumulator, M, N, K, Acc> fc;
  wmma::load_matrix_sync(fa, a, (kRowMajor<ALayout> ? K : M) + kPad);
  wmma::load_matrix_sync(fb, b, (kRowMajor<BLayout> ? N : K) + kPad);
  wmma::load_matrix_sync(fc, c, N + kPad, wmma::mem_row_major);
  if (scale)
    for (int i = 0; i < fa.num_elements; ++i)
      fa.x[i] = fa.x[i] + fa.x[i];
  wmma::mma_sync(fc, fa, fb, fc);
  wmma::store_matrix_sync(d, fc, (storeColumns ? M : N) + kPad,
                          storeColumns ? wmma::mem_col_major : wmma::mem_row_major);
}

using Row = wmma::row_major;
using Col = wmma::col_major;

// Each kernel doubles A's fragment first when `scale` is set (element-wise fragment code).
#define PRODUCT(NAME, M, N, K, IN, ACC, A_LAYOUT, B_LAYOUT, STORE_COLUMNS)                         \
  extern "C" __global__ void NAME(const IN* a, const IN* b, const ACC* c, ACC* d, bool scale) {    \
    product<M, N, K, IN, ACC, A_LAYOUT, B_LAYOUT>(a, b, c, d, scale, STORE_COLUMNS);               \
  }
PRODUCT(wmma_f16_m16n16k16, 16, 16, 16, half, float, Row, Col, false)
PRODUCT(wmma_f16_m32n8k16_f16, 32, 8, 16, half, half, Col, Row, true)
PRODUCT(wmma_f16_m8n32k16, 8, 32, 16, half, float, Row, Row, true)
PRODUCT(wmma_bf16_m32n8k16, 32, 8, 16, __nv_bfloat16, float, Row, Col, false)
PRODUCT(wmma_bf16_m8n32k16, 8, 32, 16, __nv_bfloat16, float, Col, Col, false)
PRODUCT(wmma_s8_m16n16k16, 16, 16, 16, signed char, int, Row, Col, false)
PRODUCT(wmma_u8_m32n8k16, 32, 8, 16, unsigned char, int, Col, Row, true)

// tf32 fragments load f32 and are rounded with __float_to_tf32 (cvt.rna.tf32.f32) first.
extern "C" __global__ void wmma_tf32_m16n16k8(const float* a, const float* b, const float* c,
                                              float* d) {
  wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, Row> fa;
  wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, Col> fb;
  wmma::fragment<wmma::accumulator, 16, 16, 8, float> fc;
  wmma::load_matrix_sync(fa, a, 8 + kPad);
  wmma::load_matrix_sync(fb, b, 8 + kPad);
  wmma::load_matrix_sync(fc, c, 16 + kPad, wmma::mem_row_major);
  for (int i = 0; i < fa.num_elements; ++i)
    fa.x[i] = wmma::__float_to_tf32(fa.x[i]);
  for (int i = 0; i < fb.num_elements; ++i)
    fb.x[i] = wmma::__float_to_tf32(fb.x[i]);
  wmma::mma_sync(fc, fa, fb, fc);
  wmma::store_matrix_sync(d, fc, 16 + kPad, wmma::mem_row_major);
}

// PTX forms nvcc emits that have no clang builtin: nvcc's own PTX for warpSize, and inline PTX
// for the rest. Built only as PTX (clang's NVVM IR would keep the inline PTX opaque).
#include <cstdint>

// nvcc writes warpSize as PTX's predefined constant WARP_SZ.
extern "C" __global__ void warp_size(int* out) {
  out[threadIdx.x] = warpSize;
}

// mad.hi.sat.s32 d, a, b, c: the high word of a*b plus c, clamped to the s32 range.
extern "C" __global__ void mad_hi_sat(const int* a, const int* b, const int* c, int* out) {
  int i = threadIdx.x, d;
  asm("mad.hi.sat.s32 %0, %1, %2, %3;" : "=r"(d) : "r"(a[i]), "r"(b[i]), "r"(c[i]));
  out[i] = d;
}

// Every named prmt mode with selector c = thread index (the modes read c[1:0]).
#define PRMT(MODE, SLOT)                                                                           \
  asm("prmt.b32." #MODE " %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));                    \
  out[6 * c + SLOT] = d;
extern "C" __global__ void prmt_modes(unsigned a, unsigned b, unsigned* out) {
  unsigned c = threadIdx.x, d;
  PRMT(f4e, 0)
  PRMT(b4e, 1)
  PRMT(rc8, 2)
  PRMT(ecl, 3)
  PRMT(ecr, 4)
  PRMT(rc16, 5)
}

// Integer to f32 and f64 rounded toward zero, -inf and +inf: cvt.{rz,rm,rp}.{f32,f64}.{s,u}{32,64}.
extern "C" __global__ void cvt_directed_integer(const long long* in, float* f, double* d) {
  long long x = in[threadIdx.x];
  float* o = f + 12 * threadIdx.x;
  o[0] = __int2float_rz(int(x)), o[1] = __int2float_rd(int(x)), o[2] = __int2float_ru(int(x));
  o[3] = __uint2float_rz(unsigned(x)), o[4] = __uint2float_rd(unsigned(x)),
  o[5] = __uint2float_ru(unsigned(x));
  o[6] = __ll2float_rz(x), o[7] = __ll2float_rd(x), o[8] = __ll2float_ru(x);
  o[9] = __ull2float_rz(x), o[10] = __ull2float_rd(x), o[11] = __ull2float_ru(x);
  double* p = d + 3 * threadIdx.x;
  p[0] = __ll2double_rz(x), p[1] = __ll2double_rd(x), p[2] = __ull2double_ru(x);
}

// f32 to f16 and bf16 rounded toward zero, -inf and +inf, and cvt.rn.relu to f16 and bf16.
extern "C" __global__ void cvt_directed_half(const float* in, unsigned short* out) {
  float x = in[threadIdx.x];
  unsigned short* o = out + 8 * threadIdx.x;
  asm("cvt.rz.f16.f32 %0, %1;" : "=h"(o[0]) : "f"(x));
  asm("cvt.rm.f16.f32 %0, %1;" : "=h"(o[1]) : "f"(x));
  asm("cvt.rp.f16.f32 %0, %1;" : "=h"(o[2]) : "f"(x));
  asm("cvt.rz.bf16.f32 %0, %1;" : "=h"(o[3]) : "f"(x));
  asm("cvt.rm.bf16.f32 %0, %1;" : "=h"(o[4]) : "f"(x));
  asm("cvt.rp.bf16.f32 %0, %1;" : "=h"(o[5]) : "f"(x));
  asm("cvt.rn.relu.f16.f32 %0, %1;" : "=h"(o[6]) : "f"(x));
  asm("cvt.rn.relu.bf16.f32 %0, %1;" : "=h"(o[7]) : "f"(x));
}

// Packed f16x2/bf16x2 comparisons: each half compared on its own, the low half first.
extern "C" __global__ void packed_compare(const unsigned* a, const unsigned* b, unsigned* out) {
  unsigned x = a[threadIdx.x], y = b[threadIdx.x], *o = out + 6 * threadIdx.x;
  asm("{ .reg .pred p, q; setp.lt.f16x2 p|q, %2, %3; selp.u32 %0, 1, 0, p; selp.u32 %1, 1, 0, q; }"
      : "=r"(o[0]), "=r"(o[1])
      : "r"(x), "r"(y));
  asm("set.ge.f16x2.f16x2 %0, %1, %2;" : "=r"(o[2]) : "r"(x), "r"(y));
  asm("set.equ.u32.f16x2 %0, %1, %2;" : "=r"(o[3]) : "r"(x), "r"(y));
  asm("set.gt.u32.bf16x2 %0, %1, %2;" : "=r"(o[4]) : "r"(x), "r"(y));
  // .and combines each half with c (false here): both halves false.
  asm("{ .reg .pred p, q, c; setp.ne.u32 c, %1, %1; setp.neu.bf16x2.and p|q, %1, %2, c;"
      " selp.u32 %0, 1, 0, p; @q or.b32 %0, %0, 2; }"
      : "=r"(o[5])
      : "r"(x), "r"(y));
}

// Packed half transcendentals: tanh.approx on f16, f16x2 and bf16x2, ex2.approx.ftz on bf16x2.
extern "C" __global__ void packed_transcendentals(const unsigned* in, unsigned* out) {
  unsigned x = in[threadIdx.x], *o = out + 4 * threadIdx.x;
  unsigned short h = x & 0xffff, t;
  asm("tanh.approx.f16 %0, %1;" : "=h"(t) : "h"(h));
  o[0] = t;
  asm("tanh.approx.f16x2 %0, %1;" : "=r"(o[1]) : "r"(x));
  asm("tanh.approx.bf16x2 %0, %1;" : "=r"(o[2]) : "r"(x));
  asm("ex2.approx.ftz.bf16x2 %0, %1;" : "=r"(o[3]) : "r"(x));
}

// Ordered vector accesses, as CUB's decoupled look-back writes and reads its tile states.
extern "C" __global__ void ordered_vectors(unsigned long long* states, unsigned* words) {
  unsigned long long status = 0x100 + threadIdx.x, value = 0xabcdef00000000ull + threadIdx.x, s, v;
  asm volatile("st.relaxed.gpu.global.v2.u64 [%0], {%1, %2};" ::"l"(states + 2 * threadIdx.x),
               "l"(status), "l"(value)
               : "memory");
  asm volatile("ld.relaxed.gpu.global.v2.u64 {%0, %1}, [%2];"
               : "=l"(s), "=l"(v)
               : "l"(states + 2 * threadIdx.x)
               : "memory");
  unsigned a, b, c, d;
  asm volatile("ld.acquire.gpu.global.v4.u32 {%0, %1, %2, %3}, [%4];"
               : "=r"(a), "=r"(b), "=r"(c), "=r"(d)
               : "l"(states + 2 * threadIdx.x)
               : "memory");
  states[64 + 2 * threadIdx.x] = v, states[65 + 2 * threadIdx.x] = s;
  words[4 * threadIdx.x] = a, words[4 * threadIdx.x + 1] = b, words[4 * threadIdx.x + 2] = c,
            words[4 * threadIdx.x + 3] = d;
}

// bmsk in both modes for (a, b) pairs (CUB's radix sort uses bmsk.clamp).
extern "C" __global__ void bit_masks(const unsigned* a, const unsigned* b, unsigned* out) {
  unsigned i = threadIdx.x;
  asm("bmsk.clamp.b32 %0, %1, %2;" : "=r"(out[2 * i]) : "r"(a[i]), "r"(b[i]));
  asm("bmsk.wrap.b32 %0, %1, %2;" : "=r"(out[2 * i + 1]) : "r"(a[i]), "r"(b[i]));
}

// sm_90 code outside clusters: elect.sync, proxy fences, grid-dependency control and the cluster
// special registers of a launch without clusters.
extern "C" __global__ void sm90_without_clusters(unsigned* out) {
  unsigned leader = 99, elected = 0, *o = out + 16 * (blockIdx.x * blockDim.x + threadIdx.x);
  asm volatile("griddepcontrol.wait;" ::: "memory");
  if (threadIdx.x % 32 >= 4) // membermask names exactly the lanes that execute it
    asm volatile("{ .reg .pred p; elect.sync %0|p, %2; selp.u32 %1, 1, 0, p; }"
                 : "=r"(leader), "=r"(elected)
                 : "r"(0xfffffff0u));
  o[0] = leader, o[1] = elected;
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
  asm volatile("fence.proxy.alias;" ::: "memory");
  asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  asm("mov.u32 %0, %%cluster_ctarank;" : "=r"(o[2]));
  asm("mov.u32 %0, %%cluster_nctarank;" : "=r"(o[3]));
  asm("mov.u32 %0, %%cluster_ctaid.x;" : "=r"(o[4]));
  asm("mov.u32 %0, %%cluster_nctaid.y;" : "=r"(o[5]));
  asm("mov.u32 %0, %%clusterid.x;" : "=r"(o[6]));
  asm("mov.u32 %0, %%nclusterid.x;" : "=r"(o[7]));
  asm("mov.u32 %0, %%clusterid.y;" : "=r"(o[8]));
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
}

// stmatrix of fragments built by the PTX ISA's layout: lane l holds row l/4, columns 2(l%4) and
// 2(l%4)+1 of matrix j in register j, with element (j, r, c) = 64j + 8r + c.
extern "C" __global__ void store_matrices(unsigned short* plain, unsigned short* transposed,
                                          unsigned short* single) {
  __shared__ unsigned short a[256], t[256], s[64];
  unsigned l = threadIdx.x, r = l / 4, c = 2 * (l % 4), held[4];
  for (unsigned j = 0; j < 4; ++j)
    held[j] = (64 * j + 8 * r + c) | (64 * j + 8 * r + c + 1) << 16;
  // Lane 8j + i gives row i of matrix j.
  unsigned rowA = unsigned(__cvta_generic_to_shared(&a[8 * l]));
  unsigned rowT = unsigned(__cvta_generic_to_shared(&t[8 * l]));
  unsigned rowS = unsigned(__cvta_generic_to_shared(&s[8 * (l % 8)]));
  asm volatile("stmatrix.sync.aligned.m8n8.x4.shared.b16 [%0], {%1, %2, %3, %4};" ::"r"(rowA),
               "r"(held[0]), "r"(held[1]), "r"(held[2]), "r"(held[3])
               : "memory");
  asm volatile("stmatrix.sync.aligned.m8n8.x4.trans.shared.b16 [%0], {%1, %2, %3, %4};" ::"r"(rowT),
               "r"(held[0]), "r"(held[1]), "r"(held[2]), "r"(held[3])
               : "memory");
  asm volatile("stmatrix.sync.aligned.m8n8.x1.shared.b16 [%0], {%1};" ::"r"(rowS), "r"(held[2])
               : "memory");
  __syncwarp();
  for (unsigned i = l; i < 256; i += 32)
    plain[i] = a[i], transposed[i] = t[i];
  for (unsigned i = l; i < 64; i += 32)
    single[i] = s[i];
}

// movmatrix.trans on a fragment in ldmatrix's layout, with element (r, c) = 8r + c + 100.
extern "C" __global__ void transpose_fragment(unsigned* out) {
  unsigned l = threadIdx.x, r = l / 4, c = 2 * (l % 4),
           held = (8 * r + c + 100) | (8 * r + c + 101) << 16, t;
  asm volatile("movmatrix.sync.aligned.m8n8.trans.b16 %0, %1;" : "=r"(t) : "r"(held));
  out[l] = t;
}

// The registers a launch sets: the shared memory sizes and the driver's environment registers.
extern "C" __global__ void launch_registers(unsigned* out) {
  __shared__ unsigned staticWords[75]; // 300 bytes
  extern __shared__ unsigned dynamicWords[];
  staticWords[threadIdx.x] = threadIdx.x;
  dynamicWords[threadIdx.x] = staticWords[threadIdx.x] + 1;
  unsigned* o = out + 8 * threadIdx.x;
  asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(o[0]));
  asm("mov.u32 %0, %%total_smem_size;" : "=r"(o[1]));
  asm("mov.u32 %0, %%envreg0;" : "=r"(o[2]));
  asm("mov.u32 %0, %%envreg1;" : "=r"(o[3]));
  asm("mov.u32 %0, %%envreg2;" : "=r"(o[4]));
  asm("mov.u32 %0, %%envreg31;" : "=r"(o[5]));
  o[6] = dynamicWords[threadIdx.x];
}

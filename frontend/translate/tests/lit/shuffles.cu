// Warp shuffles and votes: HIP before 7.0 has no *_sync forms, so the mask is dropped and reported
// when it is not the full mask; HIP 7.0 keeps the calls, with the 64-bit masks it requires.
// RUN: %drawbridge translate %s 2>%t.err | %strip-checks | FileCheck %s
// RUN: FileCheck --check-prefix=DIAG %s < %t.err
// RUN: %drawbridge translate %s --offload-arch gfx1100 2>&1 >/dev/null | FileCheck --check-prefix=WAVE32 %s
// RUN: %drawbridge translate %s --hip-version 7.0 --offload-arch gfx1100 | %strip-checks | FileCheck --check-prefix=HIP70 %s
// RUN: %drawbridge translate %s --hip-version 7.0 --offload-arch gfx1100 -o %t.once.cu
// RUN: %drawbridge translate %t.once.cu --hip-version 7.0 --offload-arch gfx1100 -o %t.twice.cu
// RUN: diff %t.once.cu %t.twice.cu

#define FULL 0xffffffffu

__device__ float reduce(float v, unsigned mask) {
  // CHECK: v += __shfl_xor(v, 16);
  // HIP's *_sync take 64-bit masks only: full masks become the 64-bit full mask, others are cast.
  // HIP70: v += __shfl_xor_sync(0xffffffffffffffffull, v, 16);
  v += __shfl_xor_sync(0xffffffff, v, 16);
  // CHECK-NEXT: v += __shfl_down(v, 8, 16);
  // HIP70-NEXT: v += __shfl_down_sync(0xffffffffffffffffull, v, 8, 16);
  v += __shfl_down_sync(FULL, v, 8, 16);
  // CHECK-NEXT: v += __shfl_up( v,  1);
  // HIP70-NEXT: v += __shfl_up_sync( static_cast<unsigned long long>(mask) , v,  1);
  v += __shfl_up_sync( mask , v,  1);
  // CHECK-NEXT: v = __shfl(v, 0);
  // HIP70-NEXT: v = __shfl_sync(__activemask(), v, 0);
  v = __shfl_sync(__activemask(), v, 0);
  // CHECK-NEXT: __builtin_amdgcn_wave_barrier();
  __syncwarp();
  // CHECK-NEXT: __builtin_amdgcn_wave_barrier();
  __syncwarp(mask);
  // CHECK-NEXT: if (__any(v > 0) && !__all(v < 0))
  // HIP70: if (__any_sync(0xffffffffffffffffull, v > 0) && !__all_sync(0xffffffffffffffffull, v < 0))
  if (__any_sync(~0u, v > 0) && !__all_sync(FULL, v < 0))
    // CHECK-NEXT: return __ballot(v > 1);
    // HIP70-NEXT: return __ballot_sync(0xffffffffffffffffull, v > 1);
    return __ballot_sync(0xFFFFFFFF, v > 1);
  return v;
}

// DIAG: shuffles.cu:17:24: note: mask '0xffffffff' names 32 lanes but a gfx90a wavefront has 64; the HIP call spans all 64 lanes [DBT005]
// DIAG: shuffles.cu:20:25: note: mask 'FULL' names 32 lanes
// DIAG: shuffles.cu:23:24: warning: warp mask 'mask' dropped: HIP 5.2 has no __shfl_up_sync, and its replacement involves every lane of the wavefront; make sure the lanes outside the mask are active and agree, or guard the call [DBT004]
// DIAG: shuffles.cu:30:14: warning: warp mask 'mask' dropped: HIP 5.2 has no __syncwarp
// DIAG-NOT: mask '~0u'
// DIAG: shuffles.cu:33:45: note: mask 'FULL'
// DIAG: shuffles.cu:36:26: note: mask '0xFFFFFFFF' {{.*}}[DBT005]{{$}}
// DIAG-NOT: DBT

// On a 32-lane target only the dropped masks are reported.
// WAVE32-NOT: DBT005
// WAVE32: warp mask 'mask' dropped
// WAVE32-NOT: DBT005

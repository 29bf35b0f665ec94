// Code that assumes 32-lane warps is reported for 64-lane targets (gfx9) and not for wave32 ones.
// RUN: %drawbridge translate %s --offload-arch gfx90a 2>&1 >/dev/null | FileCheck %s
// RUN: %drawbridge translate %s --offload-arch gfx1100 2>&1 >/dev/null | FileCheck --allow-empty --check-prefix=WAVE32 %s
// WAVE32-NOT: DBT

// CHECK: warp-size.cu:[[@LINE+1]]:9: warning: macro WARP_SIZE fixes the warp size at 32, but a gfx90a wavefront has 64 lanes; use warpSize, or keep 32 only where the code means 32-lane groups [DBT007]
#define WARP_SIZE 32
// CHECK: warp-size.cu:[[@LINE+1]]:15: warning: kWarpSize fixes the warp size at 32
constexpr int kWarpSize = 32;

__global__ void k(float* out, float v) {
  // CHECK: warp-size.cu:[[@LINE+1]]:26: warning: lane index computed for 32-lane warps, but a gfx90a wavefront has 64 lanes; write it with warpSize (x % warpSize) unless 32-lane groups are meant [DBT006]
  int lane = threadIdx.x & 31;
  // CHECK: warp-size.cu:[[@LINE+1]]:26: warning: warp index computed for 32-lane warps
  int warp = threadIdx.x / 32;
  // CHECK: warp-size.cu:[[@LINE+1]]:20: warning: lane index computed
  int other = lane % 32;
  // CHECK: warp-size.cu:[[@LINE+1]]:16: warning: shuffle loop starts at offset 16, which reduces over 32 lanes; a gfx90a wavefront has 64: start at warpSize / 2 to cover it, or keep 16 if the code works in 32-lane groups [DBT008]
  for (int o = 16; o > 0; o /= 2)
    v += __shfl_down(v, o);
  // Not about lanes: no report.
  int rows = blockDim.y / 32 + other;
  for (int o = warpSize / 2; o > 0; o /= 2)
    v += __shfl_down(v, o);
  out[warp * rows] = v;
}
// CHECK-NOT: DBT

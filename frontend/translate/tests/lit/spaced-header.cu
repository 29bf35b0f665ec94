// nvcc's spaced launch in a project header: clang still parses the unit (no DBT012) and the
// header comes out with <<< >>>.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %drawbridge translate %s -I%S/Inputs/spaced --out-dir %t/out 2>&1 | FileCheck --allow-empty --check-prefix=DIAG %s
// DIAG-NOT: DBT012
// RUN: FileCheck %s < %t/out/Inputs/spaced/launch.cuh
// CHECK: inline void launchFill(float* p) { fill <<<1, 32 >>> (p); }
#include "launch.cuh"

int main() {
  float* p;
  cudaMalloc(&p, 32 * sizeof(float));
  launchFill(p);
  return 0;
}

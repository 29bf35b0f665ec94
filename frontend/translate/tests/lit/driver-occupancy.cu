// The driver's block-size occupancy calls take a blockSizeToDynamicSMemSize callback that HIP's
// module forms lack: a null callback is dropped, any other is reported (HIP would size every
// block's shared memory with dynamicSMemSize and answer for another kernel configuration).
// RUN: not %drawbridge translate %s 2>%t.err | %strip-checks | FileCheck %s
// RUN: FileCheck --check-prefix=DIAG --implicit-check-not=error: %s < %t.err

#include <cuda.h>
#include <cstddef>

#define NO_CALLBACK nullptr
size_t smemForBlock(int blockSize) { return blockSize * 4; }

// DIAG: driver-occupancy.cu:[[@LINE+1]]:26: error: CUoccupancyB2DSize cannot be translated: HIP's occupancy calls take no block-size-to-shared-memory callback; {{.*}} [DBT002]
void pick(CUfunction fn, CUoccupancyB2DSize callback) {
  int grid = 0, block = 0;
  // CHECK: hipModuleOccupancyMaxPotentialBlockSize(&grid, &block, fn, 256, 0);
  cuOccupancyMaxPotentialBlockSize(&grid, &block, fn, 0, 256, 0);
  // CHECK-NEXT: hipModuleOccupancyMaxPotentialBlockSize(&grid, &block, fn, 256, 0);
  cuOccupancyMaxPotentialBlockSize(&grid, &block, fn, NULL, 256, 0);
  // The cast's CUDA type goes with the argument.
  // CHECK: hipModuleOccupancyMaxPotentialBlockSize(&grid, &block, fn, 256, 0);
  cuOccupancyMaxPotentialBlockSize(&grid, &block, fn, (CUoccupancyB2DSize)nullptr, 256, 0);
  // CHECK-NEXT: hipModuleOccupancyMaxPotentialBlockSizeWithFlags(&grid, &block, fn, 256, 1024, hipOccupancyDefault);
  cuOccupancyMaxPotentialBlockSizeWithFlags(&grid, &block, fn, NO_CALLBACK, 256, 1024, CU_OCCUPANCY_DEFAULT);
  // DIAG: driver-occupancy.cu:[[@LINE+2]]:55: error: cuOccupancyMaxPotentialBlockSize with the callback 'smemForBlock' cannot be translated: HIP's hipModuleOccupancyMaxPotentialBlockSize has no blockSizeToDynamicSMemSize callback {{.*}} [DBT002]
  // CHECK-NEXT: cuOccupancyMaxPotentialBlockSize(&grid, &block, fn, smemForBlock, 0, 0);
  cuOccupancyMaxPotentialBlockSize(&grid, &block, fn, smemForBlock, 0, 0);
  // DIAG: driver-occupancy.cu:[[@LINE+2]]:64: error: cuOccupancyMaxPotentialBlockSizeWithFlags with the callback 'callback' cannot be translated
  // CHECK-NEXT: cuOccupancyMaxPotentialBlockSizeWithFlags(&grid, &block, fn, callback, 0, 0, 0);
  cuOccupancyMaxPotentialBlockSizeWithFlags(&grid, &block, fn, callback, 0, 0, 0);
}

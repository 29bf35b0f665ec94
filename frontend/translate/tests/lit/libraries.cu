// cuRAND -> hipRAND, cuFFT -> hipFFT, cuSPARSE -> hipSPARSE, NCCL -> RCCL, CUB -> hipCUB.
// RUN: %drawbridge translate %s | %strip-checks | FileCheck %s
// RUN: %drawbridge translate %s --stats csv 2>&1 >/dev/null | FileCheck --check-prefix=STATS %s

// CHECK: #include <hiprand/hiprand_kernel.h>
#include <curand_kernel.h>
// CHECK-NEXT: #include <hipfft/hipfft.h>
#include <cufft.h>
// CHECK-NEXT: #include <hipsparse/hipsparse.h>
#include <cusparse.h>
// CHECK-NEXT: #include <rccl/rccl.h>
#include <nccl.h>
// CHECK-NEXT: #include <hipcub/hipcub.hpp>
#include <cub/block/block_reduce.cuh>

// CHECK: __global__ void noise(hiprandState_t* states, float* out) {
__global__ void noise(curandState_t* states, float* out) {
  // CHECK-NEXT: hiprand_init(1234, threadIdx.x, 0, &states[threadIdx.x]);
  curand_init(1234, threadIdx.x, 0, &states[threadIdx.x]);
  // CHECK-NEXT: out[threadIdx.x] = hiprand_uniform(&states[threadIdx.x]);
  out[threadIdx.x] = curand_uniform(&states[threadIdx.x]);
  // CHECK-NEXT: using Reduce = hipcub::BlockReduce<float, 128>;
  using Reduce = cub::BlockReduce<float, 128>;
}

void host(cufftComplex* data, ncclComm_t comm, float* buf, cudaStream_t s) {
  // CHECK: hipfftHandle plan;
  cufftHandle plan;
  // CHECK-NEXT: hipfftPlan1d(&plan, 256, HIPFFT_C2C, 1);
  cufftPlan1d(&plan, 256, CUFFT_C2C, 1);
  // CHECK-NEXT: hipfftExecC2C(plan, data, data, HIPFFT_BACKWARD);
  cufftExecC2C(plan, data, data, CUFFT_INVERSE);
  // CHECK-NEXT: hipsparseHandle_t sparse;
  cusparseHandle_t sparse;
  // CHECK-NEXT: hipsparseCreate(&sparse);
  cusparseCreate(&sparse);
  // RCCL keeps NCCL's names.
  // CHECK: ncclAllReduce(buf, buf, 16, ncclFloat, ncclSum, comm, s);
  ncclAllReduce(buf, buf, 16, ncclFloat, ncclSum, comm, s);
}

// STATS: runtime,1,0
// STATS: curand,3,0
// STATS: cufft,6,0
// STATS: cusparse,2,0
// STATS: cub,1,0
// STATS: nccl,4,0
// STATS: header,6,0

// Disabled #if blocks are translated too (a later build may enable them), and CUDA's predefined
// macros become HIP's; numeric tests of __CUDA_ARCH__ and CUDART_VERSION are reported.
// RUN: %drawbridge translate %s 2>%t.err | %strip-checks | FileCheck %s
// RUN: FileCheck --check-prefix=DIAG %s < %t.err

// CHECK: #if 0
// CHECK-NEXT: hipStream_t unused;
// CHECK-NEXT: #endif
#if 0
cudaStream_t unused;
#endif

// CHECK: #ifdef __HIPCC__
#ifdef __CUDACC__
// CHECK-NEXT: #define HOST_DEVICE __host__ __device__
#define HOST_DEVICE __host__ __device__
#endif

HOST_DEVICE inline int where() {
// CHECK: #if defined(__HIP_DEVICE_COMPILE__)
#if defined(__CUDA_ARCH__)
  return 1;
// DIAG: disabled-if.cu:[[@LINE+2]]:7: warning: __CUDA_ARCH__ compared with a compute capability: __HIP_DEVICE_COMPILE__ is only 1 on the device side; pick the branch meant for AMD GPUs by hand [DBT009]
// CHECK: #elif __HIP_DEVICE_COMPILE__ >= 800
#elif __CUDA_ARCH__ >= 800
  return 2;
#else
  return 0;
#endif
}

// DIAG: disabled-if.cu:[[@LINE+2]]:5: warning: CUDART_VERSION compared with a CUDA version number: HIP_VERSION counts HIP versions; rewrite the test for HIP [DBT010]
// CHECK: #if HIP_VERSION >= 12000
#if CUDART_VERSION >= 12000
// CHECK-NEXT: #define HAS_GRAPHS 1
#define HAS_GRAPHS 1
#endif

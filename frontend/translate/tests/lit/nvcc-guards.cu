// Portable third-party headers (a formatting library, say) test which compiler runs: nvcc-only
// branches stay nvcc-only (hipcc does not define __NVCC__), __CUDACC__ becomes __HIPCC__, and
// neither is an error.
// RUN: %drawbridge translate %s 2>%t.err | %strip-checks | FileCheck %s
// RUN: FileCheck --check-prefix=DIAG --implicit-check-not=DBT %s < %t.err

// CHECK: #if defined(__NVCC__) && HIP_VERSION_MAJOR < 12
// DIAG: nvcc-guards.cu:[[@LINE+1]]:26: warning: __CUDACC_VER_MAJOR__ compared with a CUDA version number: HIP_VERSION_MAJOR counts HIP versions; rewrite the test for HIP [DBT010]
#if defined(__NVCC__) && __CUDACC_VER_MAJOR__ < 12
#  define FMT_NVCC_WORKAROUND 1
// CHECK: #elif defined(__HIPCC__) && !defined(__NVCC__)
#elif defined(__CUDACC__) && !defined(__NVCC__)
#  define FMT_CLANG_CUDA 1
#endif
// CHECK: #ifdef __NVCC__
#ifdef __NVCC__
#  pragma nv_diag_suppress 186
#endif
int formatted() { return 0; }

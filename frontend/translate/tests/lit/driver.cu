// CUDA driver API -> HIP module API, including names whose HIP form differs.
// RUN: %drawbridge translate %s | %strip-checks | FileCheck %s
// RUN: %drawbridge translate %s | %strip-checks | FileCheck --check-prefix=NONE %s
// NONE-NOT: {{\bcu[A-Z]|CU[a-z_]}}

// CHECK: #include <hip/hip_runtime.h>
#include <cuda.h>

int run(const char* path) {
  // CHECK: hipError_t r = hipInit(0);
  CUresult r = cuInit(0);
  // CHECK-NEXT: hipDevice_t dev;
  CUdevice dev;
  // CHECK-NEXT: hipCtx_t ctx;
  CUcontext ctx;
  // CHECK-NEXT: hipModule_t mod;
  CUmodule mod;
  // CHECK-NEXT: hipFunction_t fn;
  CUfunction fn;
  // CHECK-NEXT: hipDeviceptr_t ptr;
  CUdeviceptr ptr;
  // CHECK-NEXT: hipStream_t s;
  CUstream s;
  // CHECK-NEXT: hipDeviceGet(&dev, 0);
  cuDeviceGet(&dev, 0);
  // CHECK-NEXT: hipDevicePrimaryCtxRetain(&ctx, dev);
  cuDevicePrimaryCtxRetain(&ctx, dev);
  // CHECK-NEXT: hipModuleLoad(&mod, path);
  cuModuleLoad(&mod, path);
  // CHECK-NEXT: hipModuleGetFunction(&fn, mod, "k");
  cuModuleGetFunction(&fn, mod, "k");
  // CHECK-NEXT: hipMalloc(&ptr, 64);
  cuMemAlloc(&ptr, 64);
  // CHECK-NEXT: hipStreamCreateWithFlags(&s, hipStreamDefault);
  cuStreamCreate(&s, CU_STREAM_DEFAULT);
  void* args[] = {&ptr};
  // CHECK: hipModuleLaunchKernel(fn, 1, 1, 1, 64, 1, 1, 0, s, args, nullptr);
  cuLaunchKernel(fn, 1, 1, 1, 64, 1, 1, 0, s, args, nullptr);
  // The driver's occupancy and pointer-attribute calls have module (Drv) forms in HIP; the
  // runtime forms of the same name take other arguments.
  int blocks = 0;
  // CHECK: hipModuleOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, fn, 64, 0);
  cuOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, fn, 64, 0);
  CUpointer_attribute attribute = CU_POINTER_ATTRIBUTE_MEMORY_TYPE;
  unsigned memoryType = 0;
  void* values[] = {&memoryType};
  // CHECK: hipDrvPointerGetAttributes(1, &attribute, values, ptr);
  cuPointerGetAttributes(1, &attribute, values, ptr);
  const char* text = nullptr;
  // The error text comes back through a pointer in CUDA and as the result in HIP 5.2.
  // CHECK: [](hipError_t e_, const char** s_) { *s_ = hipGetErrorString(e_); return hipSuccess; }(r, &text);
  cuGetErrorString(r, &text);
  // CHECK-NEXT: hipFree(ptr);
  cuMemFree(ptr);
  // CHECK-NEXT: return r == hipSuccess;
  return r == CUDA_SUCCESS;
}

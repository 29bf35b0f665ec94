// Driver API: load a module, look a kernel up and launch it with cuLaunchKernel.
#include <cuda.h>

#include <cstdio>

#define CU_CHECK(call)                                                                             \
  do {                                                                                             \
    CUresult status_ = (call);                                                                     \
    if (status_ != CUDA_SUCCESS) {                                                                 \
      const char* text_ = nullptr;                                                                 \
      cuGetErrorString(status_, &text_);                                                           \
      std::fprintf(stderr, "%s\n", text_);                                                         \
      return 1;                                                                                    \
    }                                                                                              \
  } while (0)

int main(int argc, char** argv) {
  CU_CHECK(cuInit(0));
  CUdevice device;
  CU_CHECK(cuDeviceGet(&device, 0));
  int major = 0;
  CU_CHECK(cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device));
  CUcontext context;
  CU_CHECK(cuDevicePrimaryCtxRetain(&context, device));
  CU_CHECK(cuCtxSetCurrent(context));
  CUmodule module;
  CU_CHECK(cuModuleLoad(&module, argc > 1 ? argv[1] : "kernels.ptx"));
  CUfunction kernel;
  CU_CHECK(cuModuleGetFunction(&kernel, module, "scale"));
  CUdeviceptr buffer;
  CU_CHECK(cuMemAlloc(&buffer, 1024 * sizeof(float)));
  CUstream stream;
  CU_CHECK(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));
  float factor = 2.0f;
  void* params[] = {&buffer, &factor};
  CU_CHECK(cuLaunchKernel(kernel, 4, 1, 1, 256, 1, 1, 0, stream, params, nullptr));
  CU_CHECK(cuStreamSynchronize(stream));
  CU_CHECK(cuMemFree(buffer));
  CU_CHECK(cuModuleUnload(module));
  std::printf("compute capability %d\n", major);
  return 0;
}

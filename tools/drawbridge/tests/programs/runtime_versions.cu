// Reports the runtime it runs on, through nothing but the CUDA runtime API: started by
// `drawbridge run`, it must be Drawbridge's (NVIDIA's reports no driver on a GPU-less machine).
#include <cstdio>
#include <cuda_runtime_api.h>

__global__ void unused_kernel(int* p) {
  *p = 1;
}

int main(int argc, char** argv) {
  int runtime = 0, driver = 0;
  cudaRuntimeGetVersion(&runtime);
  cudaError_t status = cudaDriverGetVersion(&driver);
  std::printf("runtime %d driver %d (%s)\n", runtime, driver, cudaGetErrorName(status));
  std::printf("%s: %s\n", cudaGetErrorName(cudaErrorInvalidValue),
              cudaGetErrorString(cudaErrorInvalidValue));
  for (int i = 1; i < argc; ++i)
    std::printf("arg %d: %s\n", i, argv[i]);
  return 3;
}

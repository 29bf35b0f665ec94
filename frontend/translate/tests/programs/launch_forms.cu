// Launch forms that translators get wrong: launches inside macros, inside templates, of template
// kernels with several template arguments, from lambdas, with and without stream arguments.
#include <cuda_runtime.h>

template <typename T, int N>
__global__ void scale(T* p, T factor) {
  p[blockIdx.x * N + threadIdx.x] *= factor;
}

__global__ void noArgs() {}

#define LAUNCH(kernel, grid, block, ...) kernel<<<grid, block>>>(__VA_ARGS__)
#define LAUNCH_ON(stream, kernel, ...) kernel<<<1, 64, 0, stream>>>(__VA_ARGS__)

template <typename T>
void run(T* p, cudaStream_t stream) {
  scale<T, 64><<<dim3(4), dim3(64), 0, stream>>>(p, T(2));
  LAUNCH((scale<T, 64>), 4, 64, p, T(3));
  LAUNCH_ON(stream, noArgs);
}

int main() {
  float* p = nullptr;
  cudaMalloc(&p, 256 * sizeof(float));
  cudaStream_t stream = nullptr;
  run(p, stream);
  auto launcher = [&](int blocks) { scale<float, 64><<<blocks, 64>>>(p, 0.5f); };
  launcher(4);
  noArgs<<<1, 1>>>();
  return cudaStreamSynchronize(stream) == cudaSuccess ? 0 : 1;
}

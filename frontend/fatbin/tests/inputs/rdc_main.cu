extern __device__ float twice(float x);
__global__ void add_one(float* p);

__global__ void double_all(float* p) {
  p[threadIdx.x] = twice(p[threadIdx.x]);
}

int main() {
  float* p = nullptr;
  cudaMalloc(&p, 32 * sizeof(float));
  double_all<<<1, 32>>>(p);
  add_one<<<1, 32>>>(p);
  return cudaDeviceSynchronize() == cudaSuccess ? 0 : 1;
}

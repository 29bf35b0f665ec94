// Separate compilation (-rdc=true): a device function defined here, called from another unit.
__device__ float twice(float x) {
  return 2.0f * x;
}

__global__ void add_one(float* p) {
  p[threadIdx.x] += 1.0f;
}

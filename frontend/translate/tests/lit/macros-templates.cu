// CUDA names inside macro bodies, macro arguments and templates are translated where they are
// written, so every expansion and instantiation gets the HIP name.
// RUN: %drawbridge translate %s | %strip-checks | FileCheck %s

// CHECK: #define CHECK(call) do { if ((call) != hipSuccess) return hipGetLastError(); } while (0)
#define CHECK(call) do { if ((call) != cudaSuccess) return cudaGetLastError(); } while (0)
// CHECK-NEXT: #define ALLOC(p, n) CHECK(hipMalloc(&(p), (n) * sizeof(*(p))))
#define ALLOC(p, n) CHECK(cudaMalloc(&(p), (n) * sizeof(*(p))))
// CHECK-NEXT: #define REDUCE_STEP(v, o) v += __shfl_down(v, o)
#define REDUCE_STEP(v, o) v += __shfl_down_sync(0xffffffff, v, o)

// CHECK: template <typename T> hipError_t make(T** out, size_t n, hipStream_t s) {
template <typename T> cudaError_t make(T** out, size_t n, cudaStream_t s) {
  T* p = nullptr;
  ALLOC(p, n);
  // CHECK: CHECK(hipMemsetAsync(p, 0, n * sizeof(T), s));
  CHECK(cudaMemsetAsync(p, 0, n * sizeof(T), s));
  *out = p;
  // CHECK: return hipSuccess;
  return cudaSuccess;
}

template <int Width> __device__ float reduce(float v) {
  // CHECK: for (int o = Width / 2; o > 0; o /= 2) REDUCE_STEP(v, o);
  for (int o = Width / 2; o > 0; o /= 2) REDUCE_STEP(v, o);
  // CHECK-NEXT: return __shfl(v, 0, Width);
  return __shfl_sync(0xffffffff, v, 0, Width);
}

// CHECK: template hipError_t make<float>(float**, size_t, hipStream_t);
template cudaError_t make<float>(float**, size_t, cudaStream_t);

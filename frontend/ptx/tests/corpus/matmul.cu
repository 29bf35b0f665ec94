// Tiled matrix multiply with shared memory, float and half precision.
#include <cuda_fp16.h>
#define T 16
__global__ void __launch_bounds__(256, 2)
    matmulTiled(const float* A, const float* B, float* C, int M, int N, int K) {
  __shared__ float As[T][T];
  __shared__ float Bs[T][T];
  int row = blockIdx.y * T + threadIdx.y, col = blockIdx.x * T + threadIdx.x;
  float acc = 0.0f;
  for (int t = 0; t < (K + T - 1) / T; ++t) {
    int ak = t * T + threadIdx.x, bk = t * T + threadIdx.y;
    As[threadIdx.y][threadIdx.x] = (row < M && ak < K) ? A[row * K + ak] : 0.0f;
    Bs[threadIdx.y][threadIdx.x] = (col < N && bk < K) ? B[bk * N + col] : 0.0f;
    __syncthreads();
#pragma unroll
    for (int k = 0; k < T; ++k)
      acc = fmaf(As[threadIdx.y][k], Bs[k][threadIdx.x], acc);
    __syncthreads();
  }
  if (row < M && col < N)
    C[row * N + col] = acc;
}

__global__ void matmulHalf(const __half* A, const __half* B, __half* C, int N) {
  int row = blockIdx.y * blockDim.y + threadIdx.y, col = blockIdx.x * blockDim.x + threadIdx.x;
  if (row >= N || col >= N)
    return;
  float acc = 0.0f;
  for (int k = 0; k < N; ++k)
    acc += __half2float(A[row * N + k]) * __half2float(B[k * N + col]);
  C[row * N + col] = __float2half(acc);
}

__global__ void matmulVec4(const float4* A, const float4* B, float4* C, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    float4 a = A[i], b = B[i];
    C[i] = make_float4(a.x * b.x, a.y * b.y, a.z * b.z, a.w * b.w);
  }
}

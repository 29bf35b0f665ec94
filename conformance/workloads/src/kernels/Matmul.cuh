// The suite's own GEMM kernels for linear layers, y[M, N] = x[M, K] @ w[N, K]^T (weights stored
// [out, in] as checkpoints hold them), accumulated in float.
#pragma once

#include "Numeric.cuh"

#include <cstdint>
#include <cstring>

namespace workload {

constexpr int kTile = 16;

// Prefill: a tiled shared-memory matmul. Each block computes a kTile x kTile tile of y, staging
// kTile-wide slices of x and w through shared memory; edges are padded with zeros so any M, N, K
// work. The +1 column avoids shared-memory bank conflicts on the transposed reads.
template <typename T, typename OutT>
__global__ void matmulTiledKernel(const T* x, const T* w, OutT* y, int M, int N, int K) {
  __shared__ float xs[kTile][kTile + 1];
  __shared__ float ws[kTile][kTile + 1];
  int row = blockIdx.y * kTile + threadIdx.y; // of x and y
  int col = blockIdx.x * kTile + threadIdx.x; // of y; the row of w
  int wRow = blockIdx.x * kTile + threadIdx.y;
  float acc = 0;
  for (int k0 = 0; k0 < K; k0 += kTile) {
    int k = k0 + threadIdx.x;
    xs[threadIdx.y][threadIdx.x] =
        row < M && k < K ? toFloat(x[static_cast<size_t>(row) * K + k]) : 0.0f;
    ws[threadIdx.y][threadIdx.x] =
        wRow < N && k < K ? toFloat(w[static_cast<size_t>(wRow) * K + k]) : 0.0f;
    __syncthreads();
    for (int i = 0; i < kTile; ++i)
      acc += xs[threadIdx.y][i] * ws[threadIdx.x][i];
    __syncthreads();
  }
  if (row < M && col < N)
    y[static_cast<size_t>(row) * N + col] = fromFloat<OutT>(acc);
}

// Decode: one warp per output row. Lanes read 16-byte vectors of the weight row and the input
// when K and the pointers allow it, else single elements, then reduce with warp shuffles.
template <typename T, typename OutT>
__global__ void gemvWarpKernel(const T* x, const T* w, OutT* y, int N, int K) {
  constexpr int kVector = 16 / sizeof(T);
  int warpsPerBlock = blockDim.x / 32;
  int row = blockIdx.x * warpsPerBlock + threadIdx.x / 32;
  int lane = threadIdx.x % 32;
  if (row >= N) // a whole warp leaves together, so the shuffles below see full warps
    return;
  const T* wRow = w + static_cast<size_t>(row) * K;
  float acc = 0;
  bool vectorised = K % kVector == 0 && reinterpret_cast<uintptr_t>(wRow) % 16 == 0 &&
                    reinterpret_cast<uintptr_t>(x) % 16 == 0;
  if (vectorised) {
    for (int k = lane * kVector; k < K; k += 32 * kVector) {
      uint4 wRaw = *reinterpret_cast<const uint4*>(wRow + k);
      uint4 xRaw = *reinterpret_cast<const uint4*>(x + k);
      T wv[kVector], xv[kVector];
      memcpy(wv, &wRaw, sizeof wRaw);
      memcpy(xv, &xRaw, sizeof xRaw);
      for (int i = 0; i < kVector; ++i)
        acc += toFloat(wv[i]) * toFloat(xv[i]);
    }
  } else {
    for (int k = lane; k < K; k += 32)
      acc += toFloat(wRow[k]) * toFloat(x[k]);
  }
  acc = warpSum(acc);
  if (lane == 0)
    y[row] = fromFloat<OutT>(acc);
}

} // namespace workload

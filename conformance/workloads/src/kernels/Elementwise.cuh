// Embedding lookup, RMSNorm, SwiGLU and the residual add.
#pragma once

#include "Numeric.cuh"

namespace workload {

// One block per token: copies the token's row of the embedding table.
template <typename T>
__global__ void embedKernel(const T* table, const int* tokens, T* out, int hidden) {
  const T* row = table + static_cast<size_t>(tokens[blockIdx.x]) * hidden;
  for (int i = threadIdx.x; i < hidden; i += blockDim.x)
    out[static_cast<size_t>(blockIdx.x) * hidden + i] = row[i];
}

// One block per row: y = x / sqrt(mean(x^2) + eps) * weight, the mean accumulated in float.
template <typename T>
__global__ void rmsNormKernel(const T* x, const T* weight, T* out, int width, float eps) {
  __shared__ float scratch[32];
  const T* row = x + static_cast<size_t>(blockIdx.x) * width;
  float squares = 0;
  for (int i = threadIdx.x; i < width; i += blockDim.x) {
    float v = toFloat(row[i]);
    squares += v * v;
  }
  float scale = rsqrtf(blockSum(squares, scratch) / width + eps);
  for (int i = threadIdx.x; i < width; i += blockDim.x)
    out[static_cast<size_t>(blockIdx.x) * width + i] =
        fromFloat<T>(toFloat(row[i]) * scale * toFloat(weight[i]));
}

// out = silu(gate) * up.
template <typename T> __global__ void swigluKernel(const T* gate, const T* up, T* out, size_t n) {
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    float g = toFloat(gate[i]);
    out[i] = fromFloat<T>(g / (1.0f + expf(-g)) * toFloat(up[i]));
  }
}

// x += y: the residual connection around attention and the MLP.
template <typename T> __global__ void residualKernel(T* x, const T* y, size_t n) {
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x)
    x[i] = fromFloat<T>(toFloat(x[i]) + toFloat(y[i]));
}

} // namespace workload

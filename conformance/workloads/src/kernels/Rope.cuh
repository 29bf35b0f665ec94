// Rotary position embedding, Hugging Face's rotate_half convention: element i of a head pairs with
// element i + headDim/2, rotated by position * theta^(-2i/headDim).
#pragma once

#include "Numeric.cuh"

namespace workload {

// One block per token; x is [tokens, heads * headDim], the token's position firstPosition + row.
template <typename T>
__global__ void ropeKernel(T* x, int heads, int headDim, int firstPosition, float theta) {
  int half = headDim / 2;
  float position = static_cast<float>(firstPosition + static_cast<int>(blockIdx.x));
  T* row = x + static_cast<size_t>(blockIdx.x) * heads * headDim;
  for (int p = threadIdx.x; p < heads * half; p += blockDim.x) {
    int head = p / half, i = p % half;
    float inverseFrequency = powf(theta, -2.0f * i / headDim);
    float s, c;
    sincosf(position * inverseFrequency, &s, &c);
    T* v = row + head * headDim;
    float a = toFloat(v[i]), b = toFloat(v[i + half]);
    v[i] = fromFloat<T>(a * c - b * s);
    v[i + half] = fromFloat<T>(b * c + a * s);
  }
}

} // namespace workload

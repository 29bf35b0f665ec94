// What the cuBLAS tests share: small-integer test vectors, BLAS's strided indexing, and device
// buffers copied in from and out to host vectors.
#pragma once

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>
#include <vector>

namespace drawbridge::cublas::test {

/// `scale` times small integers (-8 to 8): sums and products of a few stay exact in f32.
inline std::vector<float> values(size_t count, float scale) {
  std::vector<float> v(count);
  for (size_t i = 0; i < count; ++i)
    v[i] = scale * float(int(i * 7 % 17) - 8);
  return v;
}

/// The memory index of the i-th of n elements: BLAS starts a negative increment at the far end.
inline size_t at(int i, int n, int inc) {
  return size_t(inc >= 0 ? i * inc : (n - 1 - i) * -inc);
}

template <typename T> T* toDevice(const std::vector<T>& values) {
  T* p = nullptr;
  EXPECT_EQ(cudaMalloc(reinterpret_cast<void**>(&p), values.size() * sizeof(T) + 1), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(p, values.data(), values.size() * sizeof(T), cudaMemcpyHostToDevice),
            cudaSuccess);
  return p;
}

template <typename T> std::vector<T> fromDevice(const T* p, size_t count) {
  std::vector<T> values(count);
  EXPECT_EQ(cudaMemcpy(values.data(), p, count * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
  return values;
}

} // namespace drawbridge::cublas::test

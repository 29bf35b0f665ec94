// Attention over a KV cache with grouped-query heads, the causal mask and Mistral's sliding window.
//
// The cache of each layer holds `capacity` token slots; position p lives in slot p % capacity. With
// a window, capacity is the window (a rolling cache); without, it is max_position_embeddings.
// A step's own keys and values are read from the step's buffers, so a prefill longer than the
// window never reads a slot that the same prefill overwrote; they are appended afterwards.
#pragma once

#include "Numeric.cuh"

namespace workload {

struct AttentionParams {
  int heads, kvHeads, headDim;
  int window;        // 0: none; else a query at p sees keys p - window + 1 .. p
  int capacity;      // cache slots
  int firstPosition; // of the step's first token
  float scale;       // 1 / sqrt(headDim)
};

// Writes the step's tokens into the cache. Only the last `capacity` tokens are written, so no two
// threads write one slot.
template <typename T>
__global__ void appendKvKernel(const T* k, const T* v, T* cacheK, T* cacheV, int tokens, int width,
                               int firstPosition, int capacity) {
  int t = blockIdx.x;
  if (t < tokens - capacity)
    return;
  size_t slot = static_cast<size_t>((firstPosition + t) % capacity);
  for (int i = threadIdx.x; i < width; i += blockDim.x) {
    cacheK[slot * width + i] = k[static_cast<size_t>(t) * width + i];
    cacheV[slot * width + i] = v[static_cast<size_t>(t) * width + i];
  }
}

// One block per (query token, head). Dynamic shared memory: headDim floats for the query, then one
// score per visible key.
template <typename T>
__global__ void attentionKernel(const T* q, const T* k, const T* v, const T* cacheK,
                                const T* cacheV, T* out, AttentionParams p) {
  extern __shared__ float shared[];
  __shared__ float scratch[32];
  float* query = shared;
  float* scores = shared + p.headDim;
  int t = blockIdx.x, head = blockIdx.y, kvHead = head / (p.heads / p.kvHeads);
  int position = p.firstPosition + t;
  int first = p.window > 0 ? max(0, position - p.window + 1) : 0;
  int count = position - first + 1;
  int kvWidth = p.kvHeads * p.headDim;

  const T* qRow = q + (static_cast<size_t>(t) * p.heads + head) * p.headDim;
  for (int i = threadIdx.x; i < p.headDim; i += blockDim.x)
    query[i] = toFloat(qRow[i]);
  __syncthreads();

  // Where key j's vectors are: this step's buffers, or the cache for earlier positions.
  auto keyAt = [&](const T* fresh, const T* cache, int j) {
    const T* base = j >= p.firstPosition
                        ? fresh + static_cast<size_t>(j - p.firstPosition) * kvWidth
                        : cache + static_cast<size_t>(j % p.capacity) * kvWidth;
    return base + kvHead * p.headDim;
  };

  float localMax = -INFINITY;
  for (int j = threadIdx.x; j < count; j += blockDim.x) {
    const T* key = keyAt(k, cacheK, first + j);
    float dot = 0;
    for (int i = 0; i < p.headDim; ++i)
      dot += query[i] * toFloat(key[i]);
    scores[j] = dot * p.scale;
    localMax = fmaxf(localMax, scores[j]);
  }
  float max = blockMax(localMax, scratch);
  float localSum = 0;
  for (int j = threadIdx.x; j < count; j += blockDim.x) {
    scores[j] = expf(scores[j] - max);
    localSum += scores[j];
  }
  float inverseSum = 1.0f / blockSum(localSum, scratch); // blockSum's barriers publish scores

  T* outRow = out + (static_cast<size_t>(t) * p.heads + head) * p.headDim;
  for (int i = threadIdx.x; i < p.headDim; i += blockDim.x) {
    float acc = 0;
    for (int j = 0; j < count; ++j)
      acc += scores[j] * toFloat(keyAt(v, cacheV, first + j)[i]);
    outRow[i] = fromFloat<T>(acc * inverseSum);
  }
}

} // namespace workload

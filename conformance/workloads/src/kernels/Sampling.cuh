// Choosing the next token on the GPU, by the rules the reference documents
// (conformance/reference/include/drawbridge/reference/Sampling.h): greedy takes the first largest
// logit; top-p keeps every token whose probability is at least the k-th largest, k the smallest
// count of largest probabilities summing to P, and walks the kept tokens in token order until the
// running sum exceeds u times their mass. Both run as a single block.
#pragma once

#include "Numeric.cuh"

namespace workload {

constexpr int kSamplingThreads = 1024;

__global__ void argmaxKernel(const float* logits, int vocab, int* token) {
  __shared__ float bestValue[kSamplingThreads];
  __shared__ int bestIndex[kSamplingThreads];
  float value = -INFINITY;
  int index = vocab;
  for (int i = threadIdx.x; i < vocab; i += blockDim.x)
    if (logits[i] > value) { // strictly greater: the first of equal values wins
      value = logits[i];
      index = i;
    }
  bestValue[threadIdx.x] = value;
  bestIndex[threadIdx.x] = index;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
    if (threadIdx.x < stride) {
      float otherValue = bestValue[threadIdx.x + stride];
      int otherIndex = bestIndex[threadIdx.x + stride];
      if (otherValue > bestValue[threadIdx.x] ||
          (otherValue == bestValue[threadIdx.x] && otherIndex < bestIndex[threadIdx.x])) {
        bestValue[threadIdx.x] = otherValue;
        bestIndex[threadIdx.x] = otherIndex;
      }
    }
    __syncthreads();
  }
  if (threadIdx.x == 0)
    *token = bestIndex[0];
}

// The total probability of tokens whose probability is at least `threshold`.
__device__ inline float massAtLeast(const float* probs, int vocab, float threshold,
                                    float* scratch) {
  float local = 0;
  for (int i = threadIdx.x; i < vocab; i += blockDim.x)
    if (probs[i] >= threshold)
      local += probs[i];
  return blockSum(local, scratch);
}

// `probs` is scratch space of `vocab` floats. Launch with kSamplingThreads threads.
__global__ void topPKernel(const float* logits, float* probs, int vocab, float topP, float u,
                           int* token) {
  __shared__ float scratch[32];
  __shared__ float chunkPrefix[kSamplingThreads];
  __shared__ int chosen;

  float localMax = -INFINITY;
  for (int i = threadIdx.x; i < vocab; i += blockDim.x)
    localMax = fmaxf(localMax, logits[i]);
  float max = blockMax(localMax, scratch);
  float localSum = 0;
  for (int i = threadIdx.x; i < vocab; i += blockDim.x)
    localSum += probs[i] = expf(logits[i] - max);
  float inverseSum = 1.0f / blockSum(localSum, scratch);
  float localMaxProb = 0;
  for (int i = threadIdx.x; i < vocab; i += blockDim.x)
    localMaxProb = fmaxf(localMaxProb, probs[i] *= inverseSum);
  float maxProb = blockMax(localMaxProb, scratch);

  // The threshold is the largest probability value t with mass(t) >= P. mass only changes at
  // probability values, and positive floats order as their bit patterns, so a binary search on
  // the bits finds it exactly. If even t = 0 falls short (rounding, P = 1) every token is kept.
  unsigned lo = 0, hi = __float_as_uint(maxProb);
  while (lo < hi) {
    unsigned mid = lo + (hi - lo + 1) / 2;
    if (massAtLeast(probs, vocab, __uint_as_float(mid), scratch) >= topP)
      lo = mid;
    else
      hi = mid - 1;
  }
  float threshold = __uint_as_float(lo);
  float r = u * massAtLeast(probs, vocab, threshold, scratch);

  // Token-order walk: each thread sums a contiguous chunk, thread 0 scans the chunk sums, then the
  // thread whose chunk crosses r finds the token.
  int chunk = (vocab + blockDim.x - 1) / blockDim.x;
  int begin = threadIdx.x * chunk, end = min(vocab, begin + chunk);
  float chunkSum = 0;
  for (int i = begin; i < end; ++i)
    if (probs[i] >= threshold)
      chunkSum += probs[i];
  chunkPrefix[threadIdx.x] = chunkSum;
  if (threadIdx.x == 0)
    chosen = vocab;
  __syncthreads();
  if (threadIdx.x == 0) {
    float running = 0;
    for (int i = 0; i < blockDim.x; ++i) {
      float sum = chunkPrefix[i];
      chunkPrefix[i] = running;
      running += sum;
    }
  }
  __syncthreads();
  float running = chunkPrefix[threadIdx.x];
  for (int i = begin; i < end; ++i) {
    if (probs[i] < threshold)
      continue;
    running += probs[i];
    if (running > r) {
      atomicMin(&chosen, i);
      break;
    }
  }
  __syncthreads();
  if (threadIdx.x == 0 && chosen == vocab) // rounding left r at the very end: the last kept token
    for (int i = vocab - 1; i >= 0; --i)
      if (probs[i] >= threshold) {
        chosen = i;
        break;
      }
  if (threadIdx.x == 0)
    *token = chosen;
}

} // namespace workload

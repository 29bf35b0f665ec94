// A Llama/Mistral decoder on the GPU: weights and activations stored as T (float, half or
// bfloat16), arithmetic in float, a KV cache per layer (rolling when the model has a window).
#pragma once

#include "DeviceBuffer.cuh"
#include "Gemm.cuh"
#include "drawbridge/model/Checkpoint.h"
#include "kernels/Attention.cuh"
#include "kernels/Elementwise.cuh"
#include "kernels/Rope.cuh"
#include "kernels/Sampling.cuh"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace workload {

template <typename T> DeviceBuffer<T> upload(const drawbridge::model::Tensor& tensor) {
  std::vector<T> converted(tensor.values.size());
  std::transform(tensor.values.begin(), tensor.values.end(), converted.begin(), fromFloat<T>);
  return DeviceBuffer<T>(converted);
}

template <typename T> std::vector<float> widen(const std::vector<T>& values) {
  std::vector<float> out(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    out[i] = toFloat(values[i]);
  return out;
}

struct StepResult {
  std::vector<std::vector<float>> boundaries; // embedding output, then each layer's
  std::vector<float> logits;                  // of the step's last token
};

template <typename T> class Decoder {
public:
  /// Sums a row-parallel layer's partial outputs (`count` elements in device memory) across the
  /// ranks of a tensor-parallel run, in place; empty when one process holds the whole model.
  using AllReduce = std::function<void(T* data, size_t count)>;

  /// `maxTokens`: the most tokens one step runs; `maxSequence`: the most positions a run reaches.
  /// `weights` may be one rank's shard (TensorParallel.h); `allReduce` then joins the shards.
  Decoder(const drawbridge::model::ModelWeights& weights, GemmPath path, int maxTokens,
          int maxSequence, AllReduce allReduce = {})
      : c_(weights.config), gemm_(path), allReduce_(std::move(allReduce)) {
    // A rolling cache needs only the window; otherwise only as many slots as the run will fill.
    capacity_ = c_.slidingWindow > 0
                    ? static_cast<int>(std::min<int64_t>(c_.slidingWindow, maxSequence))
                    : maxSequence;
    embed_ = upload<T>(weights.embed);
    norm_ = upload<T>(weights.norm);
    lmHead_ = upload<T>(weights.lmHead);
    size_t kvWidth = static_cast<size_t>(c_.numKvHeads * c_.headDim);
    for (const drawbridge::model::LayerWeights& w : weights.layers) {
      Layer layer{upload<T>(w.inputNorm),
                  upload<T>(w.q),
                  upload<T>(w.k),
                  upload<T>(w.v),
                  upload<T>(w.o),
                  upload<T>(w.postNorm),
                  upload<T>(w.gate),
                  upload<T>(w.up),
                  upload<T>(w.down),
                  DeviceBuffer<T>(capacity_ * kvWidth),
                  DeviceBuffer<T>(capacity_ * kvWidth)};
      layers_.push_back(std::move(layer));
    }
    size_t rows = static_cast<size_t>(maxTokens);
    size_t widest = static_cast<size_t>(
        std::max({c_.hiddenSize, c_.numHeads * c_.headDim, c_.intermediateSize}));
    hidden_ = DeviceBuffer<T>(rows * c_.hiddenSize);
    normed_ = DeviceBuffer<T>(rows * c_.hiddenSize);
    q_ = DeviceBuffer<T>(rows * c_.numHeads * c_.headDim);
    k_ = DeviceBuffer<T>(rows * kvWidth);
    v_ = DeviceBuffer<T>(rows * kvWidth);
    attended_ = DeviceBuffer<T>(rows * c_.numHeads * c_.headDim);
    projected_ = DeviceBuffer<T>(rows * widest);
    gate_ = DeviceBuffer<T>(rows * c_.intermediateSize);
    up_ = DeviceBuffer<T>(rows * c_.intermediateSize);
    tokens_ = DeviceBuffer<int>(rows);
    logits_ = DeviceBuffer<float>(static_cast<size_t>(c_.vocabSize));
    probs_ = DeviceBuffer<float>(static_cast<size_t>(c_.vocabSize));
    choice_ = DeviceBuffer<int>(1);
  }

  /// Runs `tokens` (at most maxTokens) at positions firstPosition onwards (below maxSequence).
  StepResult step(const std::vector<int>& tokens, int firstPosition) {
    int n = static_cast<int>(tokens.size());
    int H = static_cast<int>(c_.hiddenSize);
    CUDA_CHECK(cudaMemcpy(tokens_.get(), tokens.data(), tokens.size() * sizeof(int),
                          cudaMemcpyHostToDevice));
    StepResult result;
    embedKernel<<<n, 256>>>(embed_.get(), tokens_.get(), hidden_.get(), H);
    CUDA_CHECK(cudaGetLastError());
    result.boundaries.push_back(widen(hidden_.download(static_cast<size_t>(n) * H)));
    for (Layer& layer : layers_) {
      attentionBlock(layer, n, firstPosition);
      mlpBlock(layer, n);
      result.boundaries.push_back(widen(hidden_.download(static_cast<size_t>(n) * H)));
    }
    rmsNormKernel<<<1, 256>>>(hidden_.get() + static_cast<size_t>(n - 1) * H, norm_.get(),
                              normed_.get(), H, static_cast<float>(c_.rmsNormEps));
    CUDA_CHECK(cudaGetLastError());
    gemm_.linear(normed_.get(), lmHead_.get(), logits_.get(), 1, static_cast<int>(c_.vocabSize), H);
    result.logits = logits_.download(static_cast<size_t>(c_.vocabSize));
    return result;
  }

  int argmax() {
    argmaxKernel<<<1, kSamplingThreads>>>(logits_.get(), static_cast<int>(c_.vocabSize),
                                          choice_.get());
    CUDA_CHECK(cudaGetLastError());
    return choice_.download(1)[0];
  }

  int topP(float p, float u) {
    topPKernel<<<1, kSamplingThreads>>>(logits_.get(), probs_.get(), static_cast<int>(c_.vocabSize),
                                        p, u, choice_.get());
    CUDA_CHECK(cudaGetLastError());
    return choice_.download(1)[0];
  }

private:
  struct Layer {
    DeviceBuffer<T> inputNorm, q, k, v, o, postNorm, gate, up, down, cacheK, cacheV;
  };

  void attentionBlock(Layer& layer, int n, int firstPosition) {
    int H = static_cast<int>(c_.hiddenSize), heads = static_cast<int>(c_.numHeads);
    int kvHeads = static_cast<int>(c_.numKvHeads), d = static_cast<int>(c_.headDim);
    float theta = static_cast<float>(c_.ropeTheta);
    rmsNormKernel<<<n, 256>>>(hidden_.get(), layer.inputNorm.get(), normed_.get(), H,
                              static_cast<float>(c_.rmsNormEps));
    CUDA_CHECK(cudaGetLastError());
    gemm_.linear(normed_.get(), layer.q.get(), q_.get(), n, heads * d, H);
    gemm_.linear(normed_.get(), layer.k.get(), k_.get(), n, kvHeads * d, H);
    gemm_.linear(normed_.get(), layer.v.get(), v_.get(), n, kvHeads * d, H);
    ropeKernel<<<n, 128>>>(q_.get(), heads, d, firstPosition, theta);
    ropeKernel<<<n, 128>>>(k_.get(), kvHeads, d, firstPosition, theta);
    CUDA_CHECK(cudaGetLastError());

    AttentionParams params{heads,
                           kvHeads,
                           d,
                           static_cast<int>(c_.slidingWindow),
                           capacity_,
                           firstPosition,
                           1.0f / std::sqrt(static_cast<float>(d))};
    int visibleKeys =
        params.window > 0 ? std::min(params.window, firstPosition + n) : firstPosition + n;
    size_t shared = static_cast<size_t>(d + visibleKeys) * sizeof(float);
    if (shared > 48 * 1024) // beyond the default limit a kernel must opt in
      CUDA_CHECK(cudaFuncSetAttribute(attentionKernel<T>,
                                      cudaFuncAttributeMaxDynamicSharedMemorySize,
                                      static_cast<int>(shared)));
    attentionKernel<<<dim3(n, heads), 128, shared>>>(q_.get(), k_.get(), v_.get(),
                                                     layer.cacheK.get(), layer.cacheV.get(),
                                                     attended_.get(), params);
    appendKvKernel<<<n, 128>>>(k_.get(), v_.get(), layer.cacheK.get(), layer.cacheV.get(), n,
                               kvHeads * d, firstPosition, capacity_);
    CUDA_CHECK(cudaGetLastError());
    gemm_.linear(attended_.get(), layer.o.get(), projected_.get(), n, H, heads * d);
    addResidual(n);
  }

  void mlpBlock(Layer& layer, int n) {
    int H = static_cast<int>(c_.hiddenSize), I = static_cast<int>(c_.intermediateSize);
    rmsNormKernel<<<n, 256>>>(hidden_.get(), layer.postNorm.get(), normed_.get(), H,
                              static_cast<float>(c_.rmsNormEps));
    CUDA_CHECK(cudaGetLastError());
    gemm_.linear(normed_.get(), layer.gate.get(), gate_.get(), n, I, H);
    gemm_.linear(normed_.get(), layer.up.get(), up_.get(), n, I, H);
    size_t count = static_cast<size_t>(n) * I;
    swigluKernel<<<static_cast<unsigned>((count + 255) / 256), 256>>>(gate_.get(), up_.get(),
                                                                      gate_.get(), count);
    CUDA_CHECK(cudaGetLastError());
    gemm_.linear(gate_.get(), layer.down.get(), projected_.get(), n, H, I);
    addResidual(n);
  }

  void addResidual(int n) {
    size_t count = static_cast<size_t>(n) * c_.hiddenSize;
    if (allReduce_)
      allReduce_(projected_.get(), count);
    residualKernel<<<static_cast<unsigned>((count + 255) / 256), 256>>>(hidden_.get(),
                                                                        projected_.get(), count);
    CUDA_CHECK(cudaGetLastError());
  }

  drawbridge::model::ModelConfig c_;
  Gemm gemm_;
  AllReduce allReduce_;
  int capacity_ = 0;
  DeviceBuffer<T> embed_, norm_, lmHead_;
  std::vector<Layer> layers_;
  DeviceBuffer<T> hidden_, normed_, q_, k_, v_, attended_, projected_, gate_, up_;
  DeviceBuffer<int> tokens_, choice_;
  DeviceBuffer<float> logits_, probs_;
};

} // namespace workload

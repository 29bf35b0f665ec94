#include "drawbridge/reference/Ops.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace drawbridge::reference {

std::vector<float> embed(const model::Tensor& table, std::span<const int32_t> tokens) {
  size_t hidden = static_cast<size_t>(table.shape[1]);
  std::vector<float> out;
  out.reserve(tokens.size() * hidden);
  for (int32_t token : tokens) {
    auto row = table.values.begin() + static_cast<ptrdiff_t>(token * hidden);
    out.insert(out.end(), row, row + static_cast<ptrdiff_t>(hidden));
  }
  return out;
}

std::vector<float> rmsNorm(std::span<const float> x, std::span<const float> weight, double eps) {
  size_t width = weight.size();
  std::vector<float> out(x.size());
  for (size_t row = 0; row < x.size() / width; ++row) {
    const float* in = x.data() + row * width;
    double squares = 0;
    for (size_t i = 0; i < width; ++i)
      squares += double(in[i]) * in[i];
    double scale = 1 / std::sqrt(squares / double(width) + eps);
    for (size_t i = 0; i < width; ++i)
      out[row * width + i] = static_cast<float>(in[i] * scale * weight[i]);
  }
  return out;
}

// The benchmark builds the reference with OpenMP (conformance/bench); each output is one
// sequential sum either way, so the results do not depend on it.
#ifdef _OPENMP
#define DRAWBRIDGE_PARALLEL_OUTPUTS _Pragma("omp parallel for collapse(2) schedule(static)")
#else
#define DRAWBRIDGE_PARALLEL_OUTPUTS
#endif

std::vector<float> linear(std::span<const float> x, const model::Tensor& weight) {
  size_t outWidth = static_cast<size_t>(weight.shape[0]),
         inWidth = static_cast<size_t>(weight.shape[1]);
  assert(x.size() % inWidth == 0);
  size_t rows = x.size() / inWidth;
  std::vector<float> out(rows * outWidth);
  DRAWBRIDGE_PARALLEL_OUTPUTS
  for (size_t r = 0; r < rows; ++r)
    for (size_t o = 0; o < outWidth; ++o) {
      const float* a = x.data() + r * inWidth;
      const float* w = weight.values.data() + o * inWidth;
      double sum = 0;
      for (size_t i = 0; i < inWidth; ++i)
        sum += double(a[i]) * w[i];
      out[r * outWidth + o] = static_cast<float>(sum);
    }
  return out;
}

void applyRope(std::span<float> x, int64_t heads, int64_t headDim,
               std::span<const int64_t> positions, double theta) {
  int64_t half = headDim / 2;
  for (size_t t = 0; t < positions.size(); ++t)
    for (int64_t h = 0; h < heads; ++h) {
      float* v = x.data() + (static_cast<int64_t>(t) * heads + h) * headDim;
      for (int64_t i = 0; i < half; ++i) {
        double angle = double(positions[t]) * std::pow(theta, -2.0 * double(i) / double(headDim));
        double c = std::cos(angle), s = std::sin(angle);
        double a = v[i], b = v[i + half];
        v[i] = static_cast<float>(a * c - b * s);
        v[i + half] = static_cast<float>(b * c + a * s);
      }
    }
}

std::vector<float> softmax(std::span<const float> x) {
  float max = *std::max_element(x.begin(), x.end());
  std::vector<double> e(x.size());
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i)
    sum += e[i] = std::exp(double(x[i]) - max);
  std::vector<float> out(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    out[i] = static_cast<float>(e[i] / sum);
  return out;
}

std::vector<float> swiglu(std::span<const float> gate, std::span<const float> up) {
  std::vector<float> out(gate.size());
  for (size_t i = 0; i < gate.size(); ++i) {
    double g = gate[i];
    out[i] = static_cast<float>(g / (1 + std::exp(-g)) * up[i]);
  }
  return out;
}

void addInPlace(std::span<float> x, std::span<const float> y) {
  for (size_t i = 0; i < x.size(); ++i)
    x[i] += y[i];
}

std::vector<float> attention(std::span<const float> q, std::span<const int64_t> queryPositions,
                             std::span<const float> keys, std::span<const float> values,
                             std::span<const int64_t> keyPositions, const AttentionShape& shape) {
  int64_t d = shape.headDim, group = shape.heads / shape.kvHeads;
  double scale = 1 / std::sqrt(double(d));
  std::vector<float> out(q.size());
  std::vector<double> scores(keyPositions.size());
  for (size_t t = 0; t < queryPositions.size(); ++t)
    for (int64_t h = 0; h < shape.heads; ++h) {
      const float* query = q.data() + (static_cast<int64_t>(t) * shape.heads + h) * d;
      int64_t kvHead = h / group;
      double max = -INFINITY;
      for (size_t k = 0; k < keyPositions.size(); ++k) {
        int64_t distance = queryPositions[t] - keyPositions[k];
        bool visible = distance >= 0 && (shape.window == 0 || distance < shape.window);
        scores[k] = -INFINITY;
        if (!visible)
          continue;
        const float* key = keys.data() + (static_cast<int64_t>(k) * shape.kvHeads + kvHead) * d;
        double dot = 0;
        for (int64_t i = 0; i < d; ++i)
          dot += double(query[i]) * key[i];
        scores[k] = dot * scale;
        max = std::max(max, scores[k]);
      }
      double sum = 0;
      for (double& s : scores)
        sum += s = s == -INFINITY ? 0 : std::exp(s - max);
      float* o = out.data() + (static_cast<int64_t>(t) * shape.heads + h) * d;
      for (int64_t i = 0; i < d; ++i) {
        double acc = 0;
        for (size_t k = 0; k < keyPositions.size(); ++k)
          if (scores[k] != 0)
            acc += scores[k] * values[(static_cast<int64_t>(k) * shape.kvHeads + kvHead) * d + i];
        o[i] = static_cast<float>(acc / sum);
      }
    }
  return out;
}

} // namespace drawbridge::reference

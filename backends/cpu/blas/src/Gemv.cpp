#include "Gemv.h"

#include <algorithm>
#include <system_error>
#include <thread>
#include <vector>

namespace drawbridge::blas::detail {
namespace {

constexpr int kLanes = 16; // independent partial sums, which the compiler keeps in vector registers

// Below this many matrix bytes, starting threads costs more than it saves.
constexpr int64_t kThreadedBytes = int64_t(4) << 20;

// sum over l of row[l] * x[l], row and x contiguous.
float dot(const float* row, const float* x, int64_t k) {
  float lanes[kLanes] = {};
  int64_t l = 0;
  for (; l + kLanes <= k; l += kLanes)
    for (int j = 0; j < kLanes; ++j)
      lanes[j] += row[l + j] * x[l + j];
  float sum = 0;
  for (float lane : lanes)
    sum += lane;
  for (; l < k; ++l)
    sum += row[l] * x[l];
  return sum;
}

// A stored by rows: rows [begin, end) of A x, each a dot product over one contiguous row.
void byRows(const MatmulProblem& p, const float* x, int64_t begin, int64_t end, float* out) {
  const auto* a = static_cast<const float*>(p.a.data);
  for (int64_t i = begin; i < end; ++i)
    out[i] = dot(a + i * p.a.rowStride, x, p.k);
}

// A stored by columns: the columns [begin, end) of A, scaled by x, summed into `out` (all m
// rows), so that each thread reads one contiguous stretch of A.
void byColumns(const MatmulProblem& p, const float* x, int64_t begin, int64_t end, float* out) {
  const auto* a = static_cast<const float*>(p.a.data);
  const int64_t m = p.m;
  std::fill(out, out + m, 0.0f);
  for (int64_t l = begin; l < end; ++l) {
    const float* column = a + l * p.a.colStride;
    const float xl = x[l];
    for (int64_t i = 0; i < m; ++i)
      out[i] += column[i] * xl;
  }
}

} // namespace

bool isGemv(const MatmulProblem& p) {
  auto f32 = [](const auto& m) { return m.type == DataType::F32; };
  auto positive = [](const auto& m) { return m.rowStride > 0 && m.colStride > 0; };
  return p.n == 1 && p.batch == 1 && p.k > 0 && f32(p.a) && f32(p.b) && f32(p.d) &&
         (p.beta == 0 || f32(p.c)) && !p.bias && p.epilogue == Epilogue::None && positive(p.a) &&
         positive(p.b) && positive(p.c) && positive(p.d) &&
         (p.a.rowStride == 1 || p.a.colStride == 1);
}

void gemv(const MatmulProblem& p) {
  // x contiguous, and the sums apart from D, which may be C and is written once at the end.
  std::vector<float> x(static_cast<size_t>(p.k)), sums(static_cast<size_t>(p.m));
  const auto* b = static_cast<const float*>(p.b.data);
  for (int64_t l = 0; l < p.k; ++l)
    x[l] = b[l * p.b.rowStride];
  int64_t bytes = p.m * p.k * int64_t(sizeof(float));
  int64_t threads = bytes < kThreadedBytes ? 1 : std::max(1u, std::thread::hardware_concurrency());
  bool rows = p.a.colStride == 1;
  int64_t parts = rows ? p.m : p.k;
  threads = std::min(threads, parts);
  // By columns each thread sums into its own m partial sums, added up afterwards.
  std::vector<float> partials(rows ? 0 : static_cast<size_t>((threads - 1) * p.m));
  auto work = [&](int64_t t) {
    int64_t begin = parts * t / threads, end = parts * (t + 1) / threads;
    if (rows)
      byRows(p, x.data(), begin, end, sums.data());
    else
      byColumns(p, x.data(), begin, end, t == 0 ? sums.data() : &partials[(t - 1) * p.m]);
  };
  std::vector<std::thread> helpers;
  for (int64_t t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(work, t);
    } catch (const std::system_error&) { // no thread to be had: this one does the part
      work(t);
    }
  }
  work(0);
  for (auto& helper : helpers)
    helper.join();
  for (int64_t t = 1; !rows && t < threads; ++t)
    for (int64_t i = 0; i < p.m; ++i)
      sums[i] += partials[(t - 1) * p.m + i];

  const auto* c = static_cast<const float*>(p.c.data);
  auto* d = static_cast<float*>(p.d.data);
  float alpha = static_cast<float>(p.alpha), beta = static_cast<float>(p.beta);
  for (int64_t i = 0; i < p.m; ++i) // beta == 0 reads nothing of C, not even NaNs
    d[i * p.d.rowStride] = alpha * sums[i] + (beta == 0 ? 0.0f : beta * c[i * p.c.rowStride]);
}

} // namespace drawbridge::blas::detail

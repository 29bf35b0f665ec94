// The row kernels of LLM inference (softmax, RMSNorm, a warp-per-row GEMV, from
// kernels/bench.cu) on the CPU backend, as clang and as nvcc compile them, against vectorized C++
// on the same data (the limit: each kernel reads its input once) and against PoCL running the same
// kernels in OpenCL C.
#include "BenchSupport.h"
#include "PoclSession.h"

#include <algorithm>
#include <cmath>

using namespace drawbridge::backend;
using namespace drawbridge::backend::cpu::bench;

namespace {

constexpr int kLanes = 16; // one AVX-512 vector of floats; clang turns the lane loops into one

/// The sum of term(i) for i in [0, n), in kLanes independent accumulators so it vectorizes.
template <typename Term> float vectorSum(int64_t n, Term&& term) {
  float lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l)
      lanes[l] += term(i + l);
  for (; i < n; ++i)
    lanes[0] += term(i);
  float sum = 0;
  for (float lane : lanes)
    sum += lane;
  return sum;
}

float vectorMax(const float* row, int64_t n) {
  float lanes[kLanes];
  std::fill(lanes, lanes + kLanes, -INFINITY);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l)
      lanes[l] = std::max(lanes[l], row[i + l]);
  for (; i < n; ++i)
    lanes[0] = std::max(lanes[0], row[i]);
  return *std::max_element(lanes, lanes + kLanes);
}

struct Figures {
  double clang, nvcc, cpp, pocl;
};

void print(const char* name, double bytes, const Figures& seconds) {
  auto kernel = [&](const char* compiler, double time) {
    std::printf("  %-8s %-5s %7.2f GB/s %8.3f ms | %6.3fx of C++, %6.2fx of PoCL\n", name, compiler,
                bytes / time / 1e9, time * 1e3, seconds.cpp / time, seconds.pocl / time);
  };
  kernel("clang", seconds.clang);
  kernel("nvcc", seconds.nvcc);
  std::printf("  %-8s C++   %7.2f GB/s %8.3f ms | PoCL %7.2f GB/s %8.3f ms\n", name,
              bytes / seconds.cpp / 1e9, seconds.cpp * 1e3, bytes / seconds.pocl / 1e9,
              seconds.pocl * 1e3);
}

/// Fails the benchmark unless `got` matches `want` to float rounding.
void compare(const char* what, const float* got, const std::vector<float>& want) {
  for (size_t i = 0; i < want.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= 1e-4f * (1e-3f + std::fabs(want[i])) + 1e-7f)) {
      std::fprintf(stderr, "%s: element %zu is %g, expected %g\n", what, i, double(got[i]),
                   double(want[i]));
      std::exit(1);
    }
}

} // namespace

int main() {
  const int rows = 1024, cols = 4096, block = 256, repeats = 5;
  const int gemvRows = 4096, gemvCols = 2048, rowsPerBlock = block / 32;
  const float eps = 1e-5f;
  Session session("bench", {}, /*withNvcc=*/true);
  PoclSession pocl;
  unsigned threads = unsigned(session.device->properties().multiProcessorCount);
  size_t elements = size_t(rows) * cols, matrix = size_t(gemvRows) * gemvCols;
  float* x = session.allocate<float>(elements);
  float* y = session.allocate<float>(elements);
  float* weight = session.allocate<float>(cols);
  float* a = session.allocate<float>(matrix);
  float* v = session.allocate<float>(gemvCols);
  float* product = session.allocate<float>(gemvRows);
  for (size_t i = 0; i < elements; ++i)
    x[i] = float(int(i * 7919 % 2003) - 1001) * 0.004f;
  for (int c = 0; c < cols; ++c)
    weight[c] = 0.5f + float(c % 17) * 0.0625f;
  for (size_t i = 0; i < matrix; ++i)
    a[i] = float(int(i * 104729 % 1009) - 504) * 0.001f;
  for (int c = 0; c < gemvCols; ++c)
    v[c] = float(c % 29) * 0.03f - 0.4f;
  cl_mem clX = pocl.buffer(x, elements * 4), clY = pocl.buffer(y, elements * 4);
  cl_mem clWeight = pocl.buffer(weight, cols * 4), clA = pocl.buffer(a, matrix * 4);
  cl_mem clV = pocl.buffer(v, gemvCols * 4), clProduct = pocl.buffer(product, gemvRows * 4);
  std::vector<float> want(elements), wantProduct(gemvRows);
  auto rowRanges = [&](int count, auto&& body) {
    parallelRanges(threads, count, [&](int64_t begin, int64_t end, unsigned) {
      for (int64_t r = begin; r < end; ++r)
        body(r);
    });
  };
  // Kernel `name` as clang and as nvcc compile it, timed into `figures`, each run's output
  // checked by `verify`.
  auto timeBothBuilds = [&](Figures& figures, const char* name, auto&& verify, Dim3 grid,
                            auto... args) {
    for (KernelSource source : {KernelSource::Clang, KernelSource::Nvcc}) {
      Kernel* kernel = session.kernel(name, source);
      (source == KernelSource::Clang ? figures.clang : figures.nvcc) = fastest(repeats, [&] {
        session.launch(kernel, grid, {unsigned(block)}, nullptr, args...);
        check(session.device->synchronize(), "synchronize");
      });
      verify();
    }
  };

  Figures softmax{};
  softmax.cpp = fastest(repeats, [&] {
    rowRanges(rows, [&](int64_t r) {
      const float* in = x + r * cols;
      float* out = want.data() + r * cols;
      float max = vectorMax(in, cols);
      // A loop of its own, which the vectorizer turns into calls of libmvec's vector exp.
      for (int c = 0; c < cols; ++c)
        out[c] = std::exp(in[c] - max);
      float sum = vectorSum(cols, [&](int64_t c) { return out[c]; });
      float scale = 1.0f / sum;
      for (int c = 0; c < cols; ++c)
        out[c] *= scale;
    });
  });
  softmax.pocl = fastest(repeats, [&] {
    pocl.run("softmax_rows", {size_t(rows) * block}, {size_t(block)}, clX, clY, cols);
  });
  compare("PoCL softmax", y, want);
  timeBothBuilds(
      softmax, "softmax_rows", [&] { compare("softmax kernel", y, want); }, {unsigned(rows)}, x, y,
      cols);

  Figures rmsnorm{};
  rmsnorm.cpp = fastest(repeats, [&] {
    rowRanges(rows, [&](int64_t r) {
      const float* in = x + r * cols;
      float* out = want.data() + r * cols;
      float squares = vectorSum(cols, [&](int64_t c) { return in[c] * in[c]; });
      float scale = 1.0f / std::sqrt(squares / cols + eps);
      for (int c = 0; c < cols; ++c)
        out[c] = in[c] * scale * weight[c];
    });
  });
  rmsnorm.pocl = fastest(repeats, [&] {
    pocl.run("rmsnorm_rows", {size_t(rows) * block}, {size_t(block)}, clX, clWeight, clY, cols,
             eps);
  });
  compare("PoCL rmsnorm", y, want);
  timeBothBuilds(
      rmsnorm, "rmsnorm_rows", [&] { compare("rmsnorm kernel", y, want); }, {unsigned(rows)}, x,
      weight, y, cols, eps);

  Figures gemv{};
  gemv.cpp = fastest(repeats, [&] {
    rowRanges(gemvRows, [&](int64_t r) {
      const float* row = a + r * gemvCols;
      wantProduct[size_t(r)] = vectorSum(gemvCols, [&](int64_t c) { return row[c] * v[c]; });
    });
  });
  gemv.pocl = fastest(repeats, [&] {
    pocl.run("gemv_warp_rows", {size_t(gemvRows) * 32}, {size_t(block)}, clA, clV, clProduct,
             gemvRows, gemvCols);
  });
  compare("PoCL gemv", product, wantProduct);
  timeBothBuilds(
      gemv, "gemv_warp_rows", [&] { compare("gemv kernel", product, wantProduct); },
      {unsigned(gemvRows / rowsPerBlock)}, a, v, product, gemvRows, gemvCols);

  std::printf("row kernels, %u threads (best of %d; GB/s of data read and written)\n", threads,
              repeats);
  print("softmax", 2.0 * elements * 4, softmax); // read, write (the rescale stays in cache per row)
  print("rmsnorm", 2.0 * elements * 4, rmsnorm);
  print("gemv", double(matrix) * 4, gemv);
  return 0;
}

// n x n single-precision matmul: the tiled shared-memory kernel on the CPU backend against a
// naive C++ triple loop (rows split over the threads), against oneDNN's matmul and against
// PoCL running the same kernel in OpenCL C.
#include "BenchSupport.h"
#include "PoclSession.h"

#include <cmath>
#include <oneapi/dnnl/dnnl.hpp>

using namespace drawbridge::backend;
using namespace drawbridge::backend::cpu::bench;

int main() {
  const int n = 512;
  Session session("bench", {}, /*withNvcc=*/true);
  PoclSession pocl;
  unsigned threads = unsigned(session.device->properties().multiProcessorCount);
  float* a = session.allocate<float>(n * n);
  float* b = session.allocate<float>(n * n);
  float* c = session.allocate<float>(n * n);
  std::vector<float> naive(size_t(n) * n), reference(size_t(n) * n);
  for (int i = 0; i < n * n; ++i) {
    a[i] = float(i % 13) * 0.25f;
    b[i] = float(i % 7) - 3.0f;
  }
  auto kernelTime = [&](KernelSource source) {
    Kernel* tiled = session.kernel("tiled_matmul", source);
    return fastest(5, [&] {
      session.launch(tiled, {unsigned(n / 16), unsigned(n / 16)}, {16, 16}, nullptr, a, b, c, n);
      check(session.device->synchronize(), "synchronize");
    });
  };
  double nvccSeconds = kernelTime(KernelSource::Nvcc);
  std::vector<float> nvccC(c, c + size_t(n) * n);
  double kernelSeconds = kernelTime(KernelSource::Clang);
  std::vector<float> poclC(size_t(n) * n);
  cl_mem clA = pocl.buffer(a, poclC.size() * 4), clB = pocl.buffer(b, poclC.size() * 4);
  cl_mem clC = pocl.buffer(poclC.data(), poclC.size() * 4);
  double poclSeconds = fastest(5, [&] {
    pocl.run("tiled_matmul", {size_t(n), size_t(n)}, {16, 16}, clA, clB, clC, n);
  });
  double naiveSeconds = fastest(3, [&] {
    parallelRanges(threads, n, [&](int64_t begin, int64_t end, unsigned) {
      for (int64_t i = begin; i < end; ++i)
        for (int j = 0; j < n; ++j) {
          float sum = 0;
          for (int k = 0; k < n; ++k)
            sum += a[i * n + k] * b[k * n + j];
          naive[size_t(i) * n + j] = sum;
        }
    });
  });

  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  using tag = dnnl::memory::format_tag;
  using dt = dnnl::memory::data_type;
  dnnl::memory::desc matrix({n, n}, dt::f32, tag::ab);
  // Debian 12 ships oneDNN 2.x: a matmul is described, then its primitive descriptor built.
  dnnl::matmul matmul(
      dnnl::matmul::primitive_desc(dnnl::matmul::desc(matrix, matrix, matrix), engine));
  dnnl::memory ma(matrix, engine, a), mb(matrix, engine, b), mc(matrix, engine, reference.data());
  double dnnlSeconds = fastest(5, [&] {
    matmul.execute(stream, {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}});
    stream.wait();
  });
  for (int i = 0; i < n * n; ++i)
    if (std::fabs(c[i] - reference[size_t(i)]) > 1e-3f * (1 + std::fabs(reference[size_t(i)])) ||
        std::fabs(nvccC[size_t(i)] - reference[size_t(i)]) >
            1e-3f * (1 + std::fabs(reference[size_t(i)])) ||
        std::fabs(naive[size_t(i)] - reference[size_t(i)]) >
            1e-3f * (1 + std::fabs(reference[size_t(i)])) ||
        std::fabs(poclC[size_t(i)] - reference[size_t(i)]) >
            1e-3f * (1 + std::fabs(reference[size_t(i)]))) {
      std::fprintf(stderr, "results differ at %d\n", i);
      return 1;
    }
  double flops = 2.0 * n * n * n;
  std::printf("%d x %d f32 matmul, %u threads\n", n, n, threads);
  std::printf("  tiled kernel (16x16 shared tiles) %8.2f GFLOP/s %8.3f ms (clang)\n",
              flops / kernelSeconds / 1e9, kernelSeconds * 1e3);
  std::printf("  the same kernel from nvcc's PTX   %8.2f GFLOP/s %8.3f ms  %.2fx of clang's\n",
              flops / nvccSeconds / 1e9, nvccSeconds * 1e3, kernelSeconds / nvccSeconds);
  std::printf("  naive C++ triple loop (threads)   %8.2f GFLOP/s %8.3f ms  kernel is %.2fx\n",
              flops / naiveSeconds / 1e9, naiveSeconds * 1e3, naiveSeconds / kernelSeconds);
  std::printf("  oneDNN matmul                     %8.2f GFLOP/s %8.3f ms  kernel is %.2fx\n",
              flops / dnnlSeconds / 1e9, dnnlSeconds * 1e3, dnnlSeconds / kernelSeconds);
  std::printf("  PoCL, same kernel in OpenCL C     %8.2f GFLOP/s %8.3f ms  kernel is %.2fx\n",
              flops / poclSeconds / 1e9, poclSeconds * 1e3, poclSeconds / kernelSeconds);
  return 0;
}

// GEMM through Drawbridge's libcublas beside oneDNN called directly, at LLM shapes, in the same
// run: what the shim costs over the library it stands on. Prints GFLOP/s and the ratio. Then
// Sgemv's memory bandwidth beside a triad loop's over the same number of bytes: a GEMV is bound
// by reading the matrix, so the triad says how close to the machine's bandwidth it comes.
//
//   cublas_gemm_bench [repetitions]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <functional>
#include <oneapi/dnnl/dnnl.hpp>
#include <thread>
#include <vector>

namespace {

struct Shape {
  const char* name;
  int m, n, k; // C (m x n) = A (m x k) x B (k x n)
};

double bestSeconds(int repetitions, const std::function<void()>& run) {
  run(); // warm-up: primitive creation, page faults
  double best = 1e300;
  for (int r = 0; r < repetitions; ++r) {
    auto start = std::chrono::steady_clock::now();
    run();
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

void* deviceBuffer(size_t bytes) {
  void* p = nullptr;
  if (cudaMalloc(&p, bytes) != cudaSuccess) {
    std::fprintf(stderr, "cudaMalloc of %zu bytes failed\n", bytes);
    std::exit(1);
  }
  std::vector<unsigned char> fill(bytes);
  for (size_t i = 0; i < bytes; ++i)
    fill[i] = static_cast<unsigned char>((i * 37) % 61 + 1); // small finite values in any type
  cudaMemcpy(p, fill.data(), bytes, cudaMemcpyHostToDevice);
  return p;
}

// cuBLAS column-major: C(m x n) = A(m x k) B(k x n), no transposes.
double viaCublas(cublasHandle_t handle, const Shape& s, cudaDataType type, size_t size, int reps) {
  void* a = deviceBuffer(size * s.m * s.k);
  void* b = deviceBuffer(size * s.k * s.n);
  void* c = deviceBuffer(size * s.m * s.n);
  float alpha = 1, beta = 0;
  double seconds = bestSeconds(reps, [&] {
    cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, s.m, s.n, s.k, &alpha, a, type, s.m, b, type,
                 s.k, &beta, c, type, s.m, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    cudaDeviceSynchronize();
  });
  cudaFree(a), cudaFree(b), cudaFree(c);
  return seconds;
}

// The same multiplication as a oneDNN user would write it for speed: the column-major C is the
// row-major C^T = B^T A^T, in oneDNN's plain row-major layouts, the primitive made once.
double viaOneDnn(const Shape& s, dnnl::memory::data_type type, size_t size, int reps) {
  using dims = dnnl::memory::dims;
  using tag = dnnl::memory::format_tag;
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  dnnl::memory::desc a(dims{s.n, s.k}, type, tag::ab), b(dims{s.k, s.m}, type, tag::ab),
      c(dims{s.n, s.m}, type, tag::ab);
  dnnl::matmul matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, c), engine));
  std::vector<unsigned char> A(size * s.n * s.k, 1), B(size * s.k * s.m, 1), C(size * s.m * s.n);
  dnnl::memory ma(a, engine, A.data()), mb(b, engine, B.data()), mc(c, engine, C.data());
  return bestSeconds(reps, [&] {
    matmul.execute(stream, {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}});
    stream.wait();
  });
}

// y = op(A) x for a 4096 x 4096 A: the bytes of A, x and y moved per second.
double gemvBytesPerSecond(cublasHandle_t handle, cublasOperation_t op, int size, int reps) {
  auto* a = static_cast<float*>(deviceBuffer(sizeof(float) * size * size));
  auto* x = static_cast<float*>(deviceBuffer(sizeof(float) * size));
  auto* y = static_cast<float*>(deviceBuffer(sizeof(float) * size));
  float alpha = 1, beta = 0;
  double seconds = bestSeconds(reps, [&] {
    cublasSgemv(handle, op, size, size, &alpha, a, size, x, 1, &beta, y, 1);
    cudaDeviceSynchronize();
  });
  cudaFree(a), cudaFree(x), cudaFree(y);
  return sizeof(float) * (double(size) * size + 2.0 * size) / seconds;
}

// a = b + s * c over three arrays holding `bytes` in all, on every hardware thread: the
// bandwidth a plain loop reaches (two reads and a write per element).
double triadBytesPerSecond(size_t bytes, int reps) {
  size_t n = bytes / sizeof(float) / 3;
  std::vector<float> a(n, 0), b(n, 1), c(n, 2);
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  auto triad = [&] {
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t)
      workers.emplace_back([&, t] {
        size_t begin = n * t / threads, end = n * (t + 1) / threads;
        for (size_t i = begin; i < end; ++i)
          a[i] = b[i] + 3.0f * c[i];
      });
    for (auto& worker : workers)
      worker.join();
  };
  return 3.0 * n * sizeof(float) / bestSeconds(reps, triad);
}

} // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IONBF, 0); // each line as it is measured
  int reps = argc > 1 ? std::atoi(argv[1]) : 3;
  const Shape shapes[] = {{"4096x4096x1 (decode, GEMV-like)", 4096, 1, 4096},
                          {"4096x4096x128 (prefill)", 4096, 128, 4096},
                          {"4096x11008x512 (MLP)", 4096, 512, 11008},
                          {"512x512x512", 512, 512, 512}};
  cublasHandle_t handle;
  if (cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS) {
    std::fprintf(stderr, "cublasCreate failed: run through Drawbridge's libraries\n");
    return 1;
  }
  std::printf("%-34s %-5s %14s %14s %8s\n", "shape (m x k x n)", "type", "shim GFLOP/s",
              "oneDNN GFLOP/s", "ratio");
  for (const Shape& s : shapes)
    for (auto [name, cuda, dnnlType, size] :
         {std::tuple{"f32", CUDA_R_32F, dnnl::memory::data_type::f32, sizeof(float)},
          std::tuple{"bf16", CUDA_R_16BF, dnnl::memory::data_type::bf16, size_t(2)}}) {
      double flops = 2.0 * s.m * s.n * s.k;
      double shim = flops / viaCublas(handle, s, cuda, size, reps) / 1e9;
      double direct = flops / viaOneDnn(s, dnnlType, size, reps) / 1e9;
      std::printf("%-34s %-5s %14.1f %14.1f %7.2fx\n", s.name, name, shim, direct, shim / direct);
    }
  const int gemvSize = 4096;
  double triad = triadBytesPerSecond(sizeof(float) * gemvSize * gemvSize, reps);
  std::printf("\n%-34s %14s %14s %8s\n", "GEMV 4096x4096 f32", "shim GB/s", "triad GB/s", "ratio");
  for (auto [name, op] : {std::pair{"Sgemv N", CUBLAS_OP_N}, std::pair{"Sgemv T", CUBLAS_OP_T}}) {
    double gemv = gemvBytesPerSecond(handle, op, gemvSize, reps);
    std::printf("%-34s %14.1f %14.1f %7.2fx\n", name, gemv / 1e9, triad / 1e9, gemv / triad);
  }
  cublasDestroy(handle);
  return 0;
}

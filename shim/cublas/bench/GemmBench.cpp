// GEMM through Drawbridge's libcublas beside oneDNN called directly, at LLM shapes, in the same
// run: what the shim costs over the library it stands on. Prints GFLOP/s and the ratio. Then
// Sgemv's memory bandwidth beside a triad loop's over the same number of bytes: a GEMV is bound
// by reading the matrix, so the triad says how close to the machine's bandwidth it comes.
// The two sides of each row are timed in turn, call by call, so that both see the same load on
// a shared machine; each keeps its best time.
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
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

struct Shape {
  const char* name;
  int m, n, k; // C (m x n) = A (m x k) x B (k x n)
};

double seconds(const std::function<void()>& run) {
  auto start = std::chrono::steady_clock::now();
  run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The best time of each, measured alternately after a warm-up of each (primitive creation,
// page faults).
std::pair<double, double> bestInTurn(int repetitions, const std::function<void()>& first,
                                     const std::function<void()>& second) {
  first();
  second();
  double a = 1e300, b = 1e300;
  for (int r = 0; r < repetitions; ++r) {
    a = std::min(a, seconds(first));
    b = std::min(b, seconds(second));
  }
  return {a, b};
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

// Device buffers that live as long as one row of the table.
struct DeviceBuffers {
  std::vector<void*> pointers;
  void* add(size_t bytes) { return pointers.emplace_back(deviceBuffer(bytes)); }
  ~DeviceBuffers() {
    for (void* p : pointers)
      cudaFree(p);
  }
};

// cuBLAS column-major: C(m x n) = A(m x k) B(k x n), no transposes.
std::function<void()> viaCublas(cublasHandle_t handle, const Shape& s, cudaDataType type,
                                size_t size, DeviceBuffers& buffers) {
  void* a = buffers.add(size * s.m * s.k);
  void* b = buffers.add(size * s.k * s.n);
  void* c = buffers.add(size * s.m * s.n);
  return [=] {
    float alpha = 1, beta = 0;
    cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, s.m, s.n, s.k, &alpha, a, type, s.m, b, type,
                 s.k, &beta, c, type, s.m, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    cudaDeviceSynchronize();
  };
}

// The same multiplication as a oneDNN user would write it for speed: the column-major C is the
// row-major C^T = B^T A^T, in oneDNN's plain row-major layouts, the primitive made once.
struct OneDnnGemm {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  dnnl::matmul matmul;
  std::vector<unsigned char> a, b, c;
  std::unordered_map<int, dnnl::memory> args;

  OneDnnGemm(const Shape& s, dnnl::memory::data_type type, size_t size)
      : a(size * s.n * s.k, 1), b(size * s.k * s.m, 1), c(size * s.m * s.n) {
    using dims = dnnl::memory::dims;
    using tag = dnnl::memory::format_tag;
    dnnl::memory::desc aDesc(dims{s.n, s.k}, type, tag::ab), bDesc(dims{s.k, s.m}, type, tag::ab),
        cDesc(dims{s.n, s.m}, type, tag::ab);
    matmul =
        dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(aDesc, bDesc, cDesc), engine));
    args = {{DNNL_ARG_SRC, dnnl::memory(aDesc, engine, a.data())},
            {DNNL_ARG_WEIGHTS, dnnl::memory(bDesc, engine, b.data())},
            {DNNL_ARG_DST, dnnl::memory(cDesc, engine, c.data())}};
  }
  void operator()() {
    matmul.execute(stream, args);
    stream.wait();
  }
};

// y = op(A) x for a square A: moves the bytes of A, x and y.
std::function<void()> viaSgemv(cublasHandle_t handle, cublasOperation_t op, int size,
                               DeviceBuffers& buffers) {
  auto* a = static_cast<float*>(buffers.add(sizeof(float) * size * size));
  auto* x = static_cast<float*>(buffers.add(sizeof(float) * size));
  auto* y = static_cast<float*>(buffers.add(sizeof(float) * size));
  return [=] {
    float alpha = 1, beta = 0;
    cublasSgemv(handle, op, size, size, &alpha, a, size, x, 1, &beta, y, 1);
    cudaDeviceSynchronize();
  };
}

// a = b + s * c on every hardware thread: the bandwidth a plain loop reaches (two reads and a
// write per element).
struct Triad {
  std::vector<float> a, b, c;
  explicit Triad(size_t bytes) : a(bytes / sizeof(float) / 3, 0), b(a.size(), 1), c(a.size(), 2) {}
  double bytes() const { return 3.0 * a.size() * sizeof(float); }
  void operator()() {
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    size_t n = a.size();
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t)
      workers.emplace_back([this, n, t, threads] {
        for (size_t i = n * t / threads, end = n * (t + 1) / threads; i < end; ++i)
          a[i] = b[i] + 3.0f * c[i];
      });
    for (auto& worker : workers)
      worker.join();
  }
};

} // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IONBF, 0); // each line as it is measured
  int reps = argc > 1 ? std::atoi(argv[1]) : 5;
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
      DeviceBuffers buffers;
      OneDnnGemm direct(s, dnnlType, size);
      auto [shimSeconds, directSeconds] =
          bestInTurn(reps, viaCublas(handle, s, cuda, size, buffers), std::ref(direct));
      double gflop = 2.0 * s.m * s.n * s.k / 1e9;
      std::printf("%-34s %-5s %14.1f %14.1f %7.2fx\n", s.name, name, gflop / shimSeconds,
                  gflop / directSeconds, directSeconds / shimSeconds);
    }

  const int size = 4096;
  const double gemvBytes = sizeof(float) * (double(size) * size + 2.0 * size);
  std::printf("\n%-34s %14s %14s %8s\n", "GEMV 4096x4096 f32", "shim GB/s", "triad GB/s", "ratio");
  for (auto [name, op] : {std::pair{"Sgemv N", CUBLAS_OP_N}, std::pair{"Sgemv T", CUBLAS_OP_T}}) {
    DeviceBuffers buffers;
    Triad triad(gemvBytes);
    auto [gemvSeconds, triadSeconds] =
        bestInTurn(reps, viaSgemv(handle, op, size, buffers), std::ref(triad));
    double gemv = gemvBytes / gemvSeconds / 1e9, loop = triad.bytes() / triadSeconds / 1e9;
    std::printf("%-34s %14.1f %14.1f %7.2fx\n", name, gemv, loop, gemv / loop);
  }
  cublasDestroy(handle);
  return 0;
}

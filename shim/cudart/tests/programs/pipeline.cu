// An ordinary CUDA program, written with no knowledge of Drawbridge: data is split into chunks
// that three streams upload, transform and reduce concurrently from pinned memory; a fourth
// stream waits on their events and combines the partial results; the host prints them. Integer
// arithmetic and order-independent atomics make the output the same on every GPU.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>

#define CHECK(call)                                                                                \
  do {                                                                                             \
    cudaError_t status_ = (call);                                                                  \
    if (status_ != cudaSuccess) {                                                                  \
      std::fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, cudaGetErrorString(status_));        \
      std::exit(1);                                                                                \
    }                                                                                              \
  } while (0)

constexpr int kChunks = 6;
constexpr int kStreams = 3;
constexpr int kChunkSize = 1 << 16;
constexpr int kBlock = 256;
constexpr int kBuckets = 10;

struct Partial {
  unsigned long long sum;
  unsigned int max;
  unsigned int sevens;
};

__global__ void transform(const unsigned int* in, unsigned int* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    unsigned int x = in[i];
    out[i] = (x * x) % 1000u + (x >> 3);
  }
}

// A shared-memory tree per block, then one atomic per block into the chunk's partial result.
__global__ void reduce(const unsigned int* values, int n, Partial* partial,
                       unsigned int* histogram) {
  __shared__ unsigned long long sums[kBlock];
  __shared__ unsigned int maxima[kBlock];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  unsigned int v = i < n ? values[i] : 0;
  sums[threadIdx.x] = v;
  maxima[threadIdx.x] = v;
  if (i < n) {
    atomicAdd(&histogram[v % kBuckets], 1u);
    if (v % 7 == 0)
      atomicAdd(&partial->sevens, 1u);
  }
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) {
      sums[threadIdx.x] += sums[threadIdx.x + stride];
      maxima[threadIdx.x] = max(maxima[threadIdx.x], maxima[threadIdx.x + stride]);
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    atomicAdd(&partial->sum, sums[0]);
    atomicMax(&partial->max, maxima[0]);
  }
}

__global__ void combine(const Partial* partials, int count, Partial* total) {
  if (threadIdx.x == 0 && blockIdx.x == 0) {
    Partial t = {0, 0, 0};
    for (int c = 0; c < count; ++c) {
      t.sum += partials[c].sum;
      t.max = max(t.max, partials[c].max);
      t.sevens += partials[c].sevens;
    }
    *total = t;
  }
}

int main() {
  const size_t total = size_t(kChunks) * kChunkSize;
  unsigned int *hostIn = nullptr, *hostHistogram = nullptr;
  Partial* hostPartials = nullptr;
  CHECK(cudaMallocHost(&hostIn, total * sizeof(unsigned int)));
  CHECK(cudaMallocHost(&hostPartials, (kChunks + 1) * sizeof(Partial)));
  CHECK(cudaMallocHost(&hostHistogram, kChunks * kBuckets * sizeof(unsigned int)));
  for (size_t i = 0; i < total; ++i)
    hostIn[i] = (unsigned int)((i * 2654435761ull) >> 16) & 0xffffu;

  unsigned int *in = nullptr, *out = nullptr, *histogram = nullptr;
  Partial* partials = nullptr;
  CHECK(cudaMalloc(&in, total * sizeof(unsigned int)));
  CHECK(cudaMalloc(&out, total * sizeof(unsigned int)));
  CHECK(cudaMalloc(&histogram, kChunks * kBuckets * sizeof(unsigned int)));
  CHECK(cudaMalloc(&partials, (kChunks + 1) * sizeof(Partial)));

  cudaStream_t streams[kStreams], final;
  cudaEvent_t done[kChunks], start, stop;
  for (auto& s : streams)
    CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  CHECK(cudaStreamCreateWithFlags(&final, cudaStreamNonBlocking));
  for (auto& e : done)
    CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreate(&stop));

  CHECK(cudaEventRecord(start, final));
  for (int c = 0; c < kChunks; ++c) {
    cudaStream_t s = streams[c % kStreams];
    size_t offset = size_t(c) * kChunkSize;
    CHECK(cudaMemsetAsync(partials + c, 0, sizeof(Partial), s));
    CHECK(cudaMemsetAsync(histogram + c * kBuckets, 0, kBuckets * sizeof(unsigned int), s));
    CHECK(cudaMemcpyAsync(in + offset, hostIn + offset, kChunkSize * sizeof(unsigned int),
                          cudaMemcpyHostToDevice, s));
    int blocks = (kChunkSize + kBlock - 1) / kBlock;
    transform<<<blocks, kBlock, 0, s>>>(in + offset, out + offset, kChunkSize);
    reduce<<<blocks, kBlock, 0, s>>>(out + offset, kChunkSize, partials + c,
                                     histogram + c * kBuckets);
    CHECK(cudaGetLastError());
    CHECK(cudaEventRecord(done[c], s));
  }
  for (auto& e : done)
    CHECK(cudaStreamWaitEvent(final, e, 0));
  combine<<<1, 32, 0, final>>>(partials, kChunks, partials + kChunks);
  CHECK(cudaMemcpyAsync(hostPartials, partials, (kChunks + 1) * sizeof(Partial),
                        cudaMemcpyDeviceToHost, final));
  CHECK(cudaMemcpyAsync(hostHistogram, histogram, kChunks * kBuckets * sizeof(unsigned int),
                        cudaMemcpyDeviceToHost, final));
  CHECK(cudaEventRecord(stop, final));
  CHECK(cudaEventSynchronize(stop));
  float ms = 0;
  CHECK(cudaEventElapsedTime(&ms, start, stop));

  for (int c = 0; c < kChunks; ++c)
    std::printf("chunk %d: sum %llu max %u sevens %u\n", c, hostPartials[c].sum,
                hostPartials[c].max, hostPartials[c].sevens);
  std::printf("total: sum %llu max %u sevens %u\n", hostPartials[kChunks].sum,
              hostPartials[kChunks].max, hostPartials[kChunks].sevens);
  std::printf("histogram:");
  for (int b = 0; b < kBuckets; ++b) {
    unsigned int count = 0;
    for (int c = 0; c < kChunks; ++c)
      count += hostHistogram[c * kBuckets + b];
    std::printf(" %u", count);
  }
  std::printf("\n");
  std::fprintf(stderr, "elapsed %.3f ms\n", ms);

  for (auto& s : streams)
    CHECK(cudaStreamDestroy(s));
  CHECK(cudaStreamDestroy(final));
  for (auto& e : done)
    CHECK(cudaEventDestroy(e));
  CHECK(cudaEventDestroy(start));
  CHECK(cudaEventDestroy(stop));
  CHECK(cudaFree(in));
  CHECK(cudaFree(out));
  CHECK(cudaFree(histogram));
  CHECK(cudaFree(partials));
  CHECK(cudaFreeHost(hostIn));
  CHECK(cudaFreeHost(hostPartials));
  CHECK(cudaFreeHost(hostHistogram));
  return 0;
}

// One module, several good kernels and two that Drawbridge cannot compile: `pm_event` has an
// instruction the PTX frontend refuses (pmevent), `named_arrive` one the CPU backend cannot run
// (bar.arrive with a thread count). Through Drawbridge their launches fail with
// cudaErrorInvalidPtx, as CUDA's do for PTX its JIT rejects; the error is not sticky and the
// other kernels run. On an NVIDIA GPU every kernel runs; the program accepts both and prints
// which happened. `contained first` launches only the first kernel (to see what loading
// compiled).
#include "Check.cuh"

#include <cstring>

__device__ int offset;

__device__ float twice(float x) {
  return 2.0f * x;
}

extern "C" __global__ void scale(float* out, const float* in, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = twice(in[i]);
}

extern "C" __global__ void pm_event(float* out) {
  asm volatile("pmevent 1;");
  out[threadIdx.x] = -1.0f;
}

extern "C" __global__ void shift(float* out, const float* in, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = twice(in[i]) + float(offset);
}

extern "C" __global__ void named_arrive(float* out) {
  asm volatile("bar.arrive 1, 64;");
  out[threadIdx.x] = -2.0f;
}

namespace {

constexpr int kCount = 256;

void checkScaled(const float* out, const float* in, float plus) {
  for (int i = 0; i < kCount; ++i)
    if (out[i] != 2.0f * in[i] + plus) {
      std::printf("FAIL: out[%d] = %g, expected %g\n", i, out[i], 2.0f * in[i] + plus);
      std::exit(1);
    }
}

/// Launches a kernel that Drawbridge cannot compile: the launch fails with cudaErrorInvalidPtx
/// and a second launch fails the same way (or, natively, both run). Either way the error is
/// not sticky: nothing is left for cudaGetLastError or the next synchronisation.
void launchUnsupported(const char* name, void (*kernel)(float*), float* out) {
  cudaError_t first = cudaSuccess;
  for (int attempt = 0; attempt < 2; ++attempt) {
    kernel<<<1, 64>>>(out);
    cudaError_t error = cudaGetLastError();
    REQUIRE(error == cudaSuccess || error == cudaErrorInvalidPtx);
    if (attempt == 0)
      first = error;
    REQUIRE(error == first);
    OK(cudaGetLastError());
    OK(cudaDeviceSynchronize());
  }
  cudaFuncAttributes attributes;
  EXPECT(cudaFuncGetAttributes(&attributes, kernel), first);
  EXPECT(cudaGetLastError(), first); // a failed call is the last error, as every runtime call's
  std::printf("%s: %s\n", name, first == cudaSuccess ? "ran" : cudaGetErrorString(first));
}

} // namespace

int main(int argc, char** argv) {
  float *in, *out;
  OK(cudaMallocManaged(&in, kCount * sizeof(float)));
  OK(cudaMallocManaged(&out, kCount * sizeof(float)));
  for (int i = 0; i < kCount; ++i)
    in[i] = float(i);
  // A __device__ variable written before any kernel of its module has run.
  int five = 5;
  OK(cudaMemcpyToSymbol(offset, &five, sizeof five));

  scale<<<kCount / 64, 64>>>(out, in, kCount);
  OK(cudaGetLastError());
  OK(cudaDeviceSynchronize());
  checkScaled(out, in, 0.0f);
  if (argc > 1 && std::strcmp(argv[1], "first") == 0) {
    std::printf("first ok\n");
    return 0;
  }

  launchUnsupported("pm_event", pm_event, out);
  shift<<<kCount / 64, 64>>>(out, in, kCount);
  OK(cudaGetLastError());
  OK(cudaDeviceSynchronize());
  checkScaled(out, in, 5.0f);

  launchUnsupported("named_arrive", named_arrive, out);
  std::memset(out, 0, kCount * sizeof(float));
  scale<<<kCount / 64, 64>>>(out, in, kCount);
  OK(cudaDeviceSynchronize());
  checkScaled(out, in, 0.0f);
  std::printf("contained ok\n");
  return 0;
}

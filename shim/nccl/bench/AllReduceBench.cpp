// All-reduce bus bandwidth through Drawbridge's libnccl beside MPI_Allreduce called directly on
// the same buffers, 1 KiB to 256 MiB of floats, out of place: what the shim costs over the MPI
// it stands on. Bandwidths are nccl-tests' definitions: algbw = bytes / time, busbw = algbw *
// 2(n-1)/n, with the time of the slowest rank. The two sides alternate call by call (which goes
// first alternating too) after a warm-up, so that both see the same load on a shared machine;
// each side's median call gives its bandwidth, and the ratio is the median of the ratios of
// the pairs of calls made one right after the other.
//
//   mpirun -np 2 nccl_allreduce_bench [calls per size, at most]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime_api.h>
#include <functional>
#include <mpi.h>
#include <nccl.h>
#include <vector>

namespace {

int rank, nranks;

// The slowest rank's time for one call of `run`, in seconds.
double timed(const std::function<void()>& run) {
  MPI_Barrier(MPI_COMM_WORLD);
  auto start = std::chrono::steady_clock::now();
  run();
  double mine = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double slowest = 0;
  MPI_Allreduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return slowest;
}

double median(std::vector<double> values) {
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

bool check(cudaError_t error, const char* what) {
  if (error == cudaSuccess)
    return true;
  std::fprintf(stderr, "%s: %s\n", what, cudaGetErrorString(error));
  return false;
}

} // namespace

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nranks);
  int calls = argc > 1 ? std::atoi(argv[1]) : 50;

  ncclUniqueId id;
  if (rank == 0 && ncclGetUniqueId(&id) != ncclSuccess)
    MPI_Abort(MPI_COMM_WORLD, 1);
  MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
  ncclComm_t comm;
  cudaStream_t stream;
  if (!check(cudaStreamCreate(&stream), "cudaStreamCreate") ||
      ncclCommInitRank(&comm, nranks, id, rank) != ncclSuccess)
    MPI_Abort(MPI_COMM_WORLD, 1);

  const size_t largest = size_t(256) << 20;
  float *deviceIn, *deviceOut;
  if (!check(cudaMalloc(&deviceIn, largest), "cudaMalloc") ||
      !check(cudaMalloc(&deviceOut, largest), "cudaMalloc"))
    MPI_Abort(MPI_COMM_WORLD, 1);
  {
    std::vector<float> ones(largest / sizeof(float), 1.0f);
    cudaMemcpy(deviceIn, ones.data(), largest, cudaMemcpyHostToDevice);
  }

  if (rank == 0)
    std::printf("%d ranks; busbw in GB/s (nccl-tests' definition), median of up to %d calls\n"
                "%12s %12s %12s %8s\n",
                nranks, calls, "bytes", "nccl busbw", "MPI busbw", "ratio");
  double factor = 2.0 * (nranks - 1) / nranks;
  auto shim = [&](size_t count) {
    ncclAllReduce(deviceIn, deviceOut, count, ncclFloat, ncclSum, comm, stream);
    cudaStreamSynchronize(stream);
  };
  // Drawbridge's device memory is host memory: MPI reads and writes the very same buffers.
  auto mpi = [&](size_t count) {
    MPI_Allreduce(deviceIn, deviceOut, int(count), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  };
  for (size_t bytes = 1024; bytes <= largest; bytes *= 4) {
    size_t count = bytes / sizeof(float);
    // Fewer calls for large sizes: each moves enough bytes to be timed alone.
    int iterations = int(std::clamp<size_t>((size_t(64) << 20) / bytes, 7, size_t(calls)));
    shim(count);
    mpi(count);
    std::vector<double> ncclTimes, mpiTimes, ratios;
    for (int i = 0; i < iterations; ++i) {
      double first = timed([&] { i % 2 ? mpi(count) : shim(count); });
      double second = timed([&] { i % 2 ? shim(count) : mpi(count); });
      ncclTimes.push_back(i % 2 ? second : first);
      mpiTimes.push_back(i % 2 ? first : second);
      ratios.push_back(mpiTimes.back() / ncclTimes.back());
    }
    ncclResult_t async = ncclSuccess;
    ncclCommGetAsyncError(comm, &async);
    if (async != ncclSuccess)
      MPI_Abort(MPI_COMM_WORLD, 1);
    if (rank == 0)
      std::printf("%12zu %12.2f %12.2f %8.2f\n", bytes, bytes / median(ncclTimes) * factor / 1e9,
                  bytes / median(mpiTimes) * factor / 1e9, median(ratios));
  }
  ncclCommDestroy(comm);
  cudaFree(deviceIn);
  cudaFree(deviceOut);
  cudaStreamDestroy(stream);
  MPI_Finalize();
  return 0;
}

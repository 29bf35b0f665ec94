// One rank dies (SIGKILL) while the others wait in an all-reduce with it: they must not hang.
#include <csignal>
#include <cstdio>
#include <cuda_runtime_api.h>
#include <mpi.h>
#include <nccl.h>
#include <unistd.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank, nranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nranks);
  ncclUniqueId id;
  if (rank == 0)
    ncclGetUniqueId(&id);
  MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
  ncclComm_t comm;
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  if (ncclCommInitRank(&comm, nranks, id, rank) != ncclSuccess)
    return 1;
  float* data;
  cudaMalloc(&data, 1 << 20);
  if (rank == 1) {
    std::printf("rank 1: killing itself\n");
    std::fflush(stdout);
    raise(SIGKILL);
  }
  std::printf("rank %d: in ncclAllReduce\n", rank);
  std::fflush(stdout);
  ncclAllReduce(data, data, 1 << 18, ncclFloat, ncclSum, comm, stream);
  cudaStreamSynchronize(stream);
  ncclResult_t async = ncclSuccess;
  ncclCommGetAsyncError(comm, &async);
  std::printf("rank %d: the all-reduce ended: %s\n", rank, ncclGetErrorString(async));
  return async == ncclSuccess ? 0 : 2;
}

// What an ncclComm_t holds: two MPI communicators over the same ranks, one for the data the
// collectives move (used only in stream order) and one for the host-side calls (split,
// finalize), so the two never interleave on one MPI communicator.
#pragma once

#include <atomic>
#include <memory>
#include <mpi.h>
#include <mutex>
#include <nccl.h>
#include <string>
#include <vector>

struct ncclComm {
  MPI_Comm data = MPI_COMM_NULL;
  MPI_Comm control = MPI_COMM_NULL;
  int rank = 0;
  int size = 1;
  int device = 0;
  /// The first error of work that ran on a stream (ncclCommGetAsyncError).
  std::atomic<ncclResult_t> asyncError{ncclSuccess};
  /// Stream-ordered work on this communicator runs one call at a time.
  std::mutex dataOrder;
  /// Scalars of ncclRedOpCreatePreMulSum, indexed by op - ncclNumOps (nullptr once destroyed).
  struct PreMulSum {
    ncclDataType_t type;
    unsigned char scalar[8];
    const void* deviceScalar; // ncclScalarDevice: read when the reduction runs
  };
  std::vector<std::unique_ptr<PreMulSum>> preMulSums;
  /// Work captured into CUDA graphs: a graph replays it, so it lives as long as the communicator.
  std::vector<std::shared_ptr<void>> captured;
};

namespace drawbridge::nccl {

/// Records `message` as the calling thread's last error (ncclGetLastError) and on stderr
/// when DRAWBRIDGE_TRACE is set, and returns `result`.
ncclResult_t fail(ncclResult_t result, const std::string& message);

/// The calling thread's last error message ("" when none).
const char* lastErrorText();

/// Initialises MPI once (MPI_THREAD_MULTIPLE) unless the program already has, and finalises
/// it at exit if Drawbridge initialised it. MPI errors are returned, never fatal.
ncclResult_t ensureMpi();

/// An MPI error code as an NCCL result, remembered as the last error under `what`.
ncclResult_t fromMpi(int code, const char* what);

} // namespace drawbridge::nccl

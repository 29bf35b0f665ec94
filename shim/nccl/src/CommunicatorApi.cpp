// Unique ids and communicators. Ranks are MPI processes (started by mpirun); a communicator is
// the MPI processes that call ncclCommInitRank with the same unique id, found by splitting
// MPI_COMM_WORLD on the id. So every process of the MPI job takes part in each
// ncclCommInitRank, as NCCL's own bootstrap needs every rank of the id to call it.
#include "Communicator.h"
#include "Elements.h"
#include "Export.h"

#include <cstdlib>
#include <cstring>
#include <cuda_runtime_api.h>
#include <random>

namespace drawbridge::nccl {
namespace {

constexpr char kIdMagic[] = "drawbridge-nccl-mpi";

bool finalizeAtExit = false;

void finalizeMpi() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized)
    MPI_Finalize();
}

// The color an id splits MPI_COMM_WORLD with: its random part, as a non-negative int.
int colorOf(const ncclUniqueId& id) {
  uint32_t key;
  std::memcpy(&key, id.internal + sizeof kIdMagic, sizeof key);
  return int(key & 0x7fffffff);
}

ncclResult_t makeCommunicator(MPI_Comm group, ncclComm_t* out) {
  auto comm = std::make_unique<ncclComm>();
  MPI_Comm_set_errhandler(group, MPI_ERRORS_RETURN);
  comm->data = group;
  if (int code = MPI_Comm_dup(group, &comm->control))
    return fromMpi(code, "ncclCommInitRank");
  MPI_Comm_rank(group, &comm->rank);
  MPI_Comm_size(group, &comm->size);
  if (cudaGetDevice(&comm->device) != cudaSuccess)
    return fail(ncclUnhandledCudaError, "ncclCommInitRank: cudaGetDevice failed");
  *out = comm.release();
  return ncclSuccess;
}

void release(ncclComm_t comm) {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) {
    MPI_Comm_free(&comm->data);
    MPI_Comm_free(&comm->control);
  }
  delete comm;
}

// What NCCL checks of a config before using it: made by NCCL_CONFIG_INITIALIZER, and a
// blocking flag of 0, 1 or unset. Its tuning fields change nothing on MPI.
ncclResult_t checkConfig(const ncclConfig_t* config, const char* api) {
  if (!config)
    return ncclSuccess;
  if (config->magic != 0xcafebeef)
    return fail(ncclInvalidArgument, std::string(api) +
                                         ": ncclConfig_t argument not initialized via "
                                         "NCCL_CONFIG_INITIALIZER");
  if (config->blocking != NCCL_CONFIG_UNDEF_INT && config->blocking != 0 && config->blocking != 1)
    return fail(ncclInvalidArgument, std::string(api) +
                                         ": invalid config blocking attribute value " +
                                         std::to_string(config->blocking));
  return ncclSuccess;
}

} // namespace

ncclResult_t ensureMpi() {
  static std::once_flag once;
  static int code = MPI_SUCCESS;
  std::call_once(once, [] {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized)
      return;
    int provided = 0;
    code = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
    if (code == MPI_SUCCESS) {
      finalizeAtExit = true;
      std::atexit(finalizeMpi);
    }
  });
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  return fromMpi(code, "MPI_Init_thread");
}

} // namespace drawbridge::nccl

using namespace drawbridge::nccl;

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclGetUniqueId(ncclUniqueId* id) {
  if (!id)
    return fail(ncclInvalidArgument, "ncclGetUniqueId: uniqueId is NULL");
  std::memset(id, 0, sizeof *id);
  std::memcpy(id->internal, kIdMagic, sizeof kIdMagic);
  std::random_device random;
  uint32_t key = random();
  std::memcpy(id->internal + sizeof kIdMagic, &key, sizeof key);
  return ncclSuccess;
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclGetUniqueId)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId id,
                                                     int rank) {
  if (!comm)
    return fail(ncclInvalidArgument, "ncclCommInitRank: comm is NULL");
  *comm = nullptr;
  if (nranks < 1 || rank < 0 || rank >= nranks)
    return fail(ncclInvalidArgument, "ncclCommInitRank: rank " + std::to_string(rank) +
                                         " is not in [0, nranks=" + std::to_string(nranks) + ")");
  if (std::memcmp(id.internal, kIdMagic, sizeof kIdMagic) != 0)
    return fail(ncclInvalidArgument,
                "ncclCommInitRank: the unique id was not made by ncclGetUniqueId");
  if (ncclResult_t result = ensureMpi())
    return result;
  MPI_Comm group;
  if (int code = MPI_Comm_split(MPI_COMM_WORLD, colorOf(id), rank, &group))
    return fromMpi(code, "ncclCommInitRank");
  int size = 0;
  MPI_Comm_size(group, &size);
  if (size != nranks) {
    MPI_Comm_free(&group);
    return fail(ncclInvalidUsage,
                "ncclCommInitRank: " + std::to_string(size) +
                    " processes share the unique id but " + "nranks is " + std::to_string(nranks) +
                    "; Drawbridge's NCCL runs one rank per MPI process: start the program with "
                    "`mpirun -np " +
                    std::to_string(nranks) + " drawbridge run -- PROGRAM`");
  }
  return makeCommunicator(group, comm);
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclCommInitRank)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclCommInitRankConfig(ncclComm_t* comm, int nranks,
                                                           ncclUniqueId id, int rank,
                                                           ncclConfig_t* config) {
  // Every communicator is ready when its init returns, which a non-blocking one may also be.
  if (ncclResult_t result = checkConfig(config, "ncclCommInitRankConfig"))
    return result;
  return ncclCommInitRank(comm, nranks, id, rank);
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclCommInitRankConfig)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclCommInitAll(ncclComm_t* comms, int ndev,
                                                    const int* devlist) {
  // NCCL's checks, in its order: on Drawbridge's one device, more than one rank in a process
  // fails as NCCL fails on a one-GPU machine (a bad or duplicate device, or cudaSetDevice).
  if (!comms || ndev < 0)
    return fail(ncclInvalidArgument, "ncclCommInitAll: comms is NULL or ndev < 0");
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess)
    return fail(ncclUnhandledCudaError, "ncclCommInitAll: cudaGetDeviceCount failed");
  const std::string oneRankPerProcess =
      "; Drawbridge has one device: run one rank per process (mpirun -np N drawbridge run -- "
      "PROGRAM) with ncclCommInitRank";
  for (int i = 0; devlist && i < ndev; ++i) {
    if (devlist[i] < 0 || devlist[i] >= devices)
      return fail(ncclInvalidArgument, "ncclCommInitAll: invalid device " +
                                           std::to_string(devlist[i]) + oneRankPerProcess);
    for (int j = 0; j < i; ++j)
      if (devlist[j] == devlist[i])
        return fail(ncclInvalidUsage, "ncclCommInitAll: duplicate device " +
                                          std::to_string(devlist[i]) + oneRankPerProcess);
  }
  for (int i = 0; i < ndev; ++i)
    if (cudaSetDevice(devlist ? devlist[i] : i) != cudaSuccess)
      return fail(ncclUnhandledCudaError, "ncclCommInitAll: cudaSetDevice(" + std::to_string(i) +
                                              ") failed" + oneRankPerProcess);
  if (ndev == 0)
    return ncclSuccess;
  if (ncclResult_t result = ensureMpi())
    return result;
  MPI_Comm self;
  if (int code = MPI_Comm_dup(MPI_COMM_SELF, &self))
    return fromMpi(code, "ncclCommInitAll");
  return makeCommunicator(self, comms);
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclCommInitAll)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclCommSplit(ncclComm_t comm, int color, int key,
                                                  ncclComm_t* newcomm, ncclConfig_t* config) {
  if (!comm || !newcomm)
    return fail(ncclInvalidArgument, "ncclCommSplit: comm or newcomm is NULL");
  *newcomm = nullptr;
  if (ncclResult_t result = checkConfig(config, "ncclCommSplit"))
    return result;
  if (color < NCCL_SPLIT_NOCOLOR)
    return fail(ncclInvalidArgument, "ncclCommSplit: color must be >= 0 or NCCL_SPLIT_NOCOLOR");
  MPI_Comm group;
  if (int code = MPI_Comm_split(comm->control, color == NCCL_SPLIT_NOCOLOR ? MPI_UNDEFINED : color,
                                key, &group))
    return fromMpi(code, "ncclCommSplit");
  if (group == MPI_COMM_NULL)
    return ncclSuccess;
  return makeCommunicator(group, newcomm);
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclCommSplit)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclCommFinalize(ncclComm_t comm) {
  if (!comm)
    return fail(ncclInvalidArgument, "ncclCommFinalize: comm is NULL");
  // Work already enqueued finishes in stream order; nothing else is outstanding.
  return ncclSuccess;
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclCommFinalize)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclCommDestroy(ncclComm_t comm) {
  if (comm) {
    std::lock_guard wait(comm->dataOrder); // no stream-ordered call is still using it
    release(comm);
  }
  return ncclSuccess;
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclCommDestroy)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclCommAbort(ncclComm_t comm) {
  if (comm)
    release(comm);
  return ncclSuccess;
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclCommAbort)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclCommCount(const ncclComm_t comm, int* count) {
  if (!comm || !count)
    return fail(ncclInvalidArgument, "ncclCommCount: comm or count is NULL");
  *count = comm->size;
  return ncclSuccess;
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclCommCount)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclCommCuDevice(const ncclComm_t comm, int* device) {
  if (!comm || !device)
    return fail(ncclInvalidArgument, "ncclCommCuDevice: comm or device is NULL");
  *device = comm->device;
  return ncclSuccess;
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclCommCuDevice)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclCommUserRank(const ncclComm_t comm, int* rank) {
  if (!comm || !rank)
    return fail(ncclInvalidArgument, "ncclCommUserRank: comm or rank is NULL");
  *rank = comm->rank;
  return ncclSuccess;
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclCommUserRank)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclCommGetAsyncError(ncclComm_t comm,
                                                          ncclResult_t* asyncError) {
  if (!comm || !asyncError)
    return fail(ncclInvalidArgument, "ncclCommGetAsyncError: comm or asyncError is NULL");
  *asyncError = comm->asyncError.load();
  return ncclSuccess;
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclCommGetAsyncError)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclRedOpCreatePreMulSum(ncclRedOp_t* op, void* scalar,
                                                             ncclDataType_t datatype,
                                                             ncclScalarResidence_t residence,
                                                             ncclComm_t comm) {
  auto size = elementSize(datatype);
  if (!op || !scalar || !comm || !size ||
      (residence != ncclScalarDevice && residence != ncclScalarHostImmediate))
    return fail(ncclInvalidArgument, "ncclRedOpCreatePreMulSum: invalid argument");
  auto entry = std::make_unique<ncclComm::PreMulSum>();
  entry->type = datatype;
  entry->deviceScalar = residence == ncclScalarDevice ? scalar : nullptr;
  if (residence == ncclScalarHostImmediate)
    std::memcpy(entry->scalar, scalar, *size);
  comm->preMulSums.push_back(std::move(entry));
  *op = ncclRedOp_t(ncclNumOps + comm->preMulSums.size() - 1);
  return ncclSuccess;
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclRedOpCreatePreMulSum)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclRedOpDestroy(ncclRedOp_t op, ncclComm_t comm) {
  size_t index = size_t(op) - ncclNumOps;
  if (!comm || op < ncclNumOps || index >= comm->preMulSums.size() || !comm->preMulSums[index])
    return fail(ncclInvalidArgument, "ncclRedOpDestroy: op was not created on this communicator");
  comm->preMulSums[index].reset();
  return ncclSuccess;
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclRedOpDestroy)

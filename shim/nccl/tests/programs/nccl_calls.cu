// Every NCCL call, data type and reduction operator, checked against values worked out on the
// host. Run as one rank per process: `nccl_calls mpi` broadcasts the unique id with MPI;
// `nccl_calls file PATH` has rank 0 write it to PATH and the others read it (ranks from Open
// MPI's environment, no MPI calls), as programs that start their ranks themselves do. Ranks: 2
// or 4 (a power of two, so ncclAvg's 1/nranks is exact in every type).
#include "Check.cuh"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <fstream>
#include <mpi.h>
#include <nccl.h>
#include <string>
#include <thread>
#include <vector>

#define NCCL_OK(call)                                                                              \
  do {                                                                                             \
    ncclResult_t got_ = (call);                                                                    \
    if (got_ != ncclSuccess) {                                                                     \
      std::printf("FAIL %s:%d: %s returned %s (%s)\n", __FILE__, __LINE__, #call,                  \
                  ncclGetErrorString(got_), ncclGetLastError(nullptr));                            \
      std::exit(1);                                                                                \
    }                                                                                              \
  } while (0)

namespace {

int rank, nranks;
ncclComm_t comm;
cudaStream_t stream;

// Values every type holds exactly (fp8 e5m2 included), so each result has one right answer.
double element(ncclDataType_t type, const void* data, size_t i) {
  switch (type) {
  case ncclInt8:
    return static_cast<const int8_t*>(data)[i];
  case ncclUint8:
    return static_cast<const uint8_t*>(data)[i];
  case ncclInt32:
    return static_cast<const int32_t*>(data)[i];
  case ncclUint32:
    return static_cast<const uint32_t*>(data)[i];
  case ncclInt64:
    return double(static_cast<const int64_t*>(data)[i]);
  case ncclUint64:
    return double(static_cast<const uint64_t*>(data)[i]);
  case ncclFloat16:
    return __half2float(static_cast<const __half*>(data)[i]);
  case ncclFloat32:
    return static_cast<const float*>(data)[i];
  case ncclFloat64:
    return static_cast<const double*>(data)[i];
  case ncclBfloat16:
    return __bfloat162float(static_cast<const __nv_bfloat16*>(data)[i]);
  case ncclFloat8e4m3:
    return float(static_cast<const __nv_fp8_e4m3*>(data)[i]);
  default:
    return float(static_cast<const __nv_fp8_e5m2*>(data)[i]);
  }
}

void store(ncclDataType_t type, void* data, size_t i, double v) {
  switch (type) {
  case ncclInt8:
    static_cast<int8_t*>(data)[i] = int8_t(v);
    break;
  case ncclUint8:
    static_cast<uint8_t*>(data)[i] = uint8_t(v);
    break;
  case ncclInt32:
    static_cast<int32_t*>(data)[i] = int32_t(v);
    break;
  case ncclUint32:
    static_cast<uint32_t*>(data)[i] = uint32_t(v);
    break;
  case ncclInt64:
    static_cast<int64_t*>(data)[i] = int64_t(v);
    break;
  case ncclUint64:
    static_cast<uint64_t*>(data)[i] = uint64_t(v);
    break;
  case ncclFloat16:
    static_cast<__half*>(data)[i] = __float2half(float(v));
    break;
  case ncclFloat32:
    static_cast<float*>(data)[i] = float(v);
    break;
  case ncclFloat64:
    static_cast<double*>(data)[i] = v;
    break;
  case ncclBfloat16:
    static_cast<__nv_bfloat16*>(data)[i] = __float2bfloat16(float(v));
    break;
  case ncclFloat8e4m3:
    static_cast<__nv_fp8_e4m3*>(data)[i] = __nv_fp8_e4m3(float(v));
    break;
  default:
    static_cast<__nv_fp8_e5m2*>(data)[i] = __nv_fp8_e5m2(float(v));
    break;
  }
}

size_t sizeOf(ncclDataType_t type) {
  constexpr size_t sizes[] = {1, 1, 4, 4, 8, 8, 2, 4, 8, 2, 1, 1};
  return sizes[type];
}

bool floating(ncclDataType_t t) {
  return t >= ncclFloat16;
}

// What rank r contributes at index i for `op`: small, and every sum of some ranks' values is
// exact even in fp8 e5m2 (MPI, like NCCL, adds ranks in an order of its choosing).
double input(ncclRedOp_t op, int r, size_t i) {
  if (op == ncclProd)
    return 1 + (r + i) % 2;
  if (op == ncclMax || op == ncclMin)
    return double((r * 3 + i) % 7);
  return double((r == 0 ? 1 : 1 << (r - 1)) * (1 << (i % 3)));
}

constexpr size_t kCount = 9;
const char* kTypeNames[] = {"int8", "uint8", "int32",  "uint32",   "int64",   "uint64",
                            "half", "float", "double", "bfloat16", "fp8e4m3", "fp8e5m2"};

// ncclAllReduce of every type with every op (ncclPreMulSum scaling by 2), checked on every rank.
void allReduceEveryTypeAndOp() {
  for (int t = 0; t < ncclNumTypes; ++t) {
    auto type = ncclDataType_t(t);
    for (int o = 0; o <= ncclNumOps; ++o) {
      ncclRedOp_t op = ncclRedOp_t(o);
      std::vector<unsigned char> scalar(8);
      store(type, scalar.data(), 0, 2);
      if (o == ncclNumOps)
        NCCL_OK(ncclRedOpCreatePreMulSum(&op, scalar.data(), type, ncclScalarHostImmediate, comm));
      ncclRedOp_t base = o == ncclNumOps ? ncclSum : op;
      std::vector<unsigned char> host(kCount * sizeOf(type));
      for (size_t i = 0; i < kCount; ++i)
        store(type, host.data(), i, input(base, rank, i));
      void* device;
      OK(cudaMalloc(&device, host.size()));
      OK(cudaMemcpyAsync(device, host.data(), host.size(), cudaMemcpyHostToDevice, stream));
      NCCL_OK(ncclAllReduce(device, device, kCount, type, op, comm, stream));
      OK(cudaMemcpyAsync(host.data(), device, host.size(), cudaMemcpyDeviceToHost, stream));
      OK(cudaStreamSynchronize(stream));
      for (size_t i = 0; i < kCount; ++i) {
        double want = base == ncclProd ? 1 : base == ncclMax ? -1e9 : base == ncclMin ? 1e9 : 0;
        for (int r = 0; r < nranks; ++r) {
          double v = input(base, r, i) * (o == ncclNumOps ? 2 : 1);
          want = base == ncclProd  ? want * v
                 : base == ncclMax ? std::max(want, v)
                 : base == ncclMin ? std::min(want, v)
                                   : want + v;
        }
        if (op == ncclAvg)
          want = floating(type) ? want / nranks : double(int64_t(want) / nranks);
        double got = element(type, host.data(), i);
        if (got != want) {
          std::printf("FAIL allreduce %s op %d [%zu]: %g, expected %g\n", kTypeNames[t], o, i, got,
                      want);
          std::exit(1);
        }
      }
      if (o == ncclNumOps)
        NCCL_OK(ncclRedOpDestroy(op, comm));
      OK(cudaFree(device));
    }
  }
  std::printf("rank %d: allreduce of 12 types x 6 ops ok\n", rank);
}

std::vector<float> ramp(size_t n, int r) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = float(r * 100 + int(i));
  return v;
}

float* toDevice(const std::vector<float>& v) {
  float* d;
  OK(cudaMalloc(&d, v.size() * sizeof(float)));
  OK(cudaMemcpy(d, v.data(), v.size() * sizeof(float), cudaMemcpyHostToDevice));
  return d;
}

std::vector<float> toHost(const float* d, size_t n) {
  OK(cudaStreamSynchronize(stream));
  std::vector<float> v(n);
  OK(cudaMemcpy(v.data(), d, n * sizeof(float), cudaMemcpyDeviceToHost));
  return v;
}

void rootedAndGathered() {
  const size_t n = 5;
  int root = nranks - 1;
  float* send = toDevice(ramp(n, rank));
  float* recv = toDevice(std::vector<float>(n * nranks, -1));
  NCCL_OK(ncclReduce(send, recv, n, ncclFloat, ncclMax, root, comm, stream));
  auto reduced = toHost(recv, n);
  for (size_t i = 0; i < n; ++i)
    REQUIRE(reduced[i] == (rank == root ? float(root * 100 + int(i)) : -1.0f));

  NCCL_OK(ncclBroadcast(send, recv, n, ncclFloat, 1 % nranks, comm, stream));
  auto broadcast = toHost(recv, n);
  for (size_t i = 0; i < n; ++i)
    REQUIRE(broadcast[i] == float((1 % nranks) * 100 + int(i)));
  NCCL_OK(ncclBcast(send, n, ncclFloat, 0, comm, stream));
  auto bcast = toHost(send, n);
  REQUIRE(bcast[n - 1] == float(n - 1));

  // ReduceScatter: rank r receives the sum of block r of every rank's input; in place too.
  float* whole = toDevice(ramp(n * nranks, rank));
  NCCL_OK(ncclReduceScatter(whole, recv, n, ncclFloat, ncclSum, comm, stream));
  auto scattered = toHost(recv, n);
  NCCL_OK(ncclReduceScatter(whole, whole + rank * n, n, ncclFloat, ncclSum, comm, stream));
  auto inPlace = toHost(whole + rank * n, n);
  for (size_t i = 0; i < n; ++i) {
    float want = 0;
    for (int r = 0; r < nranks; ++r)
      want += float(r * 100 + int(rank * n + i));
    REQUIRE(scattered[i] == want && inPlace[i] == want);
  }

  // AllGather, out of place and in place.
  float* mine = toDevice(ramp(n, rank));
  NCCL_OK(ncclAllGather(mine, recv, n, ncclFloat, comm, stream));
  auto gathered = toHost(recv, n * nranks);
  OK(cudaMemcpy(recv + rank * n, mine, n * sizeof(float), cudaMemcpyDeviceToDevice));
  NCCL_OK(ncclAllGather(recv + rank * n, recv, n, ncclFloat, comm, stream));
  auto gatheredInPlace = toHost(recv, n * nranks);
  for (int r = 0; r < nranks; ++r)
    for (size_t i = 0; i < n; ++i)
      REQUIRE(gathered[r * n + i] == float(r * 100 + int(i)) &&
              gatheredInPlace[r * n + i] == gathered[r * n + i]);
  for (float* p : {send, recv, whole, mine})
    OK(cudaFree(p));
  std::printf("rank %d: reduce broadcast bcast reducescatter allgather ok\n", rank);
}

// A ring exchange in one group: every rank sends to the next and receives from the previous;
// without the group's fusion the blocking pairs would wait on each other.
void pointToPointAndGroups() {
  const size_t n = 1 << 16;
  float* send = toDevice(ramp(n, rank));
  float* recv = toDevice(std::vector<float>(n, -1));
  int next = (rank + 1) % nranks, previous = (rank + nranks - 1) % nranks;
  NCCL_OK(ncclGroupStart());
  NCCL_OK(ncclSend(send, n, ncclFloat, next, comm, stream));
  NCCL_OK(ncclRecv(recv, n, ncclFloat, previous, comm, stream));
  NCCL_OK(ncclGroupEnd());
  auto got = toHost(recv, n);
  REQUIRE(got[0] == float(previous * 100) && got[n - 1] == float(previous * 100 + int(n - 1)));

  // Two collectives fused in one (nested) group.
  float* a = toDevice(std::vector<float>(3, float(rank + 1)));
  float* b = toDevice(std::vector<float>(3, 1));
  NCCL_OK(ncclGroupStart());
  NCCL_OK(ncclGroupStart());
  NCCL_OK(ncclAllReduce(a, a, 3, ncclFloat, ncclSum, comm, stream));
  NCCL_OK(ncclGroupEnd());
  NCCL_OK(ncclAllReduce(b, b, 3, ncclFloat, ncclSum, comm, stream));
  NCCL_OK(ncclGroupEnd());
  REQUIRE(toHost(a, 3)[2] == float(nranks * (nranks + 1) / 2) && toHost(b, 3)[0] == nranks);
  for (float* p : {send, recv, a, b})
    OK(cudaFree(p));
  std::printf("rank %d: send/recv ring and fused groups ok\n", rank);
}

__global__ void fill(float* data, float value, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    data[i] = value;
}
__global__ void twice(float* data, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    data[i] *= 2;
}

// A kernel, the all-reduce and a second kernel on one stream run in that order, directly and
// replayed from a captured CUDA graph.
void streamOrderAndGraphs() {
  const int n = 1000;
  float* data;
  OK(cudaMalloc(&data, n * sizeof(float)));
  fill<<<4, 256, 0, stream>>>(data, float(rank + 1), n);
  NCCL_OK(ncclAllReduce(data, data, n, ncclFloat, ncclSum, comm, stream));
  twice<<<4, 256, 0, stream>>>(data, n);
  float want = float(nranks * (nranks + 1));
  auto direct = toHost(data, n);
  REQUIRE(direct[0] == want && direct[n - 1] == want);

  cudaGraph_t graph;
  cudaGraphExec_t exec;
  OK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal));
  fill<<<4, 256, 0, stream>>>(data, float(rank + 1), n);
  NCCL_OK(ncclAllReduce(data, data, n, ncclFloat, ncclSum, comm, stream));
  twice<<<4, 256, 0, stream>>>(data, n);
  OK(cudaStreamEndCapture(stream, &graph));
  OK(cudaGraphInstantiate(&exec, graph, 0));
  for (int replay = 0; replay < 2; ++replay) {
    OK(cudaMemset(data, 0, n * sizeof(float)));
    OK(cudaGraphLaunch(exec, stream));
    auto replayed = toHost(data, n);
    REQUIRE(replayed[0] == want && replayed[n - 1] == want);
  }
  OK(cudaGraphExecDestroy(exec));
  OK(cudaGraphDestroy(graph));
  OK(cudaFree(data));
  std::printf("rank %d: stream order and graph replay ok\n", rank);
}

void communicators() {
  int count = 0, me = -1, device = -1;
  NCCL_OK(ncclCommCount(comm, &count));
  NCCL_OK(ncclCommUserRank(comm, &me));
  NCCL_OK(ncclCommCuDevice(comm, &device));
  REQUIRE(count == nranks && me == rank && device == 0);

  // Even and odd ranks split apart, ordered by descending key; rank 0 opts out of a second split.
  ncclComm_t half, none;
  NCCL_OK(ncclCommSplit(comm, rank % 2, -rank, &half, nullptr));
  NCCL_OK(ncclCommSplit(comm, rank == 0 ? NCCL_SPLIT_NOCOLOR : 0, rank, &none, nullptr));
  REQUIRE((rank == 0) == (none == nullptr));
  int halfCount = 0, halfRank = -1;
  NCCL_OK(ncclCommCount(half, &halfCount));
  NCCL_OK(ncclCommUserRank(half, &halfRank));
  int members = (nranks - rank % 2 + 1) / 2;
  REQUIRE(halfCount == members && halfRank == members - 1 - rank / 2);
  float* value = toDevice({float(rank)});
  NCCL_OK(ncclAllReduce(value, value, 1, ncclFloat, ncclMax, half, stream));
  REQUIRE(toHost(value, 1)[0] == float(rank % 2 + 2 * (members - 1)));
  OK(cudaFree(value));
  ncclResult_t async = ncclInternalError;
  NCCL_OK(ncclCommGetAsyncError(half, &async));
  REQUIRE(async == ncclSuccess);
  NCCL_OK(ncclCommFinalize(half));
  NCCL_OK(ncclCommDestroy(half));
  NCCL_OK(ncclCommDestroy(none));

  // Configs as NCCL checks them. A non-blocking communicator may still be initialising when
  // the call returns (ncclInProgress): a program polls ncclCommGetAsyncError until it is not.
  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  config.blocking = 0;
  ncclComm_t configured = nullptr;
  ncclResult_t split = ncclCommSplit(comm, 0, rank, &configured, &config);
  REQUIRE(split == ncclSuccess || split == ncclInProgress);
  do
    NCCL_OK(ncclCommGetAsyncError(configured, &async));
  while (async == ncclInProgress);
  REQUIRE(async == ncclSuccess);
  float* one = toDevice({1.0f});
  NCCL_OK(ncclAllReduce(one, one, 1, ncclFloat, ncclSum, configured, stream));
  REQUIRE(toHost(one, 1)[0] == float(nranks));
  NCCL_OK(ncclCommDestroy(configured));
  ncclConfig_t uninitialised = {};
  REQUIRE(ncclCommSplit(comm, 0, rank, &configured, &uninitialised) == ncclInvalidArgument);
  config.blocking = 5;
  REQUIRE(ncclCommSplit(comm, 0, rank, &configured, &config) == ncclInvalidArgument);
  config.blocking = 1;
  ncclUniqueId unused;
  NCCL_OK(ncclGetUniqueId(&unused));
  config.magic = 0;
  REQUIRE(ncclCommInitRankConfig(&configured, nranks, unused, rank, &config) ==
          ncclInvalidArgument);

  // ncclCommInitAll: a process's ranks are one per device, and there is one device here, so
  // more than one fails as NCCL fails on a one-GPU machine; one rank alone works.
  ncclComm_t all[2];
  int same[2] = {0, 0}, second[2] = {0, 1};
  REQUIRE(ncclCommInitAll(all, 2, same) == ncclInvalidUsage);
  REQUIRE(ncclCommInitAll(all, 2, second) == ncclInvalidArgument);
  REQUIRE(ncclCommInitAll(all, 2, nullptr) == ncclUnhandledCudaError);
  cudaGetLastError(); // cudaSetDevice(1) failed inside
  OK(cudaSetDevice(0));
  NCCL_OK(ncclCommInitAll(all, 1, nullptr));
  NCCL_OK(ncclCommCount(all[0], &count));
  REQUIRE(count == 1);
  NCCL_OK(ncclAllReduce(one, one, 1, ncclFloat, ncclSum, all[0], stream));
  REQUIRE(toHost(one, 1)[0] == float(nranks)); // one rank: the sum is its own value
  NCCL_OK(ncclCommDestroy(all[0]));
  OK(cudaFree(one));
  NCCL_OK(ncclCommCount(comm, &count)); // the communicator the checks used is untouched
  REQUIRE(count == nranks);

  // Errors: NCCL's codes and strings; an unimplemented export names itself.
  REQUIRE(ncclAllReduce(nullptr, nullptr, 1, ncclFloat, ncclSum, comm, stream) ==
          ncclInvalidArgument);
  REQUIRE(std::string(ncclGetLastError(comm)).find("ncclAllReduce") != std::string::npos);
  REQUIRE(ncclAllReduce(nullptr, nullptr, 0, ncclNumTypes, ncclSum, comm, stream) ==
          ncclInvalidArgument);
  REQUIRE(ncclGroupEnd() == ncclInvalidUsage);
  REQUIRE(std::string(ncclGetErrorString(ncclRemoteError)) ==
          "remote process exited or there was a network error");
  void* handle = nullptr;
  REQUIRE(ncclCommRegister(comm, &handle, 8, &handle) == ncclInvalidUsage);
  REQUIRE(std::string(ncclGetLastError(comm)).find("ncclCommRegister") != std::string::npos);
  int version = 0;
  NCCL_OK(ncclGetVersion(&version));
  REQUIRE(version == NCCL_VERSION_CODE);
  std::printf("rank %d: communicators, split and errors ok\n", rank);
}

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

} // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "mpi";
  ncclUniqueId id;
  bool usesMpi = mode == "mpi";
  if (usesMpi) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    if (rank == 0)
      NCCL_OK(ncclGetUniqueId(&id));
    MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
  } else {
    rank = std::stoi(environment("OMPI_COMM_WORLD_RANK"));
    nranks = std::stoi(environment("OMPI_COMM_WORLD_SIZE"));
    std::string path = argv[2];
    if (rank == 0) {
      NCCL_OK(ncclGetUniqueId(&id));
      std::ofstream(path + ".tmp", std::ios::binary).write(id.internal, sizeof id);
      std::rename((path + ".tmp").c_str(), path.c_str());
    } else {
      while (!std::ifstream(path).good())
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::ifstream(path, std::ios::binary).read(id.internal, sizeof id);
    }
  }
  OK(cudaStreamCreate(&stream));
  NCCL_OK(ncclCommInitRank(&comm, nranks, id, rank));
  allReduceEveryTypeAndOp();
  rootedAndGathered();
  pointToPointAndGroups();
  streamOrderAndGraphs();
  communicators();
  NCCL_OK(ncclCommDestroy(comm));
  OK(cudaStreamDestroy(stream));
  std::printf("rank %d of %d: nccl calls ok\n", rank, nranks);
  if (usesMpi)
    MPI_Finalize();
  return 0;
}

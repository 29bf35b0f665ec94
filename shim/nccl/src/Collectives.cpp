// The collectives, point-to-point calls and groups. Each call is checked when it is made and
// runs later in its CUDA stream's order, as a host function on the stream (so it follows the
// stream's earlier kernels and copies, precedes its later ones, and is captured into a CUDA
// graph like any other stream work). Calls between ncclGroupStart and ncclGroupEnd run as one
// host function per stream: their sends and receives are posted together and completed
// together, so the pairs a group matches up never wait on each other.
#include "Communicator.h"
#include "Elements.h"
#include "Export.h"

#include <climits>
#include <cstring>
#include <cuda_runtime_api.h>
#include <vector>

namespace drawbridge::nccl {
namespace {

enum class Kind { AllReduce, Reduce, Broadcast, ReduceScatter, AllGather, Send, Recv };

struct Call {
  Kind kind;
  const char* name;
  const void* send;
  void* recv;
  size_t count; // per rank: what one rank sends (AllGather), receives (ReduceScatter)
  ncclDataType_t type;
  ncclRedOp_t op;
  int root; // the root of Reduce/Broadcast; the peer of Send/Recv
  ncclComm_t comm;
  cudaStream_t stream;
};

// The calls of one stream, run by one host function.
struct Batch {
  std::vector<Call> calls;
  bool captured = false; // a graph owns the host function and replays it
};

thread_local int groupDepth = 0;
thread_local std::vector<Call> grouped;

// The bytes of the input after NCCL's pre-multiplication (ncclAvg of floating types and
// ncclPreMulSum), or the input itself when the op multiplies nothing.
struct Input {
  const void* data;
  std::vector<unsigned char> scaled;
};

Input prepareInput(const Call& c, size_t elements) {
  Input in{c.send, {}};
  unsigned char scalar[8];
  if (c.op == ncclAvg && isFloating(c.type)) {
    fromDouble(1.0 / c.comm->size, c.type, scalar);
  } else if (c.op >= ncclNumOps) {
    auto& entry = *c.comm->preMulSums[size_t(c.op) - ncclNumOps];
    // A device scalar is read now, in stream order; device memory is host memory here.
    std::memcpy(scalar, entry.deviceScalar ? entry.deviceScalar : entry.scalar,
                *elementSize(c.type));
  } else {
    return in;
  }
  in.scaled.resize(elements * *elementSize(c.type));
  scale(c.send, in.scaled.data(), elements, c.type, scalar);
  in.data = in.scaled.data();
  return in;
}

MPI_Op reduction(const Call& c) {
  return mpiOp(c.type, c.op == ncclAvg || c.op >= ncclNumOps ? ncclSum : c.op);
}

bool integerAverage(const Call& c) {
  return c.op == ncclAvg && !isFloating(c.type);
}

int run(const Call& c, std::vector<MPI_Request>& requests) {
  MPI_Comm comm = c.comm->data;
  MPI_Datatype type = mpiType(c.type);
  size_t bytes = c.count * *elementSize(c.type);
  int n = int(c.count);
  switch (c.kind) {
  case Kind::AllReduce: {
    Input in = prepareInput(c, c.count);
    const void* send = in.data == c.recv ? MPI_IN_PLACE : in.data;
    if (int code = MPI_Allreduce(send, c.recv, n, type, reduction(c), comm))
      return code;
    if (integerAverage(c))
      divide(c.recv, c.count, c.type, c.comm->size);
    return MPI_SUCCESS;
  }
  case Kind::Reduce: {
    Input in = prepareInput(c, c.count);
    bool atRoot = c.comm->rank == c.root;
    const void* send = atRoot && in.data == c.recv ? MPI_IN_PLACE : in.data;
    if (int code = MPI_Reduce(send, c.recv, n, type, reduction(c), c.root, comm))
      return code;
    if (atRoot && integerAverage(c))
      divide(c.recv, c.count, c.type, c.comm->size);
    return MPI_SUCCESS;
  }
  case Kind::Broadcast:
    if (c.comm->rank == c.root && c.send != c.recv)
      std::memmove(c.recv, c.send, bytes);
    return MPI_Bcast(c.recv, n, type, c.root, comm);
  case Kind::ReduceScatter: {
    Input in = prepareInput(c, c.count * c.comm->size);
    // NCCL's in-place form puts the output inside the input; MPI's needs them apart.
    auto* begin = static_cast<const unsigned char*>(c.send);
    auto* out = static_cast<unsigned char*>(c.recv);
    bool overlaps = out >= begin && out < begin + bytes * c.comm->size;
    std::vector<unsigned char> result(overlaps ? bytes : 0);
    void* target = overlaps ? result.data() : c.recv;
    if (int code = MPI_Reduce_scatter_block(in.data, target, n, type, reduction(c), comm))
      return code;
    if (overlaps)
      std::memcpy(c.recv, result.data(), bytes);
    if (integerAverage(c))
      divide(c.recv, c.count, c.type, c.comm->size);
    return MPI_SUCCESS;
  }
  case Kind::AllGather: {
    bool inPlace = c.send == static_cast<unsigned char*>(c.recv) + bytes * c.comm->rank;
    return MPI_Allgather(inPlace ? MPI_IN_PLACE : c.send, n, type, c.recv, n, type, comm);
  }
  case Kind::Send:
    requests.emplace_back();
    return MPI_Isend(c.send, n, type, c.root, 0, comm, &requests.back());
  case Kind::Recv:
    requests.emplace_back();
    return MPI_Irecv(c.recv, n, type, c.root, 0, comm, &requests.back());
  }
  return MPI_SUCCESS;
}

void report(ncclComm_t comm, int code, const char* name) {
  ncclResult_t result = fromMpi(code, name);
  ncclResult_t none = ncclSuccess;
  comm->asyncError.compare_exchange_strong(none, result);
  std::fprintf(stderr, "drawbridge: nccl: %s\n", lastErrorText());
}

void runBatch(void* user) {
  auto* batch = static_cast<Batch*>(user);
  std::vector<MPI_Request> requests;
  for (const Call& c : batch->calls) {
    if (c.comm->asyncError.load() != ncclSuccess)
      continue; // a communicator that failed does no more work
    std::lock_guard order(c.comm->dataOrder);
    if (int code = run(c, requests))
      report(c.comm, code, c.name);
  }
  if (!requests.empty())
    if (int code = MPI_Waitall(int(requests.size()), requests.data(), MPI_STATUSES_IGNORE))
      report(batch->calls.front().comm, code, "ncclGroupEnd");
  if (!batch->captured)
    delete batch;
}

ncclResult_t launch(std::vector<Call> calls) {
  while (!calls.empty()) {
    auto batch = std::make_unique<Batch>();
    cudaStream_t stream = calls.front().stream;
    std::erase_if(calls, [&](Call& c) {
      if (c.stream != stream)
        return false;
      batch->calls.push_back(c);
      return true;
    });
    cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
    if (cudaStreamIsCapturing(stream, &capture) != cudaSuccess)
      return fail(ncclUnhandledCudaError, std::string(batch->calls.front().name) +
                                              ": cudaStreamIsCapturing failed on its stream");
    batch->captured = capture == cudaStreamCaptureStatusActive;
    if (cudaLaunchHostFunc(stream, runBatch, batch.get()) != cudaSuccess)
      return fail(ncclUnhandledCudaError,
                  std::string(batch->calls.front().name) + ": cannot enqueue on its stream");
    if (batch->captured)
      batch->calls.front().comm->captured.emplace_back(batch.release(),
                                                       [](void* b) { delete (Batch*)b; });
    else
      batch.release(); // runBatch deletes it
  }
  return ncclSuccess;
}

ncclResult_t check(const Call& c) {
  std::string name = c.name;
  if (!c.comm)
    return fail(ncclInvalidArgument, name + ": comm is NULL");
  if (!elementSize(c.type))
    return fail(ncclInvalidArgument, name + ": invalid datatype " + std::to_string(c.type));
  bool reduces =
      c.kind == Kind::AllReduce || c.kind == Kind::Reduce || c.kind == Kind::ReduceScatter;
  if (reduces) {
    size_t index = size_t(c.op) - ncclNumOps;
    bool custom = c.op >= ncclNumOps && index < c.comm->preMulSums.size() &&
                  c.comm->preMulSums[index] && c.comm->preMulSums[index]->type == c.type;
    if (c.op < 0 || (c.op >= ncclNumOps && !custom))
      return fail(ncclInvalidArgument,
                  name + ": invalid reduction operation " + std::to_string(int(c.op)));
  }
  bool rooted = c.kind == Kind::Reduce || c.kind == Kind::Broadcast || c.kind == Kind::Send ||
                c.kind == Kind::Recv;
  if (rooted && (c.root < 0 || c.root >= c.comm->size))
    return fail(ncclInvalidArgument,
                name + ": rank " + std::to_string(c.root) + " is not in the communicator");
  if (c.count > size_t(INT_MAX) / size_t(c.comm->size))
    return fail(ncclInvalidArgument, name + ": more than 2^31-1 elements in one call are not "
                                            "supported by Drawbridge's NCCL (MPI counts are int)");
  bool needsSend = c.kind != Kind::Recv && c.kind != Kind::Broadcast;
  bool needsRecv = c.kind != Kind::Send && c.kind != Kind::Reduce;
  bool isRoot = c.comm->rank == c.root;
  if (c.count && ((needsSend && !c.send) || (needsRecv && !c.recv) ||
                  (c.kind == Kind::Broadcast && isRoot && !c.send) ||
                  (c.kind == Kind::Reduce && isRoot && !c.recv)))
    return fail(ncclInvalidArgument, name + ": a buffer is NULL");
  return ncclSuccess;
}

ncclResult_t enqueue(const Call& c) {
  if (ncclResult_t result = check(c))
    return result;
  if (c.count == 0)
    return ncclSuccess;
  if (groupDepth > 0) {
    grouped.push_back(c);
    return ncclSuccess;
  }
  return launch({c});
}

} // namespace
} // namespace drawbridge::nccl

using namespace drawbridge::nccl;

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclAllReduce(const void* sendbuff, void* recvbuff,
                                                  size_t count, ncclDataType_t datatype,
                                                  ncclRedOp_t op, ncclComm_t comm,
                                                  cudaStream_t stream) {
  return enqueue(
      {Kind::AllReduce, "ncclAllReduce", sendbuff, recvbuff, count, datatype, op, 0, comm, stream});
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclAllReduce)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclReduce(const void* sendbuff, void* recvbuff, size_t count,
                                               ncclDataType_t datatype, ncclRedOp_t op, int root,
                                               ncclComm_t comm, cudaStream_t stream) {
  return enqueue(
      {Kind::Reduce, "ncclReduce", sendbuff, recvbuff, count, datatype, op, root, comm, stream});
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclReduce)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclBroadcast(const void* sendbuff, void* recvbuff,
                                                  size_t count, ncclDataType_t datatype, int root,
                                                  ncclComm_t comm, cudaStream_t stream) {
  return enqueue({Kind::Broadcast, "ncclBroadcast", sendbuff, recvbuff, count, datatype, ncclSum,
                  root, comm, stream});
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclBroadcast)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclBcast(void* buff, size_t count, ncclDataType_t datatype,
                                              int root, ncclComm_t comm, cudaStream_t stream) {
  return enqueue(
      {Kind::Broadcast, "ncclBcast", buff, buff, count, datatype, ncclSum, root, comm, stream});
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclBcast)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclReduceScatter(const void* sendbuff, void* recvbuff,
                                                      size_t recvcount, ncclDataType_t datatype,
                                                      ncclRedOp_t op, ncclComm_t comm,
                                                      cudaStream_t stream) {
  return enqueue({Kind::ReduceScatter, "ncclReduceScatter", sendbuff, recvbuff, recvcount, datatype,
                  op, 0, comm, stream});
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclReduceScatter)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclAllGather(const void* sendbuff, void* recvbuff,
                                                  size_t sendcount, ncclDataType_t datatype,
                                                  ncclComm_t comm, cudaStream_t stream) {
  return enqueue({Kind::AllGather, "ncclAllGather", sendbuff, recvbuff, sendcount, datatype,
                  ncclSum, 0, comm, stream});
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclAllGather)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclSend(const void* sendbuff, size_t count,
                                             ncclDataType_t datatype, int peer, ncclComm_t comm,
                                             cudaStream_t stream) {
  return enqueue(
      {Kind::Send, "ncclSend", sendbuff, nullptr, count, datatype, ncclSum, peer, comm, stream});
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclSend)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclRecv(void* recvbuff, size_t count, ncclDataType_t datatype,
                                             int peer, ncclComm_t comm, cudaStream_t stream) {
  return enqueue(
      {Kind::Recv, "ncclRecv", nullptr, recvbuff, count, datatype, ncclSum, peer, comm, stream});
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclRecv)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclGroupStart() {
  ++groupDepth;
  return ncclSuccess;
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclGroupStart)

DRAWBRIDGE_NCCL_EXPORT ncclResult_t ncclGroupEnd() {
  if (groupDepth == 0)
    return fail(ncclInvalidUsage, "ncclGroupEnd: no ncclGroupStart to end");
  if (--groupDepth > 0)
    return ncclSuccess;
  std::vector<Call> calls;
  calls.swap(grouped);
  return launch(std::move(calls));
}
DRAWBRIDGE_NCCL_PROFILING_ALIAS(ncclGroupEnd)

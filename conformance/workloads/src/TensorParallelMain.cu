// llama-tp-workload: llama-workload's generation split over the ranks of an MPI job by tensor
// parallelism (TensorParallel.h), the partial sums of the row-parallel layers joined by
// ncclAllReduce on the stream the kernels run on. Every rank holds the whole activations and
// logits after each all-reduce and writes its own dump, DUMP.rankN, for the suite to check
// against the single-process reference (rank 0 writes --timing). Same command line as
// llama-workload:
//
//   mpirun -np 2 drawbridge run -- llama-tp-workload --model DIR --prompt ... --dump DUMP
#include "Generate.cuh"
#include "TensorParallel.h"

#include <cstdio>
#include <mpi.h>
#include <nccl.h>

using namespace workload;

namespace {

template <typename T> constexpr ncclDataType_t ncclTypeOf();
template <> constexpr ncclDataType_t ncclTypeOf<float>() {
  return ncclFloat;
}
template <> constexpr ncclDataType_t ncclTypeOf<__half>() {
  return ncclHalf;
}
template <> constexpr ncclDataType_t ncclTypeOf<__nv_bfloat16>() {
  return ncclBfloat16;
}

template <typename T>
drawbridge::trace::Trace
generateSharded(const Options& options, const drawbridge::model::ModelWeights& shard,
                const drawbridge::model::ModelConfig& whole, ncclComm_t comm, Timing& timing) {
  return generate<T>(options, shard, whole, timing, [comm](T* data, size_t count) {
    // The legacy stream, where the decoder's kernels and copies run.
    ncclResult_t result = ncclAllReduce(data, data, count, ncclTypeOf<T>(), ncclSum, comm, 0);
    if (result != ncclSuccess) {
      std::fprintf(stderr, "llama-tp-workload: ncclAllReduce: %s\n", ncclGetErrorString(result));
      std::exit(1);
    }
  });
}

int fail(const std::string& message) {
  std::fprintf(stderr, "llama-tp-workload: %s\n", message.c_str());
  MPI_Abort(MPI_COMM_WORLD, 1);
  return 1;
}

} // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  std::optional<Options> options = parseOptions(argc, argv, "llama-tp-workload");
  if (!options)
    return fail("bad command line");
  auto weights = drawbridge::model::loadModel(options->model);
  if (!weights)
    return fail(weights.error().message);
  auto shard = shardWeights(*weights, rank, ranks);
  if (auto* problem = std::get_if<std::string>(&shard))
    return fail(*problem);

  ncclUniqueId id;
  if (rank == 0 && ncclGetUniqueId(&id) != ncclSuccess)
    return fail("ncclGetUniqueId failed");
  MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
  ncclComm_t comm;
  if (ncclResult_t result = ncclCommInitRank(&comm, ranks, id, rank))
    return fail(std::string("ncclCommInitRank: ") + ncclGetErrorString(result));

  const auto& part = std::get<drawbridge::model::ModelWeights>(shard);
  drawbridge::trace::Trace result;
  Timing timing;
  switch (options->precision) {
  case Precision::F16:
    result = generateSharded<__half>(*options, part, weights->config, comm, timing);
    break;
  case Precision::BF16:
    result = generateSharded<__nv_bfloat16>(*options, part, weights->config, comm, timing);
    break;
  case Precision::F32:
    result = generateSharded<float>(*options, part, weights->config, comm, timing);
    break;
  }
  if (rank == 0 && !options->timing.empty() &&
      !writeTiming(options->timing, *options, timing, "llama-tp-workload"))
    return fail("cannot write the timing file");
  std::string dump = options->dump + ".rank" + std::to_string(rank);
  if (std::optional<drawbridge::Error> error = drawbridge::trace::writeTrace(dump, result))
    return fail(error->message);
  ncclCommDestroy(comm);
  MPI_Finalize();
  return 0;
}

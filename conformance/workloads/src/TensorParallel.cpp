#include "TensorParallel.h"

namespace workload {
namespace {

using drawbridge::model::Tensor;

// Rows [begin, end) of a row-major [rows, columns] tensor.
Tensor rows(const Tensor& t, int64_t begin, int64_t end) {
  int64_t columns = t.shape[1];
  Tensor out{{end - begin, columns}, {}};
  out.values.assign(t.values.begin() + begin * columns, t.values.begin() + end * columns);
  return out;
}

// Columns [begin, end) of a row-major [rows, columns] tensor.
Tensor columns(const Tensor& t, int64_t begin, int64_t end) {
  int64_t count = t.shape[0], width = t.shape[1];
  Tensor out{{count, end - begin}, {}};
  out.values.reserve(static_cast<size_t>(count * (end - begin)));
  for (int64_t r = 0; r < count; ++r)
    out.values.insert(out.values.end(), t.values.begin() + r * width + begin,
                      t.values.begin() + r * width + end);
  return out;
}

} // namespace

std::variant<drawbridge::model::ModelWeights, std::string>
shardWeights(const drawbridge::model::ModelWeights& whole, int rank, int ranks) {
  const auto& c = whole.config;
  int64_t heads = c.numHeads, kvHeads = c.numKvHeads, d = c.headDim, mlp = c.intermediateSize;
  if (heads % ranks || mlp % ranks)
    return "cannot split " + std::to_string(heads) + " heads and an MLP of " + std::to_string(mlp) +
           " over " + std::to_string(ranks) + " ranks";
  int64_t local = heads / ranks, group = heads / kvHeads;
  if (local % group && group % local)
    return "the KV head groups (" + std::to_string(group) + " heads each) straddle ranks";
  int64_t h0 = rank * local, h1 = h0 + local;
  int64_t kv0 = h0 / group, kv1 = (h1 - 1) / group + 1;
  int64_t i0 = rank * (mlp / ranks), i1 = i0 + mlp / ranks;

  drawbridge::model::ModelWeights shard;
  shard.config = c;
  shard.config.numHeads = local;
  shard.config.numKvHeads = kv1 - kv0;
  shard.config.intermediateSize = mlp / ranks;
  shard.embed = whole.embed;
  shard.norm = whole.norm;
  shard.lmHead = whole.lmHead;
  for (const auto& w : whole.layers)
    shard.layers.push_back({w.inputNorm, rows(w.q, h0 * d, h1 * d), rows(w.k, kv0 * d, kv1 * d),
                            rows(w.v, kv0 * d, kv1 * d), columns(w.o, h0 * d, h1 * d), w.postNorm,
                            rows(w.gate, i0, i1), rows(w.up, i0, i1), columns(w.down, i0, i1)});
  return shard;
}

} // namespace workload

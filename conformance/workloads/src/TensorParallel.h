// Megatron-style tensor parallelism over a checkpoint: rank r of P keeps its share of the
// attention heads (q rows, the KV heads those use, o columns) and of the MLP (gate and up rows,
// down columns). The row-parallel layers (o and down) then give partial sums that an all-reduce
// joins; embeddings, norms and the LM head stay whole on every rank.
#pragma once

#include "drawbridge/model/Checkpoint.h"

#include <string>
#include <variant>

namespace workload {

/// Rank `rank` of `ranks`' shard, its config describing the shard (heads, KV heads, MLP width),
/// or why the model cannot be split so (heads or MLP width not divisible, KV groups straddling
/// two ranks).
std::variant<drawbridge::model::ModelWeights, std::string>
shardWeights(const drawbridge::model::ModelWeights& whole, int rank, int ranks);

} // namespace workload

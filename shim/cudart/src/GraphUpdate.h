// cudaGraphExecUpdate's rules: which graph may give an executable graph (or a child graph node
// of one) new parameters. Nodes are paired by the order they were added to their graphs; the
// pairs must have the same kinds and the same edges, and each node's new parameters must be
// ones CUDA can update in place.
#pragma once

#include "Graph.h"

#include <vector>

namespace drawbridge::cudart {

struct NodeShape {
  std::vector<size_t> dependencies; // positions, in edge order
  const NodeWork* work;
};
std::vector<NodeShape> shapeOf(const CUgraph_st& graph);
std::vector<NodeShape> shapeOf(const CUgraphExec_st& exec);

/// Fills `info` and returns cudaSuccess when `graph` can replace `current`, else
/// cudaErrorGraphExecUpdateFailure.
cudaError_t checkUpdate(const std::vector<NodeShape>& current, const CUgraph_st& graph,
                        cudaGraphExecUpdateResultInfo& info);

} // namespace drawbridge::cudart

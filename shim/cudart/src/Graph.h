// CUDA graphs: nodes of work with dependencies (cudaGraph_t), and their executable form
// (cudaGraphExec_t), which runs the nodes on a stream in an order that honours every
// dependency. The handle types are NVIDIA's opaque structs, defined here.
#pragma once

#include "Operations.h"
#include "UserObject.h"

#include <cuda_runtime_api.h>
#include <map>
#include <memory>
#include <variant>
#include <vector>

namespace drawbridge::cudart {

/// A kernel node owns a copy of its argument values, as CUDA's does.
struct KernelWork {
  KernelLaunch shape; // without its arguments, which are the values below
  std::vector<std::byte> values;
  std::vector<size_t> offsets;

  /// Copies the arguments, whose sizes the kernel's parameters give.
  static cudaError_t make(const KernelLaunch& launch, KernelWork& work);
  KernelLaunch launch();
};
struct CopyWork {
  cudaMemcpy3DParms params;
};
struct FillWork {
  cudaMemsetParams params;
};
struct HostWork {
  cudaHostNodeParams params;
};
struct EmptyWork {};
struct EventRecordWork {
  cudaEvent_t event;
};
struct EventWaitWork {
  cudaEvent_t event;
};
using NodeWork = std::variant<KernelWork, CopyWork, FillWork, HostWork, EmptyWork, EventRecordWork,
                              EventWaitWork>;

cudaGraphNodeType nodeType(const NodeWork& work);
/// Puts the node's work on the stream.
cudaError_t run(NodeWork& work, cudaStream_t stream);

} // namespace drawbridge::cudart

struct CUgraphNode_st {
  CUgraph_st* graph;
  drawbridge::cudart::NodeWork work;
  std::vector<CUgraphNode_st*> dependencies;
};

struct CUgraph_st {
  std::vector<std::unique_ptr<CUgraphNode_st>> nodes;
  // For a clone, each original node's copy (cudaGraphNodeFindInClone).
  std::map<const CUgraphNode_st*, CUgraphNode_st*> cloneOf;
  drawbridge::cudart::UserObjectReferences userObjects; // copied by clones and instantiation

  /// Adds a node after `dependencies`, which must be nodes of this graph.
  cudaError_t add(drawbridge::cudart::NodeWork work, const cudaGraphNode_t* dependencies,
                  size_t count, cudaGraphNode_t* added);
  bool owns(const CUgraphNode_st* node) const;
};

struct CUgraphExec_st {
  struct Step {
    const CUgraphNode_st* from; // the graph node it was instantiated from (for updates)
    drawbridge::cudart::NodeWork work;
  };
  std::vector<Step> steps;                              // a topological order of the graph
  unsigned long long flags = 0;                         // what it was instantiated with
  drawbridge::cudart::UserObjectReferences userObjects; // the graph's, when instantiated

  /// Fails with cudaErrorInvalidValue on a cycle.
  static cudaError_t instantiate(const CUgraph_st& graph, std::unique_ptr<CUgraphExec_st>& exec);
  Step* step(const CUgraphNode_st* from);
};

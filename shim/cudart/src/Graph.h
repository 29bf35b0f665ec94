// CUDA graphs: nodes of work with dependencies (cudaGraph_t), and their executable form
// (cudaGraphExec_t), which runs the nodes on a stream in an order that honours every
// dependency. The handle types are NVIDIA's opaque structs, defined here.
#pragma once

#include "Operations.h"
#include "UserObject.h"

#include <atomic>
#include <cuda_runtime_api.h>
#include <map>
#include <memory>
#include <variant>
#include <vector>

namespace drawbridge::cudart {

struct GraphAllocation; // GraphMemory.h

/// A kernel node owns a copy of its argument values, as CUDA's does.
struct KernelWork {
  KernelLaunch shape; // without its arguments, which are the values below
  std::vector<std::byte> values;
  std::vector<size_t> offsets;
  // What cudaGraphKernelNodeSetAttribute set; an attribute not here reads as zeroes.
  std::map<int, cudaLaunchAttributeValue> attributes;

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
/// A child graph node owns its graph: a clone of the one it was given, or that graph itself
/// when its ownership was moved to the node. Copying the node (a clone of the parent, an
/// instantiation) copies the graph too, as CUDA's do.
struct ChildWork {
  std::shared_ptr<CUgraph_st> graph;

  explicit ChildWork(std::shared_ptr<CUgraph_st> owned);
  ChildWork(const ChildWork& other);
  ChildWork& operator=(const ChildWork& other);
  ChildWork(ChildWork&&) = default;
  ChildWork& operator=(ChildWork&&) = default;
};
/// The allocation's address is fixed when the node is made; running the node makes it live.
struct MemAllocWork {
  std::shared_ptr<GraphAllocation> allocation;
};
struct MemFreeWork {
  void* address;
};
/// A conditional node's condition. Its handle (cudaGraphConditionalHandle) is its address, so
/// device code sets `value` with one store (cudaGraphSetConditional, which the CPU backend
/// provides to kernels).
struct ConditionalSlot {
  std::atomic<uint32_t> value;
  uint32_t initial; // set at each launch of the graph when `flags` has cudaGraphCondAssignDefault
  unsigned flags;
};
/// The node's bodies are graphs it owns; the program fills them through `bodyHandles`, the
/// array CUDA hands out in phGraph_out.
struct ConditionalWork {
  std::shared_ptr<ConditionalSlot> slot;
  cudaGraphConditionalNodeType type;
  std::vector<ChildWork> bodies;
  std::vector<cudaGraph_t> bodyHandles;
};
using NodeWork = std::variant<KernelWork, CopyWork, FillWork, HostWork, EmptyWork, EventRecordWork,
                              EventWaitWork, ChildWork, MemAllocWork, MemFreeWork, ConditionalWork>;

cudaGraphNodeType nodeType(const NodeWork& work);
/// Puts the node's work on the stream.
cudaError_t run(NodeWork& work, cudaStream_t stream);

/// A copy of `graph` with its own nodes and the same edges, recording each original node's
/// copy in the copy's cloneOf.
std::unique_ptr<CUgraph_st> cloneGraph(const CUgraph_st& graph);
/// Whether the graph, or a child graph in it, has memory allocation or free nodes (which
/// restrict cloning, node removal and instantiation).
bool hasMemoryNodes(const CUgraph_st& graph);
/// Whether the graph has conditional nodes (which restrict cloning, child graphs and
/// instantiation).
bool hasConditionalNodes(const CUgraph_st& graph);

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
  // Whether an executable graph of this graph exists: a graph with memory nodes may have one
  // at a time. Shared with that executable graph, which clears it when destroyed.
  std::shared_ptr<bool> instantiated = std::make_shared<bool>(false);
  bool ownedByParent = false; // a child graph or conditional node's: not the program's to use
  // The conditions cudaGraphConditionalHandleCreate made for this graph's conditional nodes.
  std::vector<std::shared_ptr<drawbridge::cudart::ConditionalSlot>> conditions;

  /// Adds a node after `dependencies`, which must be nodes of this graph.
  cudaError_t add(drawbridge::cudart::NodeWork work, const cudaGraphNode_t* dependencies,
                  size_t count, cudaGraphNode_t* added);
  bool owns(const CUgraphNode_st* node) const;
  /// The node's position in the order nodes were added (how cudaGraphExecUpdate pairs them).
  size_t indexOf(const CUgraphNode_st* node) const;
};

struct CUgraphExec_st {
  struct Step {
    const CUgraphNode_st* from;       // the graph node it was instantiated from (for updates)
    size_t index;                     // that node's position in its graph
    std::vector<size_t> dependencies; // the positions of the nodes it depends on
    drawbridge::cudart::NodeWork work;
    bool enabled = true;
  };
  std::vector<Step> steps;                              // a topological order of the graph
  unsigned long long flags = 0;                         // what it was instantiated with
  drawbridge::cudart::UserObjectReferences userObjects; // the graph's, when instantiated
  std::shared_ptr<bool> instanceOf; // the graph's `instantiated`, when it has memory nodes
  std::vector<std::shared_ptr<drawbridge::cudart::ConditionalSlot>> conditions; // the graph's

  ~CUgraphExec_st();
  /// Fails with cudaErrorInvalidValue on a cycle (naming in `stuck`, when given, a node on it or
  /// after it), and with cudaErrorNotSupported when a graph with memory or conditional nodes
  /// already has an executable graph.
  static cudaError_t instantiate(const CUgraph_st& graph, std::unique_ptr<CUgraphExec_st>& exec,
                                 CUgraphNode_st** stuck = nullptr);
  Step* step(const CUgraphNode_st* from);
  /// Puts every enabled step on the stream, in order. With conditional nodes, the launch waits
  /// for the stream before each, to choose what runs.
  cudaError_t launch(cudaStream_t stream);
};

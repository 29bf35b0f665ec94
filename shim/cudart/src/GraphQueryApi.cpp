// A graph's structure and its nodes' parameters read back, nodes and edges removed, graphs
// cloned, and the executable graph's flags. Every edge is a full dependency, so edge data
// always reads back zeroed.
#include "Api.h"
#include "Export.h"
#include "Graph.h"

#include <algorithm>
#include <cstring>

using namespace drawbridge::cudart;

namespace {

/// CUDA's convention for node lists: without an array, the count; with one, up to *count
/// nodes, the rest of the array NULL, and *count lowered to how many there are.
cudaError_t listNodes(const std::vector<CUgraphNode_st*>& found, cudaGraphNode_t* out,
                      cudaGraphEdgeData* edgeData, size_t* count) {
  if (!count)
    return cudaErrorInvalidValue;
  if (out) {
    for (size_t i = 0; i < *count; ++i)
      out[i] = i < found.size() ? found[i] : nullptr;
    if (edgeData)
      std::memset(edgeData, 0, *count * sizeof *edgeData);
  }
  if (!out || *count > found.size())
    *count = found.size();
  return cudaSuccess;
}

std::vector<CUgraphNode_st*> dependentsOf(const CUgraphNode_st* node) {
  std::vector<CUgraphNode_st*> found;
  for (const auto& other : node->graph->nodes) {
    const auto& after = other->dependencies;
    if (std::find(after.begin(), after.end(), node) != after.end())
      found.push_back(other.get());
  }
  return found;
}

/// Reads one field of a node of kind Work; any other node is cudaErrorInvalidValue.
template <typename Work, typename Out, typename Field>
cudaError_t readNode(cudaGraphNode_t node, Out* out, Field field) {
  const Work* work = node ? std::get_if<Work>(&node->work) : nullptr;
  if (!work || !out)
    return cudaErrorInvalidValue;
  *out = work->*field;
  return cudaSuccess;
}

// The edges from[i] -> to[i] of `graph`, each of which must exist.
cudaError_t removeEdges(cudaGraph_t graph, const cudaGraphNode_t* from, const cudaGraphNode_t* to,
                        size_t count) {
  if (!graph || (count && (!from || !to)))
    return cudaErrorInvalidValue;
  if (hasMemoryNodes(*graph))
    return cudaErrorNotSupported; // CUDA: a graph with memory nodes keeps its edges
  for (size_t i = 0; i < count; ++i) {
    if (!graph->owns(from[i]) || !graph->owns(to[i]))
      return cudaErrorInvalidValue;
    auto& after = to[i]->dependencies;
    auto edge = std::find(after.begin(), after.end(), from[i]);
    if (edge == after.end())
      return cudaErrorInvalidValue;
    after.erase(edge);
  }
  return cudaSuccess;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphGetRootNodes(cudaGraph_t graph,
                                                           cudaGraphNode_t* pRootNodes,
                                                           size_t* pNumRootNodes) {
  return api(
      "cudaGraphGetRootNodes",
      [&] {
        if (!graph)
          return cudaErrorInvalidValue;
        std::vector<CUgraphNode_st*> roots;
        for (const auto& node : graph->nodes)
          if (node->dependencies.empty())
            roots.push_back(node.get());
        return listNodes(roots, pRootNodes, nullptr, pNumRootNodes);
      },
      graph, pRootNodes, pNumRootNodes);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphGetEdges(cudaGraph_t graph, cudaGraphNode_t* from,
                                                       cudaGraphNode_t* to,
                                                       cudaGraphEdgeData* edgeData,
                                                       size_t* numEdges) {
  return api(
      "cudaGraphGetEdges",
      [&] {
        if (!graph || !numEdges || (!from != !to))
          return cudaErrorInvalidValue;
        std::vector<CUgraphNode_st*> sources, targets;
        for (const auto& node : graph->nodes)
          for (CUgraphNode_st* dependency : node->dependencies) {
            sources.push_back(dependency);
            targets.push_back(node.get());
          }
        size_t asked = *numEdges;
        if (cudaError_t error = listNodes(sources, from, edgeData, numEdges))
          return error;
        return listNodes(targets, to, nullptr, &asked);
      },
      graph, from, to, edgeData, numEdges);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphNodeGetDependencies(cudaGraphNode_t node,
                                                                  cudaGraphNode_t* pDependencies,
                                                                  cudaGraphEdgeData* edgeData,
                                                                  size_t* pNumDependencies) {
  return api(
      "cudaGraphNodeGetDependencies",
      [&] {
        if (!node)
          return cudaErrorInvalidValue;
        return listNodes(node->dependencies, pDependencies, edgeData, pNumDependencies);
      },
      node, pDependencies, edgeData, pNumDependencies);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGraphNodeGetDependentNodes(cudaGraphNode_t node, cudaGraphNode_t* pDependentNodes,
                               cudaGraphEdgeData* edgeData, size_t* pNumDependentNodes) {
  return api(
      "cudaGraphNodeGetDependentNodes",
      [&] {
        if (!node)
          return cudaErrorInvalidValue;
        return listNodes(dependentsOf(node), pDependentNodes, edgeData, pNumDependentNodes);
      },
      node, pDependentNodes, edgeData, pNumDependentNodes);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphRemoveDependencies(cudaGraph_t graph,
                                                                 const cudaGraphNode_t* from,
                                                                 const cudaGraphNode_t* to,
                                                                 const cudaGraphEdgeData* edgeData,
                                                                 size_t numDependencies) {
  return api(
      "cudaGraphRemoveDependencies", [&] { return removeEdges(graph, from, to, numDependencies); },
      graph, from, to, edgeData, numDependencies);
}

// The node goes, and with it every edge to or from it.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphDestroyNode(cudaGraphNode_t node) {
  return api(
      "cudaGraphDestroyNode",
      [&] {
        if (!node)
          return cudaErrorInvalidValue;
        CUgraph_st* graph = node->graph;
        if (hasMemoryNodes(*graph))
          return cudaErrorNotSupported; // CUDA: a graph with memory nodes keeps its nodes
        for (const auto& other : graph->nodes)
          std::erase(other->dependencies, node);
        std::erase_if(graph->nodes, [&](const auto& owned) { return owned.get() == node; });
        return cudaSuccess;
      },
      node);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphClone(cudaGraph_t* pGraphClone,
                                                    cudaGraph_t originalGraph) {
  return api(
      "cudaGraphClone",
      [&] {
        if (!pGraphClone || !originalGraph)
          return cudaErrorInvalidValue;
        if (hasMemoryNodes(*originalGraph) || hasConditionalNodes(*originalGraph))
          return cudaErrorNotSupported; // CUDA: such graphs cannot be cloned
        std::unique_ptr<CUgraph_st> clone = cloneGraph(*originalGraph);
        *pGraphClone = clone.release();
        return cudaSuccess;
      },
      pGraphClone, originalGraph);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphNodeFindInClone(cudaGraphNode_t* pNode,
                                                              cudaGraphNode_t originalNode,
                                                              cudaGraph_t clonedGraph) {
  return api(
      "cudaGraphNodeFindInClone",
      [&] {
        if (!pNode || !originalNode || !clonedGraph)
          return cudaErrorInvalidValue;
        auto copy = clonedGraph->cloneOf.find(originalNode);
        if (copy == clonedGraph->cloneOf.end() || !clonedGraph->owns(copy->second))
          return cudaErrorInvalidValue;
        *pNode = copy->second;
        return cudaSuccess;
      },
      pNode, originalNode, clonedGraph);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphHostNodeGetParams(cudaGraphNode_t node,
                                                                cudaHostNodeParams* pNodeParams) {
  return api(
      "cudaGraphHostNodeGetParams",
      [&] { return readNode<HostWork>(node, pNodeParams, &HostWork::params); }, node, pNodeParams);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphMemsetNodeGetParams(cudaGraphNode_t node,
                                                                  cudaMemsetParams* pNodeParams) {
  return api(
      "cudaGraphMemsetNodeGetParams",
      [&] { return readNode<FillWork>(node, pNodeParams, &FillWork::params); }, node, pNodeParams);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphMemcpyNodeGetParams(cudaGraphNode_t node,
                                                                  cudaMemcpy3DParms* pNodeParams) {
  return api(
      "cudaGraphMemcpyNodeGetParams",
      [&] { return readNode<CopyWork>(node, pNodeParams, &CopyWork::params); }, node, pNodeParams);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphEventRecordNodeGetEvent(cudaGraphNode_t node,
                                                                      cudaEvent_t* event_out) {
  return api(
      "cudaGraphEventRecordNodeGetEvent",
      [&] { return readNode<EventRecordWork>(node, event_out, &EventRecordWork::event); }, node,
      event_out);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphEventWaitNodeGetEvent(cudaGraphNode_t node,
                                                                    cudaEvent_t* event_out) {
  return api(
      "cudaGraphEventWaitNodeGetEvent",
      [&] { return readNode<EventWaitWork>(node, event_out, &EventWaitWork::event); }, node,
      event_out);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecGetFlags(cudaGraphExec_t graphExec,
                                                           unsigned long long* flags) {
  return api(
      "cudaGraphExecGetFlags",
      [&] {
        if (!graphExec || !flags)
          return cudaErrorInvalidValue;
        *flags = graphExec->flags;
        return cudaSuccess;
      },
      graphExec, flags);
}

// The executable graph's work already lives where the device runs it (host memory), so there
// is nothing to upload; the call still checks its handle.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphUpload(cudaGraphExec_t graphExec,
                                                     cudaStream_t stream) {
  return api(
      "cudaGraphUpload", [&] { return graphExec ? cudaSuccess : cudaErrorInvalidValue; }, graphExec,
      stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphUpload_ptsz(cudaGraphExec_t graphExec,
                                                          cudaStream_t stream) {
  return cudaGraphUpload(graphExec, stream ? stream : cudaStreamPerThread);
}

#include "GraphUpdate.h"

#include "Allocations.h"
#include "GraphMemory.h"

namespace drawbridge::cudart {
namespace {

cudaMemoryType memoryType(const void* address) {
  std::optional<Allocation> found = Allocations::instance().find(address);
  return found ? found->type : cudaMemoryTypeUnregistered;
}

// Whether `to` may replace `from` in place, by CUDA's per-kind rules.
cudaGraphExecUpdateResult checkParameters(const NodeWork& from, const NodeWork& to,
                                          cudaGraphExecUpdateResultInfo& info) {
  if (const auto* old = std::get_if<CopyWork>(&from)) {
    const auto& now = std::get<CopyWork>(to);
    // The source's and destination's memory types may not change.
    if (memoryType(old->params.srcPtr.ptr) != memoryType(now.params.srcPtr.ptr) ||
        memoryType(old->params.dstPtr.ptr) != memoryType(now.params.dstPtr.ptr))
      return cudaGraphExecUpdateErrorParametersChanged;
  } else if (const auto* old = std::get_if<FillWork>(&from)) {
    const auto& now = std::get<FillWork>(to);
    // A 2D memset may change only its address and value.
    bool twoDimensional = old->params.height > 1 || now.params.height > 1;
    if (twoDimensional &&
        (old->params.width != now.params.width || old->params.height != now.params.height ||
         old->params.pitch != now.params.pitch ||
         old->params.elementSize != now.params.elementSize))
      return cudaGraphExecUpdateErrorParametersChanged;
  } else if (const auto* old = std::get_if<MemAllocWork>(&from)) {
    if (old->allocation != std::get<MemAllocWork>(to).allocation)
      return cudaGraphExecUpdateErrorParametersChanged;
  } else if (const auto* old = std::get_if<MemFreeWork>(&from)) {
    if (old->address != std::get<MemFreeWork>(to).address)
      return cudaGraphExecUpdateErrorParametersChanged;
  } else if (const auto* old = std::get_if<ConditionalWork>(&from)) {
    // The node itself may not change; its bodies' nodes may, by these rules.
    const auto& now = std::get<ConditionalWork>(to);
    if (old->slot != now.slot || old->type != now.type || old->bodies.size() != now.bodies.size())
      return cudaGraphExecUpdateErrorParametersChanged;
    for (size_t i = 0; i < old->bodies.size(); ++i)
      if (checkUpdate(shapeOf(*old->bodies[i].graph), *now.bodies[i].graph, info) != cudaSuccess)
        return info.result;
  } else if (const auto* old = std::get_if<ChildWork>(&from)) {
    if (checkUpdate(shapeOf(*old->graph), *std::get<ChildWork>(to).graph, info) != cudaSuccess)
      return info.result;
  }
  return cudaGraphExecUpdateSuccess;
}

cudaError_t fail(cudaGraphExecUpdateResultInfo& info, cudaGraphExecUpdateResult result,
                 cudaGraphNode_t node, cudaGraphNode_t from = nullptr) {
  info = {result, node, from};
  return cudaErrorGraphExecUpdateFailure;
}

} // namespace

std::vector<NodeShape> shapeOf(const CUgraph_st& graph) {
  std::vector<NodeShape> shape;
  for (const auto& node : graph.nodes) {
    NodeShape s{{}, &node->work};
    for (const CUgraphNode_st* d : node->dependencies)
      s.dependencies.push_back(graph.indexOf(d));
    shape.push_back(std::move(s));
  }
  return shape;
}

std::vector<NodeShape> shapeOf(const CUgraphExec_st& exec) {
  std::vector<NodeShape> shape(exec.steps.size());
  for (const CUgraphExec_st::Step& step : exec.steps)
    shape[step.index] = {step.dependencies, &step.work};
  return shape;
}

cudaError_t checkUpdate(const std::vector<NodeShape>& current, const CUgraph_st& graph,
                        cudaGraphExecUpdateResultInfo& info) {
  if (current.size() != graph.nodes.size())
    return fail(info, cudaGraphExecUpdateErrorTopologyChanged, nullptr);
  for (size_t i = 0; i < current.size(); ++i) {
    CUgraphNode_st* node = graph.nodes[i].get();
    if (nodeType(*current[i].work) != nodeType(node->work))
      return fail(info, cudaGraphExecUpdateErrorNodeTypeChanged, node);
    if (current[i].dependencies.size() != node->dependencies.size())
      return fail(info, cudaGraphExecUpdateErrorTopologyChanged, node);
    for (size_t e = 0; e < node->dependencies.size(); ++e)
      if (graph.indexOf(node->dependencies[e]) != current[i].dependencies[e])
        return fail(info, cudaGraphExecUpdateErrorTopologyChanged, node, node->dependencies[e]);
  }
  for (size_t i = 0; i < current.size(); ++i) {
    CUgraphNode_st* node = graph.nodes[i].get();
    cudaGraphExecUpdateResult result = checkParameters(*current[i].work, node->work, info);
    if (result != cudaGraphExecUpdateSuccess)
      return fail(info, result, node);
  }
  info = {cudaGraphExecUpdateSuccess, nullptr, nullptr};
  return cudaSuccess;
}

} // namespace drawbridge::cudart

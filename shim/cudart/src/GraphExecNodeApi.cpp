// An executable graph changed after instantiation: its nodes' parameters (by the graph node
// each came from), nodes enabled and disabled, and cudaGraphExecUpdate from a whole graph.
// Changes reach the launches made after them.
#include "Api.h"
#include "Export.h"
#include "GraphUpdate.h"
#include "GraphWork.h"

using namespace drawbridge::cudart;

namespace {

// Sets the parameters the step made from `node` has in `exec` from `make`.
template <typename Make>
cudaError_t setStep(cudaGraphExec_t exec, cudaGraphNode_t node, Make make) {
  CUgraphExec_st::Step* step = exec && node ? exec->step(node) : nullptr;
  if (!step)
    return cudaErrorInvalidValue;
  NodeWork replacement;
  if (cudaError_t error = make(replacement))
    return error;
  if (const auto* child = std::get_if<ChildWork>(&step->work)) {
    // A child graph may change only its nodes' parameters, by cudaGraphExecUpdate's rules.
    const auto* now = std::get_if<ChildWork>(&replacement);
    cudaGraphExecUpdateResultInfo info;
    if (now && checkUpdate(shapeOf(*child->graph), *now->graph, info) != cudaSuccess)
      return cudaErrorInvalidValue;
  }
  return replaceWork(step->work, std::move(replacement));
}

// The step `node` became in `exec`, when CUDA lets it be disabled (kernel, memcpy and memset
// nodes).
CUgraphExec_st::Step* switchableStep(cudaGraphExec_t exec, cudaGraphNode_t node) {
  CUgraphExec_st::Step* step = exec && node ? exec->step(node) : nullptr;
  if (!step)
    return nullptr;
  cudaGraphNodeType type = nodeType(step->work);
  bool switchable = type == cudaGraphNodeTypeKernel || type == cudaGraphNodeTypeMemcpy ||
                    type == cudaGraphNodeTypeMemset;
  return switchable ? step : nullptr;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecKernelNodeSetParams(
    cudaGraphExec_t hGraphExec, cudaGraphNode_t node, const cudaKernelNodeParams* params) {
  return api(
      "cudaGraphExecKernelNodeSetParams",
      [&] {
        return setStep(hGraphExec, node, [&](NodeWork& work) {
          KernelWork made;
          cudaError_t error = kernelWork(params, made);
          work = std::move(made);
          return error;
        });
      },
      hGraphExec, node, params);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecMemsetNodeSetParams(
    cudaGraphExec_t hGraphExec, cudaGraphNode_t node, const cudaMemsetParams* params) {
  return api(
      "cudaGraphExecMemsetNodeSetParams",
      [&] {
        return setStep(hGraphExec, node, [&](NodeWork& work) { return fillWork(params, work); });
      },
      hGraphExec, node, params);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecHostNodeSetParams(
    cudaGraphExec_t hGraphExec, cudaGraphNode_t node, const cudaHostNodeParams* params) {
  return api(
      "cudaGraphExecHostNodeSetParams",
      [&] {
        return setStep(hGraphExec, node, [&](NodeWork& work) { return hostWork(params, work); });
      },
      hGraphExec, node, params);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecNodeSetParams(cudaGraphExec_t graphExec,
                                                                cudaGraphNode_t node,
                                                                cudaGraphNodeParams* nodeParams) {
  return api(
      "cudaGraphExecNodeSetParams",
      [&] {
        if (cudaError_t error = checkGenericSet(node, nodeParams))
          return error;
        return setStep(graphExec, node,
                       [&](NodeWork& work) { return genericWork(nodeParams, work); });
      },
      graphExec, node, nodeParams);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecMemcpyNodeSetParams(
    cudaGraphExec_t hGraphExec, cudaGraphNode_t node, const cudaMemcpy3DParms* pNodeParams) {
  return api(
      "cudaGraphExecMemcpyNodeSetParams",
      [&] {
        return setStep(hGraphExec, node,
                       [&](NodeWork& work) { return copyWork(pNodeParams, work); });
      },
      hGraphExec, node, pNodeParams);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecMemcpyNodeSetParams1D(cudaGraphExec_t hGraphExec,
                                                                        cudaGraphNode_t node,
                                                                        void* dst, const void* src,
                                                                        size_t count,
                                                                        cudaMemcpyKind kind) {
  return api(
      "cudaGraphExecMemcpyNodeSetParams1D",
      [&] {
        return setStep(hGraphExec, node,
                       [&](NodeWork& work) { return linearCopyWork(dst, src, count, kind, work); });
      },
      hGraphExec, node, dst, src, count, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecMemcpyNodeSetParamsToSymbol(
    cudaGraphExec_t hGraphExec, cudaGraphNode_t node, const void* symbol, const void* src,
    size_t count, size_t offset, cudaMemcpyKind kind) {
  return api(
      "cudaGraphExecMemcpyNodeSetParamsToSymbol",
      [&] {
        return setStep(hGraphExec, node, [&](NodeWork& work) {
          return symbolCopyWork(symbol, count, offset, true, const_cast<void*>(src), kind, work);
        });
      },
      hGraphExec, node, symbol, src, count, offset, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecMemcpyNodeSetParamsFromSymbol(
    cudaGraphExec_t hGraphExec, cudaGraphNode_t node, void* dst, const void* symbol, size_t count,
    size_t offset, cudaMemcpyKind kind) {
  return api(
      "cudaGraphExecMemcpyNodeSetParamsFromSymbol",
      [&] {
        return setStep(hGraphExec, node, [&](NodeWork& work) {
          return symbolCopyWork(symbol, count, offset, false, dst, kind, work);
        });
      },
      hGraphExec, node, dst, symbol, count, offset, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecEventRecordNodeSetEvent(
    cudaGraphExec_t hGraphExec, cudaGraphNode_t hNode, cudaEvent_t event) {
  return api(
      "cudaGraphExecEventRecordNodeSetEvent",
      [&] {
        return setStep(hGraphExec, hNode,
                       [&](NodeWork& work) { return eventWork(event, true, work); });
      },
      hGraphExec, hNode, event);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecEventWaitNodeSetEvent(cudaGraphExec_t hGraphExec,
                                                                        cudaGraphNode_t hNode,
                                                                        cudaEvent_t event) {
  return api(
      "cudaGraphExecEventWaitNodeSetEvent",
      [&] {
        return setStep(hGraphExec, hNode,
                       [&](NodeWork& work) { return eventWork(event, false, work); });
      },
      hGraphExec, hNode, event);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecChildGraphNodeSetParams(
    cudaGraphExec_t hGraphExec, cudaGraphNode_t node, cudaGraph_t childGraph) {
  return api(
      "cudaGraphExecChildGraphNodeSetParams",
      [&] {
        return setStep(hGraphExec, node, [&](NodeWork& work) {
          return childWork(childGraph, cudaGraphChildGraphOwnershipClone, work);
        });
      },
      hGraphExec, node, childGraph);
}

// A disabled node runs as an empty node would, keeping its parameters.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphNodeSetEnabled(cudaGraphExec_t hGraphExec,
                                                             cudaGraphNode_t hNode,
                                                             unsigned int isEnabled) {
  return api(
      "cudaGraphNodeSetEnabled",
      [&] {
        CUgraphExec_st::Step* step = switchableStep(hGraphExec, hNode);
        if (!step)
          return cudaErrorInvalidValue;
        step->enabled = isEnabled != 0;
        return cudaSuccess;
      },
      hGraphExec, hNode, isEnabled);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphNodeGetEnabled(cudaGraphExec_t hGraphExec,
                                                             cudaGraphNode_t hNode,
                                                             unsigned int* isEnabled) {
  return api(
      "cudaGraphNodeGetEnabled",
      [&] {
        CUgraphExec_st::Step* step = switchableStep(hGraphExec, hNode);
        if (!step || !isEnabled)
          return cudaErrorInvalidValue;
        *isEnabled = step->enabled;
        return cudaSuccess;
      },
      hGraphExec, hNode, isEnabled);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecUpdate(
    cudaGraphExec_t hGraphExec, cudaGraph_t hGraph, cudaGraphExecUpdateResultInfo* resultInfo) {
  return api(
      "cudaGraphExecUpdate",
      [&] {
        if (!resultInfo)
          return cudaErrorInvalidValue;
        *resultInfo = {cudaGraphExecUpdateError, nullptr, nullptr};
        if (!hGraphExec || !hGraph || hGraph->ownedByParent)
          return cudaErrorInvalidValue;
        if (cudaError_t error = checkUpdate(shapeOf(*hGraphExec), *hGraph, *resultInfo))
          return error;
        for (CUgraphExec_st::Step& step : hGraphExec->steps)
          step.work = hGraph->nodes[step.index]->work;
        return cudaSuccess;
      },
      hGraphExec, hGraph, resultInfo);
}

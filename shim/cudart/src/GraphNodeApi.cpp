// Nodes added and their parameters set in the generic form (cudaGraphAddNode,
// cudaGraphNodeSetParams, cudaGraphExecNodeSetParams); child graph and memory nodes; copies to
// and from __device__ variables; nodes' parameters set in a graph; kernel node attributes.
#include "Api.h"
#include "Export.h"
#include "GraphMemory.h"
#include "GraphWork.h"
#include "Log.h"

#include <cstring>

using namespace drawbridge::cudart;

namespace {

cudaError_t addWork(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* dependencies,
                    size_t count, NodeWork work) {
  if (!graph)
    return cudaErrorInvalidValue;
  return graph->add(std::move(work), dependencies, count, node);
}

// Edge data is all zeroes (a full dependency) or it asks for what the CPU device lacks.
cudaError_t checkEdges(const cudaGraphEdgeData* edges, size_t count) {
  static const cudaGraphEdgeData kFull = {};
  for (size_t i = 0; edges && i < count; ++i)
    if (std::memcmp(&edges[i], &kFull, sizeof kFull)) {
      logError("drawbridge: edge data (programmatic dependent launch) is not "
               "supported; use full dependencies\n");
      return cudaErrorNotSupported;
    }
  return cudaSuccess;
}

// Sets a graph node's parameters from `make`, which builds the new work.
template <typename Make> cudaError_t setNode(cudaGraphNode_t node, Make make) {
  if (!node)
    return cudaErrorInvalidValue;
  NodeWork replacement;
  if (cudaError_t error = make(replacement))
    return error;
  return replaceWork(node->work, std::move(replacement));
}

// The kernel node's work when `attr` is an attribute a kernel node has.
KernelWork* attributeNode(cudaGraphNode_t node, cudaKernelNodeAttrID attr) {
  auto* work = node ? std::get_if<KernelWork>(&node->work) : nullptr;
  bool known =
      attr > cudaLaunchAttributeIgnore && attr <= cudaLaunchAttributeNvlinkUtilCentricScheduling;
  return known ? work : nullptr;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddNode(cudaGraphNode_t* pGraphNode,
                                                      cudaGraph_t graph,
                                                      const cudaGraphNode_t* pDependencies,
                                                      const cudaGraphEdgeData* dependencyData,
                                                      size_t numDependencies,
                                                      cudaGraphNodeParams* nodeParams) {
  return api(
      "cudaGraphAddNode",
      [&] {
        if (!graph || !pGraphNode)
          return cudaErrorInvalidValue;
        if (cudaError_t error = checkEdges(dependencyData, numDependencies))
          return error;
        NodeWork work;
        bool conditional = nodeParams && nodeParams->type == cudaGraphNodeTypeConditional;
        if (cudaError_t error = conditional ? conditionalWork(*graph, nodeParams->conditional, work)
                                            : genericWork(nodeParams, work))
          return error;
        return addWork(pGraphNode, graph, pDependencies, numDependencies, std::move(work));
      },
      pGraphNode, graph, pDependencies, dependencyData, numDependencies, nodeParams);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGraphConditionalHandleCreate(cudaGraphConditionalHandle* pHandle_out, cudaGraph_t graph,
                                 unsigned int defaultLaunchValue, unsigned int flags) {
  return api(
      "cudaGraphConditionalHandleCreate",
      [&] {
        if (!pHandle_out || !graph || (flags & ~unsigned(cudaGraphCondAssignDefault)))
          return cudaErrorInvalidValue;
        auto slot = std::make_shared<ConditionalSlot>();
        slot->value = defaultLaunchValue;
        slot->initial = defaultLaunchValue;
        slot->flags = flags;
        graph->conditions.push_back(slot);
        *pHandle_out = reinterpret_cast<cudaGraphConditionalHandle>(slot.get());
        return cudaSuccess;
      },
      pHandle_out, graph, defaultLaunchValue, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphNodeSetParams(cudaGraphNode_t node,
                                                            cudaGraphNodeParams* nodeParams) {
  return api(
      "cudaGraphNodeSetParams",
      [&] {
        if (cudaError_t error = checkGenericSet(node, nodeParams))
          return error;
        return setNode(node, [&](NodeWork& work) { return genericWork(nodeParams, work); });
      },
      node, nodeParams);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddChildGraphNode(
    cudaGraphNode_t* pGraphNode, cudaGraph_t graph, const cudaGraphNode_t* pDependencies,
    size_t numDependencies, cudaGraph_t childGraph) {
  return api(
      "cudaGraphAddChildGraphNode",
      [&] {
        if (!graph || childGraph == graph)
          return cudaErrorInvalidValue;
        NodeWork work;
        if (cudaError_t error = childWork(childGraph, cudaGraphChildGraphOwnershipClone, work))
          return error;
        return addWork(pGraphNode, graph, pDependencies, numDependencies, std::move(work));
      },
      pGraphNode, graph, pDependencies, numDependencies, childGraph);
}

// The node's own graph: changing it changes the node (CUDA returns the embedded graph, not a
// copy).
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphChildGraphNodeGetGraph(cudaGraphNode_t node,
                                                                     cudaGraph_t* pGraph) {
  return api(
      "cudaGraphChildGraphNodeGetGraph",
      [&] {
        auto* work = node ? std::get_if<ChildWork>(&node->work) : nullptr;
        if (!work || !pGraph)
          return cudaErrorInvalidValue;
        *pGraph = work->graph.get();
        return cudaSuccess;
      },
      node, pGraph);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddMemAllocNode(cudaGraphNode_t* pGraphNode,
                                                              cudaGraph_t graph,
                                                              const cudaGraphNode_t* pDependencies,
                                                              size_t numDependencies,
                                                              cudaMemAllocNodeParams* nodeParams) {
  return api(
      "cudaGraphAddMemAllocNode",
      [&] {
        if (!graph)
          return cudaErrorInvalidValue;
        NodeWork work;
        if (cudaError_t error = allocWork(nodeParams, work))
          return error;
        return addWork(pGraphNode, graph, pDependencies, numDependencies, std::move(work));
      },
      pGraphNode, graph, pDependencies, numDependencies, nodeParams);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddMemFreeNode(cudaGraphNode_t* pGraphNode,
                                                             cudaGraph_t graph,
                                                             const cudaGraphNode_t* pDependencies,
                                                             size_t numDependencies, void* dptr) {
  return api(
      "cudaGraphAddMemFreeNode",
      [&] {
        NodeWork work;
        if (cudaError_t error = freeWork(dptr, work))
          return error;
        return addWork(pGraphNode, graph, pDependencies, numDependencies, std::move(work));
      },
      pGraphNode, graph, pDependencies, numDependencies, dptr);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGraphMemAllocNodeGetParams(cudaGraphNode_t node, cudaMemAllocNodeParams* params_out) {
  return api(
      "cudaGraphMemAllocNodeGetParams",
      [&] {
        auto* work = node ? std::get_if<MemAllocWork>(&node->work) : nullptr;
        if (!work || !params_out)
          return cudaErrorInvalidValue;
        *params_out = {};
        params_out->poolProps.allocType = cudaMemAllocationTypePinned;
        params_out->poolProps.location = {cudaMemLocationTypeDevice, work->allocation->device};
        params_out->bytesize = work->allocation->size;
        params_out->dptr = work->allocation->address;
        return cudaSuccess;
      },
      node, params_out);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphMemFreeNodeGetParams(cudaGraphNode_t node,
                                                                   void* dptr_out) {
  return api(
      "cudaGraphMemFreeNodeGetParams",
      [&] {
        auto* work = node ? std::get_if<MemFreeWork>(&node->work) : nullptr;
        if (!work || !dptr_out)
          return cudaErrorInvalidValue;
        *static_cast<void**>(dptr_out) = work->address;
        return cudaSuccess;
      },
      node, dptr_out);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddMemcpyNodeToSymbol(
    cudaGraphNode_t* pGraphNode, cudaGraph_t graph, const cudaGraphNode_t* pDependencies,
    size_t numDependencies, const void* symbol, const void* src, size_t count, size_t offset,
    cudaMemcpyKind kind) {
  return api(
      "cudaGraphAddMemcpyNodeToSymbol",
      [&] {
        NodeWork work;
        if (cudaError_t error =
                symbolCopyWork(symbol, count, offset, true, const_cast<void*>(src), kind, work))
          return error;
        return addWork(pGraphNode, graph, pDependencies, numDependencies, std::move(work));
      },
      pGraphNode, graph, pDependencies, numDependencies, symbol, src, count, offset, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddMemcpyNodeFromSymbol(
    cudaGraphNode_t* pGraphNode, cudaGraph_t graph, const cudaGraphNode_t* pDependencies,
    size_t numDependencies, void* dst, const void* symbol, size_t count, size_t offset,
    cudaMemcpyKind kind) {
  return api(
      "cudaGraphAddMemcpyNodeFromSymbol",
      [&] {
        NodeWork work;
        if (cudaError_t error = symbolCopyWork(symbol, count, offset, false, dst, kind, work))
          return error;
        return addWork(pGraphNode, graph, pDependencies, numDependencies, std::move(work));
      },
      pGraphNode, graph, pDependencies, numDependencies, dst, symbol, count, offset, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGraphMemcpyNodeSetParams(cudaGraphNode_t node, const cudaMemcpy3DParms* pNodeParams) {
  return api(
      "cudaGraphMemcpyNodeSetParams",
      [&] { return setNode(node, [&](NodeWork& work) { return copyWork(pNodeParams, work); }); },
      node, pNodeParams);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphMemcpyNodeSetParams1D(cudaGraphNode_t node, void* dst,
                                                                    const void* src, size_t count,
                                                                    cudaMemcpyKind kind) {
  return api(
      "cudaGraphMemcpyNodeSetParams1D",
      [&] {
        return setNode(node,
                       [&](NodeWork& work) { return linearCopyWork(dst, src, count, kind, work); });
      },
      node, dst, src, count, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGraphMemcpyNodeSetParamsToSymbol(cudaGraphNode_t node, const void* symbol, const void* src,
                                     size_t count, size_t offset, cudaMemcpyKind kind) {
  return api(
      "cudaGraphMemcpyNodeSetParamsToSymbol",
      [&] {
        return setNode(node, [&](NodeWork& work) {
          return symbolCopyWork(symbol, count, offset, true, const_cast<void*>(src), kind, work);
        });
      },
      node, symbol, src, count, offset, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGraphMemcpyNodeSetParamsFromSymbol(cudaGraphNode_t node, void* dst, const void* symbol,
                                       size_t count, size_t offset, cudaMemcpyKind kind) {
  return api(
      "cudaGraphMemcpyNodeSetParamsFromSymbol",
      [&] {
        return setNode(node, [&](NodeWork& work) {
          return symbolCopyWork(symbol, count, offset, false, dst, kind, work);
        });
      },
      node, dst, symbol, count, offset, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGraphMemsetNodeSetParams(cudaGraphNode_t node, const cudaMemsetParams* pNodeParams) {
  return api(
      "cudaGraphMemsetNodeSetParams",
      [&] { return setNode(node, [&](NodeWork& work) { return fillWork(pNodeParams, work); }); },
      node, pNodeParams);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGraphHostNodeSetParams(cudaGraphNode_t node, const cudaHostNodeParams* pNodeParams) {
  return api(
      "cudaGraphHostNodeSetParams",
      [&] { return setNode(node, [&](NodeWork& work) { return hostWork(pNodeParams, work); }); },
      node, pNodeParams);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphEventRecordNodeSetEvent(cudaGraphNode_t node,
                                                                      cudaEvent_t event) {
  return api(
      "cudaGraphEventRecordNodeSetEvent",
      [&] { return setNode(node, [&](NodeWork& work) { return eventWork(event, true, work); }); },
      node, event);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphEventWaitNodeSetEvent(cudaGraphNode_t node,
                                                                    cudaEvent_t event) {
  return api(
      "cudaGraphEventWaitNodeSetEvent",
      [&] { return setNode(node, [&](NodeWork& work) { return eventWork(event, false, work); }); },
      node, event);
}

// Kernel node attributes: kept with the node and copied with it. Cooperative launches honour
// theirs; the others (priorities, access policy windows, sync domains) have nothing to steer
// on a CPU device and are kept so that they read back as set.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphKernelNodeSetAttribute(
    cudaGraphNode_t hNode, cudaKernelNodeAttrID attr, const cudaKernelNodeAttrValue* value) {
  return api(
      "cudaGraphKernelNodeSetAttribute",
      [&] {
        KernelWork* work = attributeNode(hNode, attr);
        if (!work || !value)
          return cudaErrorInvalidValue;
        work->attributes[attr] = *value;
        return cudaSuccess;
      },
      hNode, attr, value);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphKernelNodeGetAttribute(
    cudaGraphNode_t hNode, cudaKernelNodeAttrID attr, cudaKernelNodeAttrValue* value_out) {
  return api(
      "cudaGraphKernelNodeGetAttribute",
      [&] {
        KernelWork* work = attributeNode(hNode, attr);
        if (!work || !value_out)
          return cudaErrorInvalidValue;
        auto set = work->attributes.find(attr);
        *value_out = set != work->attributes.end() ? set->second : cudaKernelNodeAttrValue{};
        return cudaSuccess;
      },
      hNode, attr, value_out);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphKernelNodeCopyAttributes(cudaGraphNode_t hDst,
                                                                       cudaGraphNode_t hSrc) {
  return api(
      "cudaGraphKernelNodeCopyAttributes",
      [&] {
        auto* to = hDst ? std::get_if<KernelWork>(&hDst->work) : nullptr;
        auto* from = hSrc ? std::get_if<KernelWork>(&hSrc->work) : nullptr;
        if (!to || !from)
          return cudaErrorInvalidValue;
        to->attributes = from->attributes;
        return cudaSuccess;
      },
      hDst, hSrc);
}

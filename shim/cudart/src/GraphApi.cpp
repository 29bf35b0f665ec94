// Graphs built node by node or captured from streams, instantiated, updated and launched.
#include "Api.h"
#include "Capture.h"
#include "Export.h"
#include "Graph.h"
#include "GraphMemory.h"
#include "GraphWork.h"
#include "Log.h"
#include "Runtime.h"

#include <algorithm>
#include <cstdio>

using namespace drawbridge::cudart;

namespace {

cudaError_t addNode(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* dependencies,
                    size_t count, NodeWork work) {
  if (!graph)
    return cudaErrorInvalidValue;
  return graph->add(std::move(work), dependencies, count, node);
}

// The launch keeps the executable graph's user objects alive until the stream has run it, so
// that destroying the executable graph right after the launch does not destroy them early. A
// launch captured into a graph gives that graph the references instead.
cudaError_t holdUserObjects(const CUgraphExec_st& exec, cudaStream_t stream) {
  if (exec.userObjects.empty())
    return cudaSuccess;
  capture::Info capturing = capture::info(stream);
  if (capturing.status == cudaStreamCaptureStatusActive) {
    capturing.graph->userObjects.addAll(exec.userObjects);
    return cudaSuccess;
  }
  auto held = std::make_shared<UserObjectReferences>(exec.userObjects);
  return enqueueHostWork(
      stream, [held] {}, "cudaGraphLaunch");
}

// Instantiation as every cudaGraphInstantiate* call does it, with the result CUDA's
// cudaGraphInstantiateWithParams reports.
cudaError_t instantiate(cudaGraphExec_t* pGraphExec, cudaGraph_t graph, unsigned long long flags,
                        cudaGraphInstantiateResult& result, cudaGraphNode_t& failed) {
  constexpr unsigned long long kKnown = cudaGraphInstantiateFlagAutoFreeOnLaunch |
                                        cudaGraphInstantiateFlagUpload |
                                        cudaGraphInstantiateFlagUseNodePriority;
  result = cudaGraphInstantiateError;
  failed = nullptr;
  if (!pGraphExec || !graph || graph->ownedByParent)
    return cudaErrorInvalidValue;
  if (flags & cudaGraphInstantiateFlagDeviceLaunch) {
    logError("drawbridge: graphs launched from the device are not supported\n");
    return cudaErrorNotSupported;
  }
  if (flags & ~kKnown)
    return cudaErrorInvalidValue;
  std::unique_ptr<CUgraphExec_st> exec;
  cudaError_t error = CUgraphExec_st::instantiate(*graph, exec, &failed);
  if (error == cudaErrorInvalidValue)
    result = cudaGraphInstantiateInvalidStructure;
  if (error)
    return error;
  exec->flags = flags;
  *pGraphExec = exec.release();
  result = cudaGraphInstantiateSuccess;
  return cudaSuccess;
}

// Every allocation node of the executable graph, in its child graphs too.
void allocationsOf(const std::vector<NodeWork*>& works, std::vector<GraphAllocation*>& found) {
  for (NodeWork* work : works) {
    if (auto* alloc = std::get_if<MemAllocWork>(work))
      found.push_back(alloc->allocation.get());
    if (auto* child = std::get_if<ChildWork>(work)) {
      std::vector<NodeWork*> inner;
      for (auto& node : child->graph->nodes)
        inner.push_back(&node->work);
      allocationsOf(inner, found);
    }
  }
}

// A launch while the graph's earlier allocations are still live fails, unless the graph was
// instantiated to free them at each launch (CUDA's rule).
cudaError_t freeEarlierAllocations(CUgraphExec_st& exec) {
  std::vector<NodeWork*> works;
  for (CUgraphExec_st::Step& step : exec.steps)
    works.push_back(&step.work);
  std::vector<GraphAllocation*> allocations;
  allocationsOf(works, allocations);
  for (GraphAllocation* allocation : allocations)
    if (allocation->live && !(exec.flags & cudaGraphInstantiateFlagAutoFreeOnLaunch))
      return cudaErrorInvalidValue;
  for (GraphAllocation* allocation : allocations)
    if (allocation->live)
      graphMemory::release(allocation->address);
  return cudaSuccess;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphCreate(cudaGraph_t* pGraph, unsigned int flags) {
  return api(
      "cudaGraphCreate",
      [&] {
        if (!pGraph || flags != 0)
          return cudaErrorInvalidValue;
        *pGraph = new CUgraph_st;
        return cudaSuccess;
      },
      pGraph, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  return api(
      "cudaGraphDestroy",
      [&] {
        if (!graph || graph->ownedByParent)
          return cudaErrorInvalidValue; // a child graph node's own graph goes with the node
        delete graph;
        return cudaSuccess;
      },
      graph);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddKernelNode(cudaGraphNode_t* pGraphNode,
                                                            cudaGraph_t graph,
                                                            const cudaGraphNode_t* pDependencies,
                                                            size_t numDependencies,
                                                            const cudaKernelNodeParams* params) {
  return api(
      "cudaGraphAddKernelNode",
      [&] {
        KernelWork work;
        if (cudaError_t error = kernelWork(params, work))
          return error;
        return addNode(pGraphNode, graph, pDependencies, numDependencies, std::move(work));
      },
      pGraphNode, graph, pDependencies, numDependencies, params);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddMemcpyNode(cudaGraphNode_t* pGraphNode,
                                                            cudaGraph_t graph,
                                                            const cudaGraphNode_t* pDependencies,
                                                            size_t numDependencies,
                                                            const cudaMemcpy3DParms* params) {
  return api(
      "cudaGraphAddMemcpyNode",
      [&] {
        NodeWork work;
        if (cudaError_t error = copyWork(params, work))
          return error;
        return addNode(pGraphNode, graph, pDependencies, numDependencies, std::move(work));
      },
      pGraphNode, graph, pDependencies, numDependencies, params);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddMemcpyNode1D(
    cudaGraphNode_t* pGraphNode, cudaGraph_t graph, const cudaGraphNode_t* pDependencies,
    size_t numDependencies, void* dst, const void* src, size_t count, cudaMemcpyKind kind) {
  return api(
      "cudaGraphAddMemcpyNode1D",
      [&] {
        NodeWork work;
        if (cudaError_t error = linearCopyWork(dst, src, count, kind, work))
          return error;
        return addNode(pGraphNode, graph, pDependencies, numDependencies, std::move(work));
      },
      pGraphNode, graph, pDependencies, numDependencies, dst, src, count, kind);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddMemsetNode(cudaGraphNode_t* pGraphNode,
                                                            cudaGraph_t graph,
                                                            const cudaGraphNode_t* pDependencies,
                                                            size_t numDependencies,
                                                            const cudaMemsetParams* params) {
  return api(
      "cudaGraphAddMemsetNode",
      [&] {
        NodeWork work;
        if (cudaError_t error = fillWork(params, work))
          return error;
        return addNode(pGraphNode, graph, pDependencies, numDependencies, std::move(work));
      },
      pGraphNode, graph, pDependencies, numDependencies, params);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddHostNode(cudaGraphNode_t* pGraphNode,
                                                          cudaGraph_t graph,
                                                          const cudaGraphNode_t* pDependencies,
                                                          size_t numDependencies,
                                                          const cudaHostNodeParams* params) {
  return api(
      "cudaGraphAddHostNode",
      [&] {
        NodeWork work;
        if (cudaError_t error = hostWork(params, work))
          return error;
        return addNode(pGraphNode, graph, pDependencies, numDependencies, std::move(work));
      },
      pGraphNode, graph, pDependencies, numDependencies, params);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddEmptyNode(cudaGraphNode_t* pGraphNode,
                                                           cudaGraph_t graph,
                                                           const cudaGraphNode_t* pDependencies,
                                                           size_t numDependencies) {
  return api(
      "cudaGraphAddEmptyNode",
      [&] { return addNode(pGraphNode, graph, pDependencies, numDependencies, EmptyWork{}); },
      pGraphNode, graph, pDependencies, numDependencies);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddEventRecordNode(
    cudaGraphNode_t* pGraphNode, cudaGraph_t graph, const cudaGraphNode_t* pDependencies,
    size_t numDependencies, cudaEvent_t event) {
  return api(
      "cudaGraphAddEventRecordNode",
      [&] {
        NodeWork work;
        if (cudaError_t error = eventWork(event, true, work))
          return error;
        return addNode(pGraphNode, graph, pDependencies, numDependencies, std::move(work));
      },
      pGraphNode, graph, pDependencies, numDependencies, event);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddEventWaitNode(cudaGraphNode_t* pGraphNode,
                                                               cudaGraph_t graph,
                                                               const cudaGraphNode_t* pDependencies,
                                                               size_t numDependencies,
                                                               cudaEvent_t event) {
  return api(
      "cudaGraphAddEventWaitNode",
      [&] {
        NodeWork work;
        if (cudaError_t error = eventWork(event, false, work))
          return error;
        return addNode(pGraphNode, graph, pDependencies, numDependencies, std::move(work));
      },
      pGraphNode, graph, pDependencies, numDependencies, event);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddDependencies(cudaGraph_t graph,
                                                              const cudaGraphNode_t* from,
                                                              const cudaGraphNode_t* to,
                                                              const cudaGraphEdgeData* edgeData,
                                                              size_t numDependencies) {
  return api(
      "cudaGraphAddDependencies",
      [&] {
        if (!graph || (numDependencies && (!from || !to)))
          return cudaErrorInvalidValue;
        if (edgeData) {
          logError("drawbridge: cudaGraphAddDependencies: edge data (programmatic "
                   "dependent launch) is not supported\n");
          return cudaErrorNotSupported;
        }
        for (size_t i = 0; i < numDependencies; ++i) {
          if (!graph->owns(from[i]) || !graph->owns(to[i]) || from[i] == to[i])
            return cudaErrorInvalidValue;
          auto& after = to[i]->dependencies;
          if (std::find(after.begin(), after.end(), from[i]) != after.end())
            return cudaErrorInvalidValue;
          after.push_back(from[i]);
        }
        return cudaSuccess;
      },
      graph, from, to, edgeData, numDependencies);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphGetNodes(cudaGraph_t graph, cudaGraphNode_t* nodes,
                                                       size_t* numNodes) {
  return api(
      "cudaGraphGetNodes",
      [&] {
        if (!graph || !numNodes)
          return cudaErrorInvalidValue;
        if (nodes)
          for (size_t i = 0; i < *numNodes && i < graph->nodes.size(); ++i)
            nodes[i] = graph->nodes[i].get();
        if (!nodes || *numNodes > graph->nodes.size())
          *numNodes = graph->nodes.size();
        return cudaSuccess;
      },
      graph, nodes, numNodes);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphNodeGetType(cudaGraphNode_t node,
                                                          cudaGraphNodeType* pType) {
  return api(
      "cudaGraphNodeGetType",
      [&] {
        if (!node || !pType)
          return cudaErrorInvalidValue;
        *pType = nodeType(node->work);
        return cudaSuccess;
      },
      node, pType);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphKernelNodeGetParams(cudaGraphNode_t node,
                                                                  cudaKernelNodeParams* params) {
  return api(
      "cudaGraphKernelNodeGetParams",
      [&] {
        auto* work = node ? std::get_if<KernelWork>(&node->work) : nullptr;
        if (!work || !params)
          return cudaErrorInvalidValue;
        // The argument pointers stay valid while the node's arguments are unchanged.
        thread_local std::vector<void*> pointers;
        KernelLaunch launch = work->launch();
        pointers.assign(launch.args, launch.args + work->offsets.size());
        *params = {const_cast<void*>(launch.function->hostStub), launch.grid,     launch.block,
                   static_cast<unsigned>(launch.sharedMem),      pointers.data(), nullptr};
        return cudaSuccess;
      },
      node, params);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t
cudaGraphKernelNodeSetParams(cudaGraphNode_t node, const cudaKernelNodeParams* params) {
  return api(
      "cudaGraphKernelNodeSetParams",
      [&] {
        auto* work = node ? std::get_if<KernelWork>(&node->work) : nullptr;
        if (!work)
          return cudaErrorInvalidValue;
        return kernelWork(params, *work);
      },
      node, params);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphInstantiateWithFlags(cudaGraphExec_t* pGraphExec,
                                                                   cudaGraph_t graph,
                                                                   unsigned long long flags) {
  return api(
      "cudaGraphInstantiateWithFlags",
      [&] {
        cudaGraphInstantiateResult result;
        cudaGraphNode_t failed;
        return instantiate(pGraphExec, graph, flags, result, failed);
      },
      pGraphExec, graph, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphInstantiateWithParams(
    cudaGraphExec_t* pGraphExec, cudaGraph_t graph, cudaGraphInstantiateParams* instantiateParams) {
  return api(
      "cudaGraphInstantiateWithParams",
      [&] {
        if (!instantiateParams)
          return cudaErrorInvalidValue;
        cudaGraphInstantiateParams& params = *instantiateParams;
        cudaError_t error =
            instantiate(pGraphExec, graph, params.flags, params.result_out, params.errNode_out);
        // The upload has nothing to move (cudaGraphUpload), but the stream must be usable.
        if (!error && (params.flags & cudaGraphInstantiateFlagUpload))
          error = cudaStreamQuery(params.uploadStream) == cudaErrorInvalidResourceHandle
                      ? cudaErrorInvalidResourceHandle
                      : cudaSuccess;
        return error;
      },
      pGraphExec, graph, instantiateParams);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphInstantiateWithParams_ptsz(
    cudaGraphExec_t* pGraphExec, cudaGraph_t graph, cudaGraphInstantiateParams* instantiateParams) {
  if (instantiateParams && !instantiateParams->uploadStream)
    instantiateParams->uploadStream = cudaStreamPerThread;
  return cudaGraphInstantiateWithParams(pGraphExec, graph, instantiateParams);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphInstantiate(cudaGraphExec_t* pGraphExec,
                                                          cudaGraph_t graph,
                                                          unsigned long long flags) {
  return cudaGraphInstantiateWithFlags(pGraphExec, graph, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec,
                                                     cudaStream_t stream) {
  return api(
      "cudaGraphLaunch",
      [&] {
        if (!graphExec)
          return cudaErrorInvalidValue;
        if (cudaError_t error = freeEarlierAllocations(*graphExec))
          return error;
        if (cudaError_t error = graphExec->launch(stream))
          return error;
        return holdUserObjects(*graphExec, stream);
      },
      graphExec, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphLaunch_ptsz(cudaGraphExec_t graphExec,
                                                          cudaStream_t stream) {
  return cudaGraphLaunch(graphExec, stream ? stream : cudaStreamPerThread);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecDestroy(cudaGraphExec_t graphExec) {
  return api(
      "cudaGraphExecDestroy",
      [&] {
        if (!graphExec)
          return cudaErrorInvalidValue;
        delete graphExec;
        return cudaSuccess;
      },
      graphExec);
}

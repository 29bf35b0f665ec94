// Graphs built node by node or captured from streams, instantiated, updated and launched.
#include "Api.h"
#include "Capture.h"
#include "Export.h"
#include "Graph.h"
#include "Log.h"
#include "Runtime.h"

#include <algorithm>
#include <cstdio>

using namespace drawbridge::cudart;

namespace {

cudaError_t kernelWork(const cudaKernelNodeParams* params, KernelWork& work) {
  if (!params)
    return cudaErrorInvalidValue;
  if (params->extra) {
    logError("drawbridge: kernel node arguments in the 'extra' form are not "
             "supported; pass kernelParams\n");
    return cudaErrorNotSupported;
  }
  auto* function = const_cast<RegisteredFunction*>(Registry::instance().function(params->func));
  return KernelWork::make(
      {function, params->gridDim, params->blockDim, params->sharedMemBytes, params->kernelParams},
      work);
}

cudaError_t addNode(cudaGraphNode_t* node, cudaGraph_t graph, const cudaGraphNode_t* dependencies,
                    size_t count, NodeWork work) {
  if (!graph)
    return cudaErrorInvalidValue;
  return graph->add(std::move(work), dependencies, count, node);
}

// The node's work in `exec`, which must hold a node of the same kind instantiated from it.
template <typename Work> Work* execWork(cudaGraphExec_t exec, cudaGraphNode_t node) {
  if (!exec || !node)
    return nullptr;
  CUgraphExec_st::Step* step = exec->step(node);
  return step ? std::get_if<Work>(&step->work) : nullptr;
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
        if (!graph)
          return cudaErrorInvalidValue;
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
        if (!params)
          return cudaErrorInvalidValue;
        return addNode(pGraphNode, graph, pDependencies, numDependencies, CopyWork{*params});
      },
      pGraphNode, graph, pDependencies, numDependencies, params);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphAddMemcpyNode1D(
    cudaGraphNode_t* pGraphNode, cudaGraph_t graph, const cudaGraphNode_t* pDependencies,
    size_t numDependencies, void* dst, const void* src, size_t count, cudaMemcpyKind kind) {
  return api(
      "cudaGraphAddMemcpyNode1D",
      [&] {
        if (!validCopyDirection(kind))
          return cudaErrorInvalidMemcpyDirection;
        return addNode(pGraphNode, graph, pDependencies, numDependencies,
                       CopyWork{linearCopy(dst, src, count, kind)});
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
        if (!params ||
            (params->elementSize != 1 && params->elementSize != 2 && params->elementSize != 4))
          return cudaErrorInvalidValue;
        return addNode(pGraphNode, graph, pDependencies, numDependencies, FillWork{*params});
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
        if (!params || !params->fn)
          return cudaErrorInvalidValue;
        return addNode(pGraphNode, graph, pDependencies, numDependencies, HostWork{*params});
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
        if (!event)
          return cudaErrorInvalidValue;
        return addNode(pGraphNode, graph, pDependencies, numDependencies, EventRecordWork{event});
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
        if (!event)
          return cudaErrorInvalidValue;
        return addNode(pGraphNode, graph, pDependencies, numDependencies, EventWaitWork{event});
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
        constexpr unsigned long long kKnown = cudaGraphInstantiateFlagAutoFreeOnLaunch |
                                              cudaGraphInstantiateFlagUpload |
                                              cudaGraphInstantiateFlagUseNodePriority;
        if (!pGraphExec || !graph)
          return cudaErrorInvalidValue;
        if (flags & cudaGraphInstantiateFlagDeviceLaunch) {
          logError("drawbridge: graphs launched from the device are not supported\n");
          return cudaErrorNotSupported;
        }
        if (flags & ~kKnown)
          return cudaErrorInvalidValue;
        std::unique_ptr<CUgraphExec_st> exec;
        if (cudaError_t error = CUgraphExec_st::instantiate(*graph, exec))
          return error;
        exec->flags = flags;
        *pGraphExec = exec.release();
        return cudaSuccess;
      },
      pGraphExec, graph, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphInstantiate(cudaGraphExec_t* pGraphExec,
                                                          cudaGraph_t graph,
                                                          unsigned long long flags) {
  return cudaGraphInstantiateWithFlags(pGraphExec, graph, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecKernelNodeSetParams(
    cudaGraphExec_t hGraphExec, cudaGraphNode_t node, const cudaKernelNodeParams* params) {
  return api(
      "cudaGraphExecKernelNodeSetParams",
      [&] {
        auto* work = execWork<KernelWork>(hGraphExec, node);
        if (!work)
          return cudaErrorInvalidValue;
        return kernelWork(params, *work);
      },
      hGraphExec, node, params);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecMemsetNodeSetParams(
    cudaGraphExec_t hGraphExec, cudaGraphNode_t node, const cudaMemsetParams* params) {
  return api(
      "cudaGraphExecMemsetNodeSetParams",
      [&] {
        auto* work = execWork<FillWork>(hGraphExec, node);
        if (!work || !params)
          return cudaErrorInvalidValue;
        work->params = *params;
        return cudaSuccess;
      },
      hGraphExec, node, params);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphExecHostNodeSetParams(
    cudaGraphExec_t hGraphExec, cudaGraphNode_t node, const cudaHostNodeParams* params) {
  return api(
      "cudaGraphExecHostNodeSetParams",
      [&] {
        auto* work = execWork<HostWork>(hGraphExec, node);
        if (!work || !params || !params->fn)
          return cudaErrorInvalidValue;
        work->params = *params;
        return cudaSuccess;
      },
      hGraphExec, node, params);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec,
                                                     cudaStream_t stream) {
  return api(
      "cudaGraphLaunch",
      [&] {
        if (!graphExec)
          return cudaErrorInvalidValue;
        for (CUgraphExec_st::Step& step : graphExec->steps)
          if (cudaError_t error = run(step.work, stream))
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

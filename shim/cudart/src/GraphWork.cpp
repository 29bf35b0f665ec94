#include "GraphWork.h"

#include "GraphMemory.h"
#include "Log.h"
#include "Registry.h"
#include "Runtime.h"

#include <algorithm>
#include <cstdio>

namespace drawbridge::cudart {

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

cudaError_t copyWork(const cudaMemcpy3DParms* params, NodeWork& work) {
  if (!params)
    return cudaErrorInvalidValue;
  work = CopyWork{*params};
  return cudaSuccess;
}

cudaError_t linearCopyWork(void* dst, const void* src, size_t count, cudaMemcpyKind kind,
                           NodeWork& work) {
  if (!validCopyDirection(kind))
    return cudaErrorInvalidMemcpyDirection;
  work = CopyWork{linearCopy(dst, src, count, kind)};
  return cudaSuccess;
}

cudaError_t symbolCopyWork(const void* symbol, size_t count, size_t offset, bool toSymbol,
                           void* other, cudaMemcpyKind kind, NodeWork& work) {
  cudaMemcpy3DParms params;
  if (cudaError_t error = symbolCopy(symbol, count, offset, toSymbol, other, kind, params))
    return error;
  work = CopyWork{params};
  return cudaSuccess;
}

cudaError_t fillWork(const cudaMemsetParams* params, NodeWork& work) {
  if (!params || (params->elementSize != 1 && params->elementSize != 2 && params->elementSize != 4))
    return cudaErrorInvalidValue;
  work = FillWork{*params};
  return cudaSuccess;
}

cudaError_t hostWork(const cudaHostNodeParams* params, NodeWork& work) {
  if (!params || !params->fn)
    return cudaErrorInvalidValue;
  work = HostWork{*params};
  return cudaSuccess;
}

cudaError_t eventWork(cudaEvent_t event, bool record, NodeWork& work) {
  if (!event)
    return cudaErrorInvalidValue;
  if (record)
    work = EventRecordWork{event};
  else
    work = EventWaitWork{event};
  return cudaSuccess;
}

cudaError_t childWork(cudaGraph_t child, cudaGraphChildGraphNodeOwnership ownership,
                      NodeWork& work) {
  if (!child || child->ownedByParent || hasConditionalNodes(*child))
    return cudaErrorInvalidValue; // CUDA: a graph with conditional nodes cannot be a child
  if (ownership == cudaGraphChildGraphOwnershipClone) {
    if (hasMemoryNodes(*child))
      return cudaErrorInvalidValue; // CUDA: such a graph can only be moved into the node
    work = ChildWork(cloneGraph(*child));
    return cudaSuccess;
  }
  if (ownership != cudaGraphChildGraphOwnershipMove || *child->instantiated)
    return cudaErrorInvalidValue;
  child->ownedByParent = true;
  child->cloneOf.clear();
  work = ChildWork(std::shared_ptr<CUgraph_st>(child));
  return cudaSuccess;
}

cudaError_t allocWork(cudaMemAllocNodeParams* params, NodeWork& work) {
  if (!params || params->bytesize == 0 || (params->accessDescCount && !params->accessDescs))
    return cudaErrorInvalidValue;
  const cudaMemPoolProps& props = params->poolProps;
  if (props.allocType != cudaMemAllocationTypePinned ||
      props.location.type != cudaMemLocationTypeDevice ||
      props.handleTypes != cudaMemHandleTypeNone)
    return cudaErrorInvalidValue;
  backend::Device* device = nullptr;
  if (Runtime::instance().device(props.location.id, device) != cudaSuccess)
    return cudaErrorInvalidValue;
  MemAllocWork made;
  if (cudaError_t error = graphMemory::create(params->bytesize, props.location.id, made.allocation))
    return error;
  params->dptr = made.allocation->address;
  work = std::move(made);
  return cudaSuccess;
}

cudaError_t freeWork(void* address, NodeWork& work) {
  std::shared_ptr<GraphAllocation> allocation = graphMemory::find(address);
  if (!allocation || allocation->freedInGraph)
    return cudaErrorInvalidValue; // not a graph allocation's address, or already freed
  work = MemFreeWork{address}; // the allocation counts as freed in a graph once the node is added
  return cudaSuccess;
}

cudaError_t genericWork(cudaGraphNodeParams* params, NodeWork& work) {
  if (!params || params->reserved0[0] || params->reserved0[1] || params->reserved0[2] ||
      params->reserved2)
    return cudaErrorInvalidValue;
  switch (params->type) {
  case cudaGraphNodeTypeKernel: {
    const cudaKernelNodeParamsV2& k = params->kernel;
    cudaKernelNodeParams typed = {k.func,           k.gridDim,      k.blockDim,
                                  k.sharedMemBytes, k.kernelParams, k.extra};
    KernelWork made;
    if (cudaError_t error = kernelWork(&typed, made))
      return error;
    work = std::move(made);
    return cudaSuccess;
  }
  case cudaGraphNodeTypeMemcpy:
    if (params->memcpy.flags)
      return cudaErrorInvalidValue;
    return copyWork(&params->memcpy.copyParams, work);
  case cudaGraphNodeTypeMemset: {
    const cudaMemsetParamsV2& m = params->memset;
    cudaMemsetParams typed = {m.dst, m.pitch, m.value, m.elementSize, m.width, m.height};
    return fillWork(&typed, work);
  }
  case cudaGraphNodeTypeHost: {
    cudaHostNodeParams typed = {params->host.fn, params->host.userData};
    return hostWork(&typed, work);
  }
  case cudaGraphNodeTypeGraph:
    return childWork(params->graph.graph, params->graph.ownership, work);
  case cudaGraphNodeTypeEmpty:
    work = EmptyWork{};
    return cudaSuccess;
  case cudaGraphNodeTypeWaitEvent:
    return eventWork(params->eventWait.event, false, work);
  case cudaGraphNodeTypeEventRecord:
    return eventWork(params->eventRecord.event, true, work);
  case cudaGraphNodeTypeMemAlloc: {
    cudaMemAllocNodeParams typed = {params->alloc.poolProps, params->alloc.accessDescs,
                                    params->alloc.accessDescCount, params->alloc.bytesize, nullptr};
    if (cudaError_t error = allocWork(&typed, work))
      return error;
    params->alloc.dptr = typed.dptr;
    return cudaSuccess;
  }
  case cudaGraphNodeTypeMemFree:
    return freeWork(params->free.dptr, work);
  case cudaGraphNodeTypeExtSemaphoreSignal:
  case cudaGraphNodeTypeExtSemaphoreWait:
    logError("drawbridge: external semaphore nodes are not supported (a CPU device "
             "has no external semaphores to import)\n");
    return cudaErrorNotSupported;
  case cudaGraphNodeTypeConditional:
    return cudaErrorNotSupported; // made by conditionalWork; CUDA does not change them
  default:
    return cudaErrorInvalidValue;
  }
}

cudaError_t conditionalWork(const CUgraph_st& graph, cudaConditionalNodeParams& params,
                            NodeWork& work) {
  auto slot = std::find_if(graph.conditions.begin(), graph.conditions.end(), [&](const auto& s) {
    return reinterpret_cast<cudaGraphConditionalHandle>(s.get()) == params.handle;
  });
  bool sized = params.type == cudaGraphCondTypeIf ? params.size == 1 || params.size == 2
               : params.type == cudaGraphCondTypeWhile
                   ? params.size == 1
                   : params.type == cudaGraphCondTypeSwitch && params.size >= 1;
  if (slot == graph.conditions.end() || !sized)
    return cudaErrorInvalidValue;
  ConditionalWork made{*slot, params.type, {}, {}};
  for (unsigned i = 0; i < params.size; ++i) {
    auto body = std::make_shared<CUgraph_st>();
    body->ownedByParent = true;
    made.bodyHandles.push_back(body.get());
    made.bodies.emplace_back(std::move(body));
  }
  // The array lives in the node (moving the work keeps it where it is).
  params.phGraph_out = made.bodyHandles.data();
  work = std::move(made);
  return cudaSuccess;
}

cudaError_t checkGenericSet(cudaGraphNode_t node, const cudaGraphNodeParams* params) {
  if (!node || !params || params->type != nodeType(node->work))
    return cudaErrorInvalidValue;
  if (params->type == cudaGraphNodeTypeMemAlloc || params->type == cudaGraphNodeTypeMemFree ||
      params->type == cudaGraphNodeTypeConditional)
    return cudaErrorNotSupported;
  return cudaSuccess;
}

cudaError_t replaceWork(NodeWork& target, NodeWork replacement) {
  if (std::holds_alternative<MemAllocWork>(target) || std::holds_alternative<MemFreeWork>(target))
    return cudaErrorNotSupported;
  if (target.index() != replacement.index())
    return cudaErrorInvalidValue;
  if (auto* kernel = std::get_if<KernelWork>(&target))
    std::get<KernelWork>(replacement).attributes = std::move(kernel->attributes);
  target = std::move(replacement);
  return cudaSuccess;
}

} // namespace drawbridge::cudart

// Each node kind's work made from the parameters a program passes, as the typed calls
// (cudaGraphAddKernelNode...) and the generic ones (cudaGraphAddNode, cudaGraphNodeSetParams)
// take them, with CUDA's checks; and a node's work replaced by new parameters of its kind.
#pragma once

#include "Graph.h"

namespace drawbridge::cudart {

cudaError_t kernelWork(const cudaKernelNodeParams* params, KernelWork& work);
cudaError_t copyWork(const cudaMemcpy3DParms* params, NodeWork& work);
cudaError_t fillWork(const cudaMemsetParams* params, NodeWork& work);
cudaError_t hostWork(const cudaHostNodeParams* params, NodeWork& work);
cudaError_t linearCopyWork(void* dst, const void* src, size_t count, cudaMemcpyKind kind,
                           NodeWork& work);
/// A copy to (`toSymbol`) or from the __device__ variable whose host shadow is `symbol`.
cudaError_t symbolCopyWork(const void* symbol, size_t count, size_t offset, bool toSymbol,
                           void* other, cudaMemcpyKind kind, NodeWork& work);
cudaError_t eventWork(cudaEvent_t event, bool record, NodeWork& work);
/// The child is cloned into the node, or moved into it (then the program may no longer use
/// it on its own). A graph with memory nodes may only be moved; one with an executable graph
/// or already moved into another node may not be.
cudaError_t childWork(cudaGraph_t child, cudaGraphChildGraphNodeOwnership ownership,
                      NodeWork& work);
/// Makes the allocation and writes its address to params->dptr.
cudaError_t allocWork(cudaMemAllocNodeParams* params, NodeWork& work);
/// `address` must be a graph allocation not yet freed by a free node.
cudaError_t freeWork(void* address, NodeWork& work);
/// A conditional node on one of `graph`'s conditions, with empty bodies whose handles go to
/// params.phGraph_out.
cudaError_t conditionalWork(const CUgraph_st& graph, cudaConditionalNodeParams& params,
                            NodeWork& work);
/// cudaGraphNodeParams in any of its forms but conditional nodes (conditionalWork). A memory
/// allocation node's address is written back to params->alloc.dptr.
cudaError_t genericWork(cudaGraphNodeParams* params, NodeWork& work);

/// Whether cudaGraphNodeSetParams / cudaGraphExecNodeSetParams may give `node` these: of its
/// kind (cudaErrorInvalidValue otherwise), not a memory or conditional node
/// (cudaErrorNotSupported: CUDA does not allow it).
cudaError_t checkGenericSet(cudaGraphNode_t node, const cudaGraphNodeParams* params);

/// New parameters for a node: of the same kind (cudaErrorInvalidValue otherwise), not a memory
/// node (cudaErrorNotSupported: CUDA does not allow it). A kernel node keeps its attributes.
cudaError_t replaceWork(NodeWork& target, NodeWork replacement);

} // namespace drawbridge::cudart

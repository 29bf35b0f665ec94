// The driver's graph and capture calls whose HIP 5.2 namesakes are the runtime's: by CUDA 13's
// signatures (three-argument cuGraphInstantiate, edge data, result info), with the older forms
// by argument count; the memset node's parameters as the runtime's struct of the same fields;
// memcpy/memset nodes with a context and module-function kernel nodes reported. The translation
// of the calls without diagnostics compiles with HIP 5.2's hipcc (checked by hand; the compile
// check leaves lit inputs out).
// RUN: not %drawbridge translate %s 2>%t.err | %strip-checks | FileCheck %s
// RUN: FileCheck --check-prefix=DIAG --implicit-check-not=error: %s < %t.err
// RUN: not %drawbridge translate %s --hip-version 6.3 2>/dev/null | %strip-checks | FileCheck --check-prefix=HIP63 %s

#include <cuda.h>

int build(CUgraph graph, CUgraphNode a, CUgraphNode b, CUstream stream, CUcontext ctx) {
  CUgraphExec exec;
  CUgraphNode nodes[4];
  size_t count = 4;
  // CHECK: hipGraphInstantiateWithFlags(&exec, graph, 0);
  cuGraphInstantiate(&exec, graph, 0);
  // CHECK-NEXT: [](hipGraph_t g_, const hipGraphNode_t* f_, const hipGraphNode_t* t_, decltype(nullptr), size_t n_) { return hipGraphAddDependencies(g_, f_, t_, n_); }(graph, &a, &b, nullptr, 1);
  cuGraphAddDependencies(graph, &a, &b, nullptr, 1);
  // CHECK-NEXT: [](hipGraph_t g_, const hipGraphNode_t* f_, const hipGraphNode_t* t_, decltype(nullptr), size_t n_) { return hipGraphRemoveDependencies(g_, f_, t_, n_); }(graph, &a, &b, NULL, 1);
  cuGraphRemoveDependencies(graph, &a, &b, NULL, 1);
  // CHECK-NEXT: [](hipGraph_t g_, hipGraphNode_t* f_, hipGraphNode_t* t_, decltype(nullptr), size_t* n_) { return hipGraphGetEdges(g_, f_, t_, n_); }(graph, nodes, nodes + 2, nullptr, &count);
  cuGraphGetEdges(graph, nodes, nodes + 2, nullptr, &count);
  // CHECK-NEXT: [](hipGraphNode_t m_, hipGraphNode_t* d_, decltype(nullptr), size_t* n_) { return hipGraphNodeGetDependencies(m_, d_, n_); }(b, nodes, nullptr, &count);
  cuGraphNodeGetDependencies(b, nodes, nullptr, &count);
  // CHECK-NEXT: [](hipGraphNode_t m_, hipGraphNode_t* d_, decltype(nullptr), size_t* n_) { return hipGraphNodeGetDependentNodes(m_, d_, n_); }(a, nodes, nullptr, &count);
  cuGraphNodeGetDependentNodes(a, nodes, nullptr, &count);
  CUstreamCaptureStatus status;
  // CHECK: uint64_t id;
  cuuint64_t id;
  CUgraph captured;
  const CUgraphNode* deps;
  size_t numDeps;
  // CHECK: [](hipStream_t s_, hipStreamCaptureStatus* c_, uint64_t* i_ = nullptr, hipGraph_t* g_ = nullptr, const hipGraphNode_t** d_ = nullptr, decltype(nullptr) = nullptr, size_t* n_ = nullptr) { return hipStreamGetCaptureInfo_v2(s_, c_, reinterpret_cast<unsigned long long*>(i_), g_, d_, n_); }(stream, &status, &id, &captured, &deps, nullptr, &numDeps);
  cuStreamGetCaptureInfo(stream, &status, &id, &captured, &deps, nullptr, &numDeps);
  // CHECK-NEXT: [](hipStream_t s_, hipGraphNode_t* d_, decltype(nullptr), size_t n_, unsigned f_ = 0) { return hipStreamUpdateCaptureDependencies(s_, d_, n_, f_); }(stream, nodes, nullptr, 1, hipStreamAddCaptureDependencies);
  cuStreamUpdateCaptureDependencies(stream, nodes, nullptr, 1, CU_STREAM_ADD_CAPTURE_DEPENDENCIES);
  // CHECK-NEXT: hipMemsetParams memset;
  // HIP63: HIP_MEMSET_NODE_PARAMS memset;
  CUDA_MEMSET_NODE_PARAMS memset;
  // CHECK-NEXT: hipGraphMemsetNodeGetParams(a, &memset);
  cuGraphMemsetNodeGetParams(a, &memset);
  memset.value = 7;
  // CHECK: hipGraphMemsetNodeSetParams(a, &memset);
  cuGraphMemsetNodeSetParams(a, &memset);
  // DIAG: driver-graphs.cu:[[@LINE+3]]:3: error: cuGraphAddMemsetNode maps to hipDrvGraphAddMemsetNode, which needs HIP 6.1 (target is 5.2)
  // CHECK-NEXT: cuGraphAddMemsetNode(&b, graph, &a, 1, &memset, ctx);
  // HIP63: hipDrvGraphAddMemsetNode(&b, graph, &a, 1, &memset, ctx);
  cuGraphAddMemsetNode(&b, graph, &a, 1, &memset, ctx);
  CUDA_MEMCPY3D copy = {};
  // DIAG: driver-graphs.cu:[[@LINE+3]]:3: error: cuGraphAddMemcpyNode maps to hipDrvGraphAddMemcpyNode, which needs HIP 6.0 (target is 5.2)
  // CHECK: cuGraphAddMemcpyNode(&b, graph, &a, 1, &copy, ctx);
  // HIP63: hipDrvGraphAddMemcpyNode(&b, graph, &a, 1, &copy, ctx);
  cuGraphAddMemcpyNode(&b, graph, &a, 1, &copy, ctx);
  // DIAG: driver-graphs.cu:[[@LINE+1]]:3: error: cuGraphMemcpyNodeSetParams maps to hipDrvGraphMemcpyNodeSetParams, which needs HIP 6.3
  cuGraphMemcpyNodeSetParams(b, &copy);
  // DIAG: driver-graphs.cu:[[@LINE+1]]:3: error: cuGraphExecMemsetNodeSetParams maps to hipDrvGraphExecMemsetNodeSetParams, which needs HIP 6.3
  cuGraphExecMemsetNodeSetParams(exec, b, &memset, ctx);
  // A kernel node runs a module function in CUDA and a host-side kernel pointer in HIP.
  // DIAG: driver-graphs.cu:[[@LINE+1]]:3: error: CUDA_KERNEL_NODE_PARAMS cannot be translated: HIP's hipKernelNodeParams holds a host-side kernel pointer
  CUDA_KERNEL_NODE_PARAMS kernel = {};
  // DIAG: driver-graphs.cu:[[@LINE+1]]:3: error: cuGraphAddKernelNode cannot be translated: HIP's kernel nodes take hipKernelNodeParams
  cuGraphAddKernelNode(&b, graph, &a, 1, &kernel);
  // DIAG: driver-graphs.cu:[[@LINE+1]]:3: error: cuGraphKernelNodeSetParams cannot be translated
  cuGraphKernelNodeSetParams(b, &kernel);
  // DIAG: driver-graphs.cu:[[@LINE+1]]:3: error: cuGraphExecKernelNodeSetParams cannot be translated
  cuGraphExecKernelNodeSetParams(exec, b, &kernel);
  // DIAG: driver-graphs.cu:[[@LINE+2]]:3: error: CUgraphExecUpdateResultInfo cannot be translated
  // DIAG: driver-graphs.cu:[[@LINE+2]]:3: error: cuGraphExecUpdate cannot be translated: CUDA 12's result-info form has no HIP equivalent
  CUgraphExecUpdateResultInfo info;
  cuGraphExecUpdate(exec, graph, &info);
#ifdef OLD_CUDA_API
  // The forms before CUDA 12 (HIPIFY's tests use them) are HIP's own.
  CUgraphNode errorNode;
  char log[256];
  CUgraphExecUpdateResult result;
  // CHECK: hipGraphInstantiate(&exec, graph, &errorNode, log, sizeof log);
  cuGraphInstantiate(&exec, graph, &errorNode, log, sizeof log);
  // CHECK-NEXT: hipGraphExecUpdate(exec, graph, &errorNode, &result);
  cuGraphExecUpdate(exec, graph, &errorNode, &result);
  // CHECK-NEXT: hipGraphAddDependencies(graph, &a, &b, 1);
  cuGraphAddDependencies(graph, &a, &b, 1);
  // CHECK-NEXT: hipGraphGetEdges(graph, nodes, nodes + 2, &count);
  cuGraphGetEdges(graph, nodes, nodes + 2, &count);
  // CHECK-NEXT: hipGraphNodeGetDependencies(b, nodes, &count);
  cuGraphNodeGetDependencies(b, nodes, &count);
  // CHECK-NEXT: hipStreamGetCaptureInfo(stream, &status, &id);
  cuStreamGetCaptureInfo(stream, &status, &id);
#endif
  return cuGraphLaunch(exec, stream);
}

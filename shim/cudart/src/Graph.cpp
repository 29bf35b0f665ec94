#include "Graph.h"

#include "Modules.h"
#include "Runtime.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace drawbridge::cudart {

cudaError_t KernelWork::make(const KernelLaunch& launch, KernelWork& work) {
  if (!launch.function)
    return cudaErrorInvalidDeviceFunction;
  backend::Kernel* kernel = nullptr;
  if (cudaError_t error = onCurrentDevice(
          [&](backend::Device& device) { return resolveKernel(*launch.function, device, kernel); }))
    return error;
  const std::vector<size_t>& sizes = kernel->info().paramSizes;
  if (!sizes.empty() && !launch.args)
    return cudaErrorInvalidValue;
  work = {launch, {}, {}};
  work.shape.args = nullptr;
  constexpr size_t kAlign = 16;
  for (size_t i = 0; i < sizes.size(); ++i) {
    size_t offset = (work.values.size() + kAlign - 1) / kAlign * kAlign;
    work.values.resize(offset + sizes[i]);
    std::memcpy(work.values.data() + offset, launch.args[i], sizes[i]);
    work.offsets.push_back(offset);
  }
  return cudaSuccess;
}

KernelLaunch KernelWork::launch() {
  // Rebuilt per launch: the pointers are into `values`, which may have moved.
  thread_local std::vector<void*> pointers;
  pointers.clear();
  for (size_t offset : offsets)
    pointers.push_back(values.data() + offset);
  KernelLaunch launch = shape;
  launch.args = pointers.data();
  return launch;
}

cudaGraphNodeType nodeType(const NodeWork& work) {
  struct {
    cudaGraphNodeType operator()(const KernelWork&) { return cudaGraphNodeTypeKernel; }
    cudaGraphNodeType operator()(const CopyWork&) { return cudaGraphNodeTypeMemcpy; }
    cudaGraphNodeType operator()(const FillWork&) { return cudaGraphNodeTypeMemset; }
    cudaGraphNodeType operator()(const HostWork&) { return cudaGraphNodeTypeHost; }
    cudaGraphNodeType operator()(const EmptyWork&) { return cudaGraphNodeTypeEmpty; }
    cudaGraphNodeType operator()(const EventRecordWork&) { return cudaGraphNodeTypeEventRecord; }
    cudaGraphNodeType operator()(const EventWaitWork&) { return cudaGraphNodeTypeWaitEvent; }
  } type;
  return std::visit(type, work);
}

cudaError_t run(NodeWork& work, cudaStream_t stream) {
  struct {
    cudaStream_t stream;
    cudaError_t operator()(KernelWork& w) { return launchKernel(w.launch(), stream); }
    cudaError_t operator()(CopyWork& w) { return copy(w.params, stream, true, "cudaGraphLaunch"); }
    cudaError_t operator()(FillWork& w) { return fill(w.params, stream, true, "cudaGraphLaunch"); }
    cudaError_t operator()(HostWork& w) {
      return hostFunction(w.params.fn, w.params.userData, stream, "cudaGraphLaunch");
    }
    cudaError_t operator()(EmptyWork&) { return cudaSuccess; }
    cudaError_t operator()(EventRecordWork& w) { return cudaEventRecord(w.event, stream); }
    cudaError_t operator()(EventWaitWork& w) { return cudaStreamWaitEvent(stream, w.event, 0); }
  } runner{stream};
  return std::visit(runner, work);
}

} // namespace drawbridge::cudart

bool CUgraph_st::owns(const CUgraphNode_st* node) const {
  return std::any_of(nodes.begin(), nodes.end(), [&](const auto& n) { return n.get() == node; });
}

cudaError_t CUgraph_st::add(drawbridge::cudart::NodeWork work, const cudaGraphNode_t* dependencies,
                            size_t count, cudaGraphNode_t* added) {
  if (!added || (count && !dependencies))
    return cudaErrorInvalidValue;
  std::vector<CUgraphNode_st*> after(dependencies, dependencies + count);
  for (CUgraphNode_st* d : after)
    if (!owns(d))
      return cudaErrorInvalidValue;
  std::sort(after.begin(), after.end());
  if (std::adjacent_find(after.begin(), after.end()) != after.end())
    return cudaErrorInvalidValue; // CUDA rejects a dependency listed twice
  nodes.push_back(std::make_unique<CUgraphNode_st>(CUgraphNode_st{this, std::move(work), after}));
  *added = nodes.back().get();
  return cudaSuccess;
}

cudaError_t CUgraphExec_st::instantiate(const CUgraph_st& graph,
                                        std::unique_ptr<CUgraphExec_st>& exec) {
  // Kahn's algorithm, taking nodes in the order they were added where dependencies allow.
  std::map<const CUgraphNode_st*, size_t> waiting;
  std::map<const CUgraphNode_st*, std::vector<const CUgraphNode_st*>> dependents;
  for (const auto& node : graph.nodes) {
    waiting[node.get()] = node->dependencies.size();
    for (const CUgraphNode_st* d : node->dependencies)
      dependents[d].push_back(node.get());
  }
  exec = std::make_unique<CUgraphExec_st>();
  std::vector<const CUgraphNode_st*> ready;
  for (const auto& node : graph.nodes)
    if (node->dependencies.empty())
      ready.push_back(node.get());
  for (size_t i = 0; i < ready.size(); ++i) {
    exec->steps.push_back({ready[i], ready[i]->work});
    for (const CUgraphNode_st* next : dependents[ready[i]])
      if (--waiting[next] == 0)
        ready.push_back(next);
  }
  if (exec->steps.size() != graph.nodes.size()) {
    exec.reset();
    return cudaErrorInvalidValue; // a cycle
  }
  exec->userObjects = graph.userObjects;
  return cudaSuccess;
}

CUgraphExec_st::Step* CUgraphExec_st::step(const CUgraphNode_st* from) {
  for (Step& s : steps)
    if (s.from == from)
      return &s;
  return nullptr;
}

#include "Graph.h"

#include "Capture.h"
#include "GraphMemory.h"
#include "Log.h"
#include "Modules.h"
#include "Runtime.h"

#include <algorithm>
#include <cstdio>
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
  // The node's attributes are its own, not its parameters: setting parameters keeps them.
  work = {launch, {}, {}, std::move(work.attributes)};
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

ChildWork::ChildWork(std::shared_ptr<CUgraph_st> owned) : graph(std::move(owned)) {}

ChildWork::ChildWork(const ChildWork& other) : graph(cloneGraph(*other.graph)) {}

ChildWork& ChildWork::operator=(const ChildWork& other) {
  if (this != &other)
    graph = cloneGraph(*other.graph);
  return *this;
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
    cudaGraphNodeType operator()(const ChildWork&) { return cudaGraphNodeTypeGraph; }
    cudaGraphNodeType operator()(const MemAllocWork&) { return cudaGraphNodeTypeMemAlloc; }
    cudaGraphNodeType operator()(const MemFreeWork&) { return cudaGraphNodeTypeMemFree; }
    cudaGraphNodeType operator()(const ConditionalWork&) { return cudaGraphNodeTypeConditional; }
  } type;
  return std::visit(type, work);
}

namespace {

cudaError_t launchGraph(const CUgraph_st& graph, cudaStream_t stream) {
  std::unique_ptr<CUgraphExec_st> exec;
  if (cudaError_t error = CUgraphExec_st::instantiate(graph, exec))
    return error;
  return exec->launch(stream);
}

} // namespace

cudaError_t run(NodeWork& work, cudaStream_t stream) {
  struct {
    cudaStream_t stream;
    cudaError_t operator()(KernelWork& w) {
      KernelLaunch launch = w.launch();
      auto cooperative = w.attributes.find(cudaLaunchAttributeCooperative);
      launch.cooperative |= cooperative != w.attributes.end() && cooperative->second.cooperative;
      return launchKernel(launch, stream);
    }
    cudaError_t operator()(CopyWork& w) { return copy(w.params, stream, true, "cudaGraphLaunch"); }
    cudaError_t operator()(FillWork& w) { return fill(w.params, stream, true, "cudaGraphLaunch"); }
    cudaError_t operator()(HostWork& w) {
      return hostFunction(w.params.fn, w.params.userData, stream, "cudaGraphLaunch");
    }
    cudaError_t operator()(EmptyWork&) { return cudaSuccess; }
    cudaError_t operator()(EventRecordWork& w) { return cudaEventRecord(w.event, stream); }
    cudaError_t operator()(EventWaitWork& w) { return cudaStreamWaitEvent(stream, w.event, 0); }
    cudaError_t operator()(ChildWork& w) { return launchGraph(*w.graph, stream); }
    cudaError_t operator()(MemAllocWork& w) { return graphMemory::allocate(w.allocation); }
    cudaError_t operator()(MemFreeWork& w) {
      return graphMemory::release(w.address) ? cudaSuccess : cudaErrorInvalidValue;
    }
    cudaError_t operator()(ConditionalWork& w) {
      // The condition is what the work before the node left: wait for the stream to get there.
      if (cudaError_t error = cudaStreamSynchronize(stream))
        return error;
      uint32_t value = w.slot->value.load();
      switch (w.type) {
      case cudaGraphCondTypeIf:
        if (value || w.bodies.size() > 1)
          return launchGraph(*w.bodies[value ? 0 : 1].graph, stream);
        return cudaSuccess;
      case cudaGraphCondTypeSwitch:
        return value < w.bodies.size() ? launchGraph(*w.bodies[value].graph, stream) : cudaSuccess;
      case cudaGraphCondTypeWhile:
        for (; value; value = w.slot->value.load()) {
          if (cudaError_t error = launchGraph(*w.bodies[0].graph, stream))
            return error;
          if (cudaError_t error = cudaStreamSynchronize(stream))
            return error;
        }
        return cudaSuccess;
      }
      return cudaErrorInvalidValue;
    }
  } runner{stream};
  return std::visit(runner, work);
}

std::unique_ptr<CUgraph_st> cloneGraph(const CUgraph_st& graph) {
  auto clone = std::make_unique<CUgraph_st>();
  for (const auto& node : graph.nodes) {
    clone->nodes.push_back(std::make_unique<CUgraphNode_st>(
        CUgraphNode_st{clone.get(), node->work, node->dependencies}));
    clone->cloneOf[node.get()] = clone->nodes.back().get();
  }
  for (const auto& node : clone->nodes)
    for (CUgraphNode_st*& dependency : node->dependencies)
      dependency = clone->cloneOf[dependency];
  clone->userObjects = graph.userObjects;
  return clone;
}

bool hasMemoryNodes(const CUgraph_st& graph) {
  return std::any_of(graph.nodes.begin(), graph.nodes.end(), [](const auto& node) {
    if (const auto* child = std::get_if<ChildWork>(&node->work))
      return hasMemoryNodes(*child->graph);
    return std::holds_alternative<MemAllocWork>(node->work) ||
           std::holds_alternative<MemFreeWork>(node->work);
  });
}

bool hasConditionalNodes(const CUgraph_st& graph) {
  return std::any_of(graph.nodes.begin(), graph.nodes.end(), [](const auto& node) {
    return std::holds_alternative<ConditionalWork>(node->work);
  });
}

} // namespace drawbridge::cudart

bool CUgraph_st::owns(const CUgraphNode_st* node) const {
  return std::any_of(nodes.begin(), nodes.end(), [&](const auto& n) { return n.get() == node; });
}

size_t CUgraph_st::indexOf(const CUgraphNode_st* node) const {
  auto it =
      std::find_if(nodes.begin(), nodes.end(), [&](const auto& n) { return n.get() == node; });
  return static_cast<size_t>(it - nodes.begin());
}

cudaError_t CUgraph_st::add(drawbridge::cudart::NodeWork work, const cudaGraphNode_t* dependencies,
                            size_t count, cudaGraphNode_t* added) {
  if (!added || (count && !dependencies))
    return cudaErrorInvalidValue;
  bool memoryNode = std::holds_alternative<drawbridge::cudart::MemAllocWork>(work) ||
                    std::holds_alternative<drawbridge::cudart::MemFreeWork>(work);
  if (memoryNode && ownedByParent)
    return cudaErrorInvalidValue; // CUDA: not in a graph a node owns
  std::vector<CUgraphNode_st*> after(dependencies, dependencies + count);
  for (CUgraphNode_st* d : after)
    if (!owns(d))
      return cudaErrorInvalidValue;
  std::sort(after.begin(), after.end());
  if (std::adjacent_find(after.begin(), after.end()) != after.end())
    return cudaErrorInvalidValue;                   // CUDA rejects a dependency listed twice
  after.assign(dependencies, dependencies + count); // in the caller's order (edge order)
  if (const auto* free = std::get_if<drawbridge::cudart::MemFreeWork>(&work))
    if (auto allocation = drawbridge::cudart::graphMemory::find(free->address))
      allocation->freedInGraph = true; // CUDA allows one free node per allocation
  nodes.push_back(std::make_unique<CUgraphNode_st>(CUgraphNode_st{this, std::move(work), after}));
  *added = nodes.back().get();
  return cudaSuccess;
}

CUgraphExec_st::~CUgraphExec_st() {
  if (instanceOf)
    *instanceOf = false;
}

cudaError_t CUgraphExec_st::instantiate(const CUgraph_st& graph,
                                        std::unique_ptr<CUgraphExec_st>& exec,
                                        CUgraphNode_st** stuck) {
  // CUDA: at most one executable graph at a time of a graph with memory or conditional nodes.
  bool single =
      drawbridge::cudart::hasMemoryNodes(graph) || drawbridge::cudart::hasConditionalNodes(graph);
  if (single && *graph.instantiated)
    return cudaErrorNotSupported;
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
    Step step{ready[i], graph.indexOf(ready[i]), {}, ready[i]->work};
    for (const CUgraphNode_st* d : ready[i]->dependencies)
      step.dependencies.push_back(graph.indexOf(d));
    exec->steps.push_back(std::move(step));
    for (const CUgraphNode_st* next : dependents[ready[i]])
      if (--waiting[next] == 0)
        ready.push_back(next);
  }
  if (exec->steps.size() != graph.nodes.size()) {
    for (const auto& node : graph.nodes)
      if (stuck && waiting[node.get()] > 0)
        *stuck = node.get(); // still waiting: on the cycle or after it
    exec.reset();
    return cudaErrorInvalidValue; // a cycle
  }
  exec->userObjects = graph.userObjects;
  exec->conditions = graph.conditions;
  if (single) {
    *graph.instantiated = true;
    exec->instanceOf = graph.instantiated;
  }
  return cudaSuccess;
}

CUgraphExec_st::Step* CUgraphExec_st::step(const CUgraphNode_st* from) {
  for (Step& s : steps)
    if (s.from == from)
      return &s;
  return nullptr;
}

cudaError_t CUgraphExec_st::launch(cudaStream_t stream) {
  if (!conditions.empty()) {
    // Choosing a body means waiting for the stream, which a capture cannot do.
    if (drawbridge::cudart::capture::info(stream).status != cudaStreamCaptureStatusNone) {
      drawbridge::cudart::logError(
          "drawbridge: a graph with conditional nodes cannot be launched into a "
          "stream capture; launch it outside the capture\n");
      return cudaErrorNotSupported;
    }
    // Each launch starts from the defaults, once the launches before it are done with them.
    if (cudaError_t error = cudaStreamSynchronize(stream))
      return error;
    for (const auto& condition : conditions)
      if (condition->flags & cudaGraphCondAssignDefault)
        condition->value = condition->initial;
  }
  for (Step& step : steps)
    if (step.enabled)
      if (cudaError_t error = drawbridge::cudart::run(step.work, stream))
        return error;
  return cudaSuccess;
}

// cudaGraphDebugDotPrint: the graph as a Graphviz DOT file, one cluster per graph (child
// graphs nested in their node's), one box per node labelled with its kind and, with
// cudaGraphDebugDotFlagsVerbose or the kind's own flag, its parameters.
#include "Api.h"
#include "Export.h"
#include "Graph.h"
#include "GraphMemory.h"

#include <fstream>
#include <map>
#include <sstream>

using namespace drawbridge::cudart;

namespace {

class DotWriter {
public:
  DotWriter(std::ostream& out, unsigned flags) : out_(out), flags_(flags) {}

  void graph(const CUgraph_st& graph, const std::string& indent) {
    size_t id = graphs_++;
    out_ << indent << "subgraph cluster_" << id << " {\n"
         << indent << "  label=\"graph_" << id << "\";\n";
    for (const auto& node : graph.nodes)
      this->node(*node, indent + "  ");
    out_ << indent << "}\n";
    for (const auto& node : graph.nodes)
      for (const CUgraphNode_st* dependency : node->dependencies)
        out_ << indent << "node_" << ids_[dependency] << " -> node_" << ids_[node.get()] << ";\n";
  }

private:
  bool wants(unsigned flag) const { return flags_ & (cudaGraphDebugDotFlagsVerbose | flag); }

  void node(const CUgraphNode_st& node, const std::string& indent) {
    size_t id = ids_[&node] = nodes_++;
    std::ostringstream label;
    label << kindName(node.work) << "\\n" << id;
    if (wants(cudaGraphDebugDotFlagsHandles))
      label << "\\nhandle " << &node;
    parameters(node.work, label);
    out_ << indent << "node_" << id << " [shape=box, label=\"" << label.str() << "\"];\n";
    if (const auto* child = std::get_if<ChildWork>(&node.work))
      graph(*child->graph, indent);
    if (const auto* conditional = std::get_if<ConditionalWork>(&node.work))
      for (const ChildWork& body : conditional->bodies)
        graph(*body.graph, indent);
  }

  static const char* kindName(const NodeWork& work) {
    switch (nodeType(work)) {
    case cudaGraphNodeTypeKernel:
      return "KERNEL";
    case cudaGraphNodeTypeMemcpy:
      return "MEMCPY";
    case cudaGraphNodeTypeMemset:
      return "MEMSET";
    case cudaGraphNodeTypeHost:
      return "HOST";
    case cudaGraphNodeTypeGraph:
      return "CHILD_GRAPH";
    case cudaGraphNodeTypeEmpty:
      return "EMPTY";
    case cudaGraphNodeTypeWaitEvent:
      return "EVENT_WAIT";
    case cudaGraphNodeTypeEventRecord:
      return "EVENT_RECORD";
    case cudaGraphNodeTypeMemAlloc:
      return "MEM_ALLOC";
    case cudaGraphNodeTypeMemFree:
      return "MEM_FREE";
    case cudaGraphNodeTypeConditional:
      return "CONDITIONAL";
    default:
      return "UNKNOWN";
    }
  }

  void parameters(const NodeWork& work, std::ostream& label) const {
    if (const auto* k = std::get_if<KernelWork>(&work);
        k && wants(cudaGraphDebugDotFlagsKernelNodeParams))
      label << "\\n"
            << (k->shape.function ? k->shape.function->deviceName.c_str() : "?") << "\\ngrid ("
            << k->shape.grid.x << "," << k->shape.grid.y << "," << k->shape.grid.z << ") block ("
            << k->shape.block.x << "," << k->shape.block.y << "," << k->shape.block.z
            << ")\\nshared " << k->shape.sharedMem;
    if (const auto* c = std::get_if<CopyWork>(&work);
        c && wants(cudaGraphDebugDotFlagsMemcpyNodeParams))
      label << "\\n"
            << c->params.srcPtr.ptr << " -> " << c->params.dstPtr.ptr << "\\nextent ("
            << c->params.extent.width << "," << c->params.extent.height << ","
            << c->params.extent.depth << ")";
    if (const auto* f = std::get_if<FillWork>(&work);
        f && wants(cudaGraphDebugDotFlagsMemsetNodeParams))
      label << "\\n"
            << f->params.dst << " value " << f->params.value << " element " << f->params.elementSize
            << "\\nwidth " << f->params.width << " height " << f->params.height;
    if (const auto* h = std::get_if<HostWork>(&work);
        h && wants(cudaGraphDebugDotFlagsHostNodeParams))
      label << "\\nfn " << reinterpret_cast<void*>(h->params.fn) << " data " << h->params.userData;
    if (const auto* e = std::get_if<EventRecordWork>(&work);
        e && wants(cudaGraphDebugDotFlagsEventNodeParams))
      label << "\\nevent " << e->event;
    if (const auto* e = std::get_if<EventWaitWork>(&work);
        e && wants(cudaGraphDebugDotFlagsEventNodeParams))
      label << "\\nevent " << e->event;
    if (flags_ & cudaGraphDebugDotFlagsVerbose) {
      if (const auto* a = std::get_if<MemAllocWork>(&work))
        label << "\\n" << a->allocation->address << " size " << a->allocation->size;
      if (const auto* f = std::get_if<MemFreeWork>(&work))
        label << "\\n" << f->address;
    }
  }

  std::ostream& out_;
  unsigned flags_;
  size_t graphs_ = 0, nodes_ = 0;
  std::map<const CUgraphNode_st*, size_t> ids_;
};

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGraphDebugDotPrint(cudaGraph_t graph, const char* path,
                                                            unsigned int flags) {
  return api(
      "cudaGraphDebugDotPrint",
      [&] {
        if (!graph || !path)
          return cudaErrorInvalidValue;
        std::ofstream file(path);
        if (!file)
          return cudaErrorOperatingSystem;
        file << "digraph dot {\n";
        DotWriter(file, flags).graph(*graph, "  ");
        file << "}\n";
        return file.good() ? cudaSuccess : cudaErrorOperatingSystem;
      },
      graph, path, flags);
}

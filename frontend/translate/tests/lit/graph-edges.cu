// CUDA 13's graph and capture calls take edge data, which HIP 5.2's (default edges only) do not:
// the call is wrapped so that it compiles, with the same meaning, only when it passes none.
// RUN: %drawbridge translate %s | %strip-checks | FileCheck %s

int main() {
  cudaGraph_t graph;
  cudaGraphNode_t a, b, nodes[2];
  size_t count = 2;
  cudaStream_t stream;
  cudaStreamCaptureStatus status;
  // CHECK: [](hipGraph_t g_, const hipGraphNode_t* f_, const hipGraphNode_t* t_, decltype(nullptr), size_t n_) { return hipGraphAddDependencies(g_, f_, t_, n_); }(graph, &a, &b, nullptr, 1);
  cudaGraphAddDependencies(graph, &a, &b, nullptr, 1);
  // CHECK-NEXT: [](hipGraph_t g_, const hipGraphNode_t* f_, const hipGraphNode_t* t_, decltype(nullptr), size_t n_) { return hipGraphRemoveDependencies(g_, f_, t_, n_); }(graph, &a, &b, NULL, 1);
  cudaGraphRemoveDependencies(graph, &a, &b, NULL, 1);
  // CHECK-NEXT: [](hipGraph_t g_, hipGraphNode_t* f_, hipGraphNode_t* t_, decltype(nullptr), size_t* n_) { return hipGraphGetEdges(g_, f_, t_, n_); }(graph, nodes, nodes + 1, nullptr, &count);
  cudaGraphGetEdges(graph, nodes, nodes + 1, nullptr, &count);
  // CHECK-NEXT: [](hipGraphNode_t m_, hipGraphNode_t* d_, decltype(nullptr), size_t* n_) { return hipGraphNodeGetDependencies(m_, d_, n_); }(b, nodes, nullptr, &count);
  cudaGraphNodeGetDependencies(b, nodes, nullptr, &count);
  // CHECK-NEXT: [](hipGraphNode_t m_, hipGraphNode_t* d_, decltype(nullptr), size_t* n_) { return hipGraphNodeGetDependentNodes(m_, d_, n_); }(a, nodes, nullptr, &count);
  cudaGraphNodeGetDependentNodes(a, nodes, nullptr, &count);
  // CHECK-NEXT: [](hipStream_t s_, hipGraphNode_t* d_, decltype(nullptr), size_t n_, unsigned f_ = 0) { return hipStreamUpdateCaptureDependencies(s_, d_, n_, f_); }(stream, nodes, nullptr, 1);
  cudaStreamUpdateCaptureDependencies(stream, nodes, nullptr, 1);
  // CHECK-NEXT: [](hipStream_t s_, hipStreamCaptureStatus* c_, unsigned long long* i_ = nullptr, hipGraph_t* g_ = nullptr, const hipGraphNode_t** d_ = nullptr, decltype(nullptr) = nullptr, size_t* n_ = nullptr) { return hipStreamGetCaptureInfo_v2(s_, c_, i_, g_, d_, n_); }(stream, &status);
  cudaStreamGetCaptureInfo(stream, &status);
  return 0;
}

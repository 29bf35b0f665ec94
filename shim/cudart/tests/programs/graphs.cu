// CUDA graphs as programs use them: built node by node, captured from streams (with a fork
// and join across streams), instantiated, updated and relaunched; and the errors CUDA gives
// for what a capture forbids. Run as `graphs SECTION`; each checks its own results.
#include "Check.cuh"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <cuda_runtime.h>
#include <unistd.h>
#include <vector>

__global__ void scale_add(float* data, float factor, float offset, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    data[i] = data[i] * factor + offset;
}

__global__ void sum_into(const float* data, float* total, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    atomicAdd(total, data[i]);
}

__global__ void set_condition(cudaGraphConditionalHandle handle, unsigned value) {
  if (blockIdx.x == 0 && threadIdx.x == 0)
    cudaGraphSetConditional(handle, value);
}

// One step of a loop: counts, and keeps the loop going while the count is under `limit`.
__global__ void count_up(int* counter, cudaGraphConditionalHandle handle, int limit) {
  if (blockIdx.x == 0 && threadIdx.x == 0)
    cudaGraphSetConditional(handle, ++*counter < limit);
}

static void CUDART_CB count_call(void* counter) {
  static_cast<std::atomic<int>*>(counter)->fetch_add(1);
}

static bool all_equal(const std::vector<float>& v, float expected) {
  for (float x : v)
    if (x != expected)
      return false;
  return true;
}

// memset -> kernel -> kernel -> copy back, with a host node and an empty join node; the exec
// is relaunched after its kernel node's parameters change, and the graph itself is unchanged.
static int built() {
  const int n = 1000;
  float* d = nullptr;
  OK(cudaMalloc(&d, n * sizeof(float)));
  std::vector<float> out(n, -1.f);
  std::atomic<int> calls{0};

  cudaGraph_t graph;
  OK(cudaGraphCreate(&graph, 0));
  cudaGraphNode_t fill, first, second, host, join, back;
  cudaMemsetParams memset = {};
  memset.dst = d;
  memset.value = 0x3f800000; // 1.0f, as a 4-byte element
  memset.elementSize = 4;
  memset.width = n;
  memset.height = 1;
  OK(cudaGraphAddMemsetNode(&fill, graph, nullptr, 0, &memset));

  float factor = 2.f, offset = 1.f;
  int count = n;
  void* args[] = {&d, &factor, &offset, &count};
  cudaKernelNodeParams kernel = {};
  kernel.func = reinterpret_cast<void*>(scale_add);
  kernel.gridDim = dim3((n + 255) / 256);
  kernel.blockDim = dim3(256);
  kernel.kernelParams = args;
  OK(cudaGraphAddKernelNode(&first, graph, &fill, 1, &kernel));
  factor = 10.f; // the node copied its arguments: this changes only the second node
  offset = 0.f;
  OK(cudaGraphAddKernelNode(&second, graph, &first, 1, &kernel));
  cudaHostNodeParams hostParams = {count_call, &calls};
  OK(cudaGraphAddHostNode(&host, graph, &fill, 1, &hostParams));
  cudaGraphNode_t both[] = {second, host};
  OK(cudaGraphAddEmptyNode(&join, graph, both, 2));
  OK(cudaGraphAddMemcpyNode1D(&back, graph, &join, 1, out.data(), d, n * sizeof(float),
                              cudaMemcpyDeviceToHost));
  EXPECT(cudaGraphAddEmptyNode(&join, graph, &fill, 0), cudaSuccess);
  cudaGraphNode_t foreign = nullptr;
  cudaGraph_t other;
  OK(cudaGraphCreate(&other, 0));
  EXPECT(cudaGraphAddEmptyNode(&foreign, other, &fill, 1), cudaErrorInvalidValue);
  OK(cudaGraphDestroy(other));

  size_t nodes = 0;
  OK(cudaGraphGetNodes(graph, nullptr, &nodes));
  REQUIRE(nodes == 7);
  cudaGraphNodeType type;
  OK(cudaGraphNodeGetType(second, &type));
  REQUIRE(type == cudaGraphNodeTypeKernel);
  OK(cudaGraphNodeGetType(fill, &type));
  REQUIRE(type == cudaGraphNodeTypeMemset);

  // The structure reads back: two roots (fill and the stray empty node `join` now names), six
  // edges, each node's dependencies and dependents, and each node's parameters.
  cudaGraphNode_t listed[3] = {};
  size_t listedCount = 3;
  OK(cudaGraphGetRootNodes(graph, listed, &listedCount));
  REQUIRE(listedCount == 2 && listed[2] == nullptr);
  REQUIRE((listed[0] == fill && listed[1] == join) || (listed[0] == join && listed[1] == fill));
  OK(cudaGraphGetEdges(graph, nullptr, nullptr, nullptr, &listedCount));
  REQUIRE(listedCount == 6);
  OK(cudaGraphNodeGetDependentNodes(fill, nullptr, nullptr, &listedCount));
  REQUIRE(listedCount == 2);
  listedCount = 3;
  OK(cudaGraphNodeGetDependencies(second, listed, nullptr, &listedCount));
  REQUIRE(listedCount == 1 && listed[0] == first);
  cudaHostNodeParams readHost = {};
  OK(cudaGraphHostNodeGetParams(host, &readHost));
  REQUIRE(readHost.fn == count_call && readHost.userData == &calls);
  EXPECT(cudaGraphHostNodeGetParams(fill, &readHost), cudaErrorInvalidValue); // not a host node
  cudaMemsetParams readFill = {};
  OK(cudaGraphMemsetNodeGetParams(fill, &readFill));
  REQUIRE(readFill.dst == d && readFill.value == memset.value && readFill.width == size_t(n));
  OK(cudaGraphDestroyNode(join));
  OK(cudaGraphGetNodes(graph, nullptr, &nodes));
  REQUIRE(nodes == 6);

  // A clone has its own nodes, with the same edges between them.
  cudaGraph_t clone;
  OK(cudaGraphClone(&clone, graph));
  cudaGraphNode_t secondClone = nullptr, firstClone = nullptr;
  OK(cudaGraphNodeFindInClone(&secondClone, second, clone));
  OK(cudaGraphNodeFindInClone(&firstClone, first, clone));
  REQUIRE(secondClone && secondClone != second && firstClone && firstClone != first);
  listedCount = 3;
  OK(cudaGraphNodeGetDependencies(secondClone, listed, nullptr, &listedCount));
  REQUIRE(listedCount == 1 && listed[0] == firstClone);
  OK(cudaGraphRemoveDependencies(clone, &firstClone, &secondClone, nullptr, 1));
  EXPECT(cudaGraphRemoveDependencies(clone, &firstClone, &secondClone, nullptr, 1),
         cudaErrorInvalidValue); // no such edge any more
  OK(cudaGraphNodeGetDependencies(secondClone, nullptr, nullptr, &listedCount));
  REQUIRE(listedCount == 0);
  OK(cudaGraphNodeGetDependencies(second, nullptr, nullptr, &listedCount));
  REQUIRE(listedCount == 1); // the original keeps its edge
  OK(cudaGraphDestroy(clone));

  cudaGraphExec_t exec;
  OK(cudaGraphInstantiate(&exec, graph, 0));
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  OK(cudaGraphLaunch(exec, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out, (1.f * 2.f + 1.f) * 10.f)); // 30
  REQUIRE(calls.load() == 1);

  // Update the exec's first kernel: x * 3 - 1; the graph keeps x * 2 + 1.
  factor = 3.f;
  offset = -1.f;
  kernel.kernelParams = args;
  OK(cudaGraphExecKernelNodeSetParams(exec, first, &kernel));
  OK(cudaGraphLaunch(exec, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out, (1.f * 3.f - 1.f) * 10.f)); // 20
  REQUIRE(calls.load() == 2);

  cudaKernelNodeParams read = {};
  OK(cudaGraphKernelNodeGetParams(first, &read));
  REQUIRE(read.func == reinterpret_cast<void*>(scale_add) && read.gridDim.x == 4 &&
          *static_cast<float*>(read.kernelParams[1]) == 2.f);
  cudaGraphExec_t fresh;
  OK(cudaGraphInstantiateWithFlags(&fresh, graph, cudaGraphInstantiateFlagAutoFreeOnLaunch));
  OK(cudaGraphLaunch(fresh, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out, 30.f));

  // A node's parameters changed in the graph reach execs instantiated afterwards only.
  factor = 0.f;
  offset = 5.f;
  OK(cudaGraphKernelNodeSetParams(second, &kernel));
  OK(cudaGraphLaunch(fresh, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out, 30.f));
  OK(cudaGraphExecDestroy(fresh));
  OK(cudaGraphInstantiate(&fresh, graph, 0));
  OK(cudaGraphLaunch(fresh, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out, 5.f));

  // Event nodes order a second graph after the first across streams; exec updates of memset
  // and host nodes take effect at the next launch.
  cudaEvent_t produced;
  OK(cudaEventCreateWithFlags(&produced, cudaEventDisableTiming));
  cudaGraph_t producer, consumer;
  OK(cudaGraphCreate(&producer, 0));
  OK(cudaGraphCreate(&consumer, 0));
  cudaGraphNode_t slow, record, wait, copy;
  cudaMemsetParams seven = memset;
  seven.value = 0x40e00000; // 7.0f
  OK(cudaGraphAddMemsetNode(&slow, producer, nullptr, 0, &seven));
  OK(cudaGraphAddEventRecordNode(&record, producer, &slow, 1, produced));
  OK(cudaGraphAddEventWaitNode(&wait, consumer, nullptr, 0, produced));
  OK(cudaGraphAddMemcpyNode1D(&copy, consumer, &wait, 1, out.data(), d, n * sizeof(float),
                              cudaMemcpyDeviceToHost));
  cudaGraphNode_t noted;
  OK(cudaGraphAddHostNode(&noted, consumer, &copy, 1, &hostParams));
  cudaGraphExec_t first_half, second_half;
  OK(cudaGraphInstantiate(&first_half, producer, 0));
  OK(cudaGraphInstantiate(&second_half, consumer, 0));
  cudaStream_t other_stream;
  OK(cudaStreamCreateWithFlags(&other_stream, cudaStreamNonBlocking));
  const int calls_before = calls.load();
  OK(cudaGraphLaunch(first_half, stream));
  OK(cudaGraphLaunch(second_half, other_stream));
  OK(cudaStreamSynchronize(other_stream));
  REQUIRE(all_equal(out, 7.f));
  REQUIRE(calls.load() == calls_before + 1);
  seven.value = 0x41100000; // 9.0f
  OK(cudaGraphExecMemsetNodeSetParams(first_half, slow, &seven));
  std::atomic<int> other_calls{0};
  cudaHostNodeParams other_host = {count_call, &other_calls};
  OK(cudaGraphExecHostNodeSetParams(second_half, noted, &other_host));
  EXPECT(cudaGraphExecHostNodeSetParams(second_half, copy, &other_host), cudaErrorInvalidValue);
  cudaGetLastError();
  OK(cudaGraphLaunch(first_half, stream));
  OK(cudaGraphLaunch(second_half, other_stream));
  OK(cudaStreamSynchronize(other_stream));
  REQUIRE(all_equal(out, 9.f));
  REQUIRE(calls.load() == calls_before + 1 && other_calls.load() == 1);
  OK(cudaGraphExecDestroy(first_half));
  OK(cudaGraphExecDestroy(second_half));
  OK(cudaGraphDestroy(producer));
  OK(cudaGraphDestroy(consumer));
  OK(cudaStreamDestroy(other_stream));
  OK(cudaEventDestroy(produced));

  // A cycle cannot be instantiated.
  cudaGraph_t cyclic;
  cudaGraphNode_t a, b;
  OK(cudaGraphCreate(&cyclic, 0));
  OK(cudaGraphAddEmptyNode(&a, cyclic, nullptr, 0));
  OK(cudaGraphAddEmptyNode(&b, cyclic, &a, 1));
  OK(cudaGraphAddDependencies(cyclic, &b, &a, nullptr, 1));
  cudaGraphExec_t never;
  EXPECT(cudaGraphInstantiate(&never, cyclic, 0), cudaErrorInvalidValue);
  OK(cudaGraphDestroy(cyclic));

  OK(cudaGraphExecDestroy(fresh));
  OK(cudaGraphExecDestroy(exec));
  OK(cudaGraphDestroy(graph));
  OK(cudaStreamDestroy(stream));
  OK(cudaFree(d));
  cudaGetLastError();
  std::printf("built ok\n");
  return 0;
}

// Work on a stream between begin and end capture becomes a graph, not work: nothing runs
// until the graph is launched, and it runs again at each launch. A second stream forks from
// the capture through an event and joins back through another.
static int captured() {
  const int n = 4096;
  float *d = nullptr, *total = nullptr;
  OK(cudaMalloc(&d, n * sizeof(float)));
  OK(cudaMalloc(&total, sizeof(float)));
  std::vector<float> host(n, 1.5f);
  float result = -1.f;
  cudaStream_t main, side;
  OK(cudaStreamCreateWithFlags(&main, cudaStreamNonBlocking));
  OK(cudaStreamCreateWithFlags(&side, cudaStreamNonBlocking));
  cudaEvent_t forked, joined;
  OK(cudaEventCreateWithFlags(&forked, cudaEventDisableTiming));
  OK(cudaEventCreateWithFlags(&joined, cudaEventDisableTiming));
  OK(cudaMemset(total, 0, sizeof(float)));

  cudaStreamCaptureStatus status;
  OK(cudaStreamIsCapturing(main, &status));
  REQUIRE(status == cudaStreamCaptureStatusNone);
  OK(cudaStreamBeginCapture(main, cudaStreamCaptureModeGlobal));
  EXPECT(cudaStreamBeginCapture(main, cudaStreamCaptureModeGlobal), cudaErrorIllegalState);
  EXPECT(cudaGetLastError(), cudaErrorIllegalState);
  OK(cudaStreamIsCapturing(main, &status));
  REQUIRE(status == cudaStreamCaptureStatusActive);
  OK(cudaMemcpyAsync(d, host.data(), n * sizeof(float), cudaMemcpyHostToDevice, main));
  OK(cudaEventRecord(forked, main));
  OK(cudaStreamWaitEvent(side, forked, 0)); // side joins the capture
  OK(cudaStreamIsCapturing(side, &status));
  REQUIRE(status == cudaStreamCaptureStatusActive);
  OK(cudaMemsetAsync(total, 0, sizeof(float), side));
  OK(cudaEventRecord(joined, side));
  scale_add<<<(n + 255) / 256, 256, 0, main>>>(d, 2.f, 0.f, n);
  OK(cudaGetLastError());
  OK(cudaStreamWaitEvent(main, joined, 0));
  sum_into<<<(n + 255) / 256, 256, 0, main>>>(d, total, n);
  OK(cudaMemcpyAsync(&result, total, sizeof(float), cudaMemcpyDeviceToHost, main));

  unsigned long long id = 0;
  cudaGraph_t inProgress = nullptr;
  size_t dependencies = 0;
  const cudaGraphNode_t* tail = nullptr;
  OK(cudaStreamGetCaptureInfo(main, &status, &id, &inProgress, &tail, nullptr, &dependencies));
  REQUIRE(status == cudaStreamCaptureStatusActive && id != 0 && inProgress && dependencies == 1);
  cudaGraphNodeType type;
  OK(cudaGraphNodeGetType(tail[0], &type));
  REQUIRE(type == cudaGraphNodeTypeMemcpy);
  REQUIRE(result == -1.f); // nothing has run

  cudaGraph_t graph;
  OK(cudaStreamEndCapture(main, &graph));
  OK(cudaStreamIsCapturing(side, &status));
  REQUIRE(status == cudaStreamCaptureStatusNone);
  size_t nodes = 0;
  OK(cudaGraphGetNodes(graph, nullptr, &nodes));
  REQUIRE(nodes == 5);
  REQUIRE(result == -1.f);

  cudaGraphExec_t exec;
  OK(cudaGraphInstantiate(&exec, graph, 0));
  for (int launch = 0; launch < 3; ++launch) {
    result = -1.f;
    OK(cudaGraphLaunch(exec, main));
    OK(cudaStreamSynchronize(main));
    REQUIRE(result == n * 3.f);
  }
  OK(cudaGraphExecDestroy(exec));
  OK(cudaGraphDestroy(graph));

  // A forked stream that never joins back: the capture fails as unjoined.
  OK(cudaStreamBeginCapture(main, cudaStreamCaptureModeRelaxed));
  OK(cudaEventRecord(forked, main));
  OK(cudaStreamWaitEvent(side, forked, 0));
  OK(cudaMemsetAsync(total, 0, sizeof(float), side));
  EXPECT(cudaStreamEndCapture(side, &graph), cudaErrorStreamCaptureUnmatched);
  EXPECT(cudaStreamEndCapture(main, &graph), cudaErrorStreamCaptureUnjoined);
  REQUIRE(graph == nullptr);
  EXPECT(cudaStreamEndCapture(main, &graph), cudaErrorIllegalState);

  OK(cudaEventDestroy(forked));
  OK(cudaEventDestroy(joined));
  OK(cudaStreamDestroy(main));
  OK(cudaStreamDestroy(side));
  OK(cudaFree(d));
  OK(cudaFree(total));
  cudaGetLastError();
  std::printf("captured ok\n");
  return 0;
}

// What CUDA forbids during capture, and that each such call invalidates the capture.
static int illegal() {
  cudaStream_t blocking;
  OK(cudaStreamCreate(&blocking));
  float* d = nullptr;
  OK(cudaMalloc(&d, 64));
  cudaGraph_t graph = nullptr;

  EXPECT(cudaStreamBeginCapture(0, cudaStreamCaptureModeGlobal), cudaErrorStreamCaptureUnsupported);
  cudaGetLastError();

  // Synchronising with a capturing stream.
  OK(cudaStreamBeginCapture(blocking, cudaStreamCaptureModeGlobal));
  OK(cudaMemsetAsync(d, 0, 64, blocking));
  EXPECT(cudaStreamSynchronize(blocking), cudaErrorStreamCaptureUnsupported);
  cudaStreamCaptureStatus status;
  OK(cudaStreamIsCapturing(blocking, &status));
  REQUIRE(status == cudaStreamCaptureStatusInvalidated);
  EXPECT(cudaMemsetAsync(d, 0, 64, blocking), cudaErrorStreamCaptureInvalidated);
  EXPECT(cudaStreamEndCapture(blocking, &graph), cudaErrorStreamCaptureInvalidated);
  REQUIRE(graph == nullptr);
  cudaGetLastError();

  // The legacy stream synchronises with a blocking stream that is capturing.
  OK(cudaStreamBeginCapture(blocking, cudaStreamCaptureModeGlobal));
  EXPECT(cudaMemsetAsync(d, 0, 64, 0), cudaErrorStreamCaptureImplicit);
  EXPECT(cudaStreamEndCapture(blocking, &graph), cudaErrorStreamCaptureInvalidated);
  cudaGetLastError();

  // Synchronising the legacy stream is unsafe during a global capture, even when the capturing
  // stream is non-blocking (measured on an H200, CUDA 13).
  cudaStream_t independent;
  OK(cudaStreamCreateWithFlags(&independent, cudaStreamNonBlocking));
  OK(cudaStreamBeginCapture(independent, cudaStreamCaptureModeGlobal));
  OK(cudaMemsetAsync(d, 0, 64, independent));
  EXPECT(cudaStreamSynchronize(0), cudaErrorStreamCaptureUnsupported);
  EXPECT(cudaStreamEndCapture(independent, &graph), cudaErrorStreamCaptureInvalidated);
  OK(cudaStreamDestroy(independent));
  cudaGetLastError();

  // cudaMalloc is unsafe during a global capture, allowed in a relaxed one.
  OK(cudaStreamBeginCapture(blocking, cudaStreamCaptureModeGlobal));
  float* more = nullptr;
  EXPECT(cudaMalloc(&more, 64), cudaErrorStreamCaptureUnsupported);
  EXPECT(cudaStreamEndCapture(blocking, &graph), cudaErrorStreamCaptureInvalidated);
  cudaGetLastError();
  OK(cudaStreamBeginCapture(blocking, cudaStreamCaptureModeRelaxed));
  OK(cudaMalloc(&more, 64));
  OK(cudaStreamEndCapture(blocking, &graph));
  size_t nodes = 99;
  OK(cudaGraphGetNodes(graph, nullptr, &nodes));
  REQUIRE(nodes == 0);
  OK(cudaGraphDestroy(graph));

  // A thread may opt out of the global mode's checks.
  OK(cudaStreamBeginCapture(blocking, cudaStreamCaptureModeGlobal));
  cudaStreamCaptureMode mode = cudaStreamCaptureModeRelaxed;
  OK(cudaThreadExchangeStreamCaptureMode(&mode));
  REQUIRE(mode == cudaStreamCaptureModeGlobal);
  OK(cudaFree(more));
  OK(cudaThreadExchangeStreamCaptureMode(&mode));
  OK(cudaStreamEndCapture(blocking, &graph));
  OK(cudaGraphDestroy(graph));

  EXPECT(cudaStreamEndCapture(blocking, &graph), cudaErrorIllegalState);
  cudaGetLastError();
  OK(cudaStreamDestroy(blocking));
  OK(cudaFree(d));
  std::printf("illegal ok\n");
  return 0;
}

static cudaKernelNodeParams scale_node(void** args, int n) {
  cudaKernelNodeParams kernel = {};
  kernel.func = reinterpret_cast<void*>(scale_add);
  kernel.gridDim = dim3((n + 255) / 256);
  kernel.blockDim = dim3(256);
  kernel.kernelParams = args;
  return kernel;
}

static cudaMemsetParams fill_floats(float* d, unsigned bits, int n) {
  cudaMemsetParams memset = {};
  memset.dst = d;
  memset.value = bits;
  memset.elementSize = 4;
  memset.width = n;
  memset.height = 1;
  return memset;
}

static cudaGraphExec_t launch_once(cudaGraph_t graph, cudaStream_t stream) {
  cudaGraphExec_t exec;
  OK(cudaGraphInstantiate(&exec, graph, 0));
  OK(cudaGraphLaunch(exec, stream));
  OK(cudaStreamSynchronize(stream));
  return exec;
}

// A child graph node runs a clone of its graph, its nodes in their order, where the parent puts
// it; the node's own graph can be read and changed, and an executable graph's child can be
// given a graph of the same shape.
static int children() {
  const int n = 256;
  float* d = nullptr;
  OK(cudaMalloc(&d, n * sizeof(float)));
  std::vector<float> out(n, -1.f);
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));

  // child: d = 2, then d = d * 3 + 1 (7; the other order would leave 2)
  cudaGraph_t child;
  OK(cudaGraphCreate(&child, 0));
  cudaGraphNode_t fill, scale;
  cudaMemsetParams two = fill_floats(d, 0x40000000, n);
  OK(cudaGraphAddMemsetNode(&fill, child, nullptr, 0, &two));
  float factor = 3.f, offset = 1.f;
  int count = n;
  void* args[] = {&d, &factor, &offset, &count};
  cudaKernelNodeParams kernel = scale_node(args, n);
  OK(cudaGraphAddKernelNode(&scale, child, &fill, 1, &kernel));

  // parent: child, then d = d * 10, then copy back: 70
  cudaGraph_t parent;
  OK(cudaGraphCreate(&parent, 0));
  cudaGraphNode_t inner, after, back;
  OK(cudaGraphAddChildGraphNode(&inner, parent, nullptr, 0, child));
  factor = 10.f;
  offset = 0.f;
  OK(cudaGraphAddKernelNode(&after, parent, &inner, 1, &kernel));
  OK(cudaGraphAddMemcpyNode1D(&back, parent, &after, 1, out.data(), d, n * sizeof(float),
                              cudaMemcpyDeviceToHost));
  cudaGraphNodeType type;
  OK(cudaGraphNodeGetType(inner, &type));
  REQUIRE(type == cudaGraphNodeTypeGraph);

  // The node holds a clone: what is added to `child` afterwards is not in it.
  cudaGraphNode_t extra;
  OK(cudaGraphAddEmptyNode(&extra, child, &scale, 1));
  cudaGraph_t embedded = nullptr;
  OK(cudaGraphChildGraphNodeGetGraph(inner, &embedded));
  REQUIRE(embedded && embedded != child);
  size_t nodes = 0;
  OK(cudaGraphGetNodes(embedded, nullptr, &nodes));
  REQUIRE(nodes == 2);
  EXPECT(cudaGraphChildGraphNodeGetGraph(after, &embedded), cudaErrorInvalidValue);
  cudaGetLastError();

  cudaGraphExec_t exec = launch_once(parent, stream);
  REQUIRE(all_equal(out, 70.f));

  // A clone of the parent clones its child graph too.
  cudaGraph_t copy;
  OK(cudaGraphClone(&copy, parent));
  std::fill(out.begin(), out.end(), -1.f);
  cudaGraphExec_t copyExec = launch_once(copy, stream);
  REQUIRE(all_equal(out, 70.f));
  OK(cudaGraphExecDestroy(copyExec));
  OK(cudaGraphDestroy(copy));

  // The executable graph's child takes a graph of the same shape: d = 4, then 4 * 3 + 1.
  cudaGraph_t other;
  OK(cudaGraphCreate(&other, 0));
  cudaGraphNode_t otherFill, otherScale;
  cudaMemsetParams four = fill_floats(d, 0x40800000, n);
  OK(cudaGraphAddMemsetNode(&otherFill, other, nullptr, 0, &four));
  factor = 3.f;
  offset = 1.f;
  OK(cudaGraphAddKernelNode(&otherScale, other, &otherFill, 1, &kernel));
  OK(cudaGraphExecChildGraphNodeSetParams(exec, inner, other));
  OK(cudaGraphLaunch(exec, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out, 130.f));
  // `child` now has three nodes: not the shape of the node's graph.
  EXPECT(cudaGraphExecChildGraphNodeSetParams(exec, inner, child), cudaErrorInvalidValue);
  cudaGetLastError();

  // Changing the node's own graph changes what later instantiations run: d = 1 -> 40.
  cudaGraphNode_t embeddedNodes[2];
  nodes = 2;
  OK(cudaGraphGetNodes(embedded, embeddedNodes, &nodes));
  OK(cudaGraphNodeGetType(embeddedNodes[0], &type));
  cudaGraphNode_t embeddedFill =
      type == cudaGraphNodeTypeMemset ? embeddedNodes[0] : embeddedNodes[1];
  cudaMemsetParams one = fill_floats(d, 0x3f800000, n);
  OK(cudaGraphMemsetNodeSetParams(embeddedFill, &one));
  OK(cudaGraphLaunch(exec, stream)); // instantiated before: still 130
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out, 130.f));
  cudaGraphExec_t fresh = launch_once(parent, stream);
  REQUIRE(all_equal(out, 40.f));

  OK(cudaGraphExecDestroy(fresh));
  OK(cudaGraphExecDestroy(exec));
  OK(cudaGraphDestroy(other));
  OK(cudaGraphDestroy(parent));
  OK(cudaGraphDestroy(child));
  OK(cudaStreamDestroy(stream));
  OK(cudaFree(d));
  std::printf("children ok\n");
  return 0;
}

// cudaGraphExecUpdate from a graph of the same shape, and its refusals; nodes disabled and
// enabled; parameters set through the generic cudaGraphNodeParams form and per kind, in graphs
// and in executable graphs; kernel node attributes; instantiation's result; a DOT dump; and
// capture into an existing graph.
static int updates() {
  const int n = 128;
  const size_t bytes = n * sizeof(float);
  float* d = nullptr;
  OK(cudaMalloc(&d, bytes));
  std::vector<float> out(n, -1.f), out2(n, -1.f);
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));

  // a: d = 1, copy to out. b: d = 5, copy to out2.
  cudaGraph_t a, b;
  cudaGraphNode_t fillA, copyA, fillB, copyB;
  cudaMemsetParams one = fill_floats(d, 0x3f800000, n), five = fill_floats(d, 0x40a00000, n);
  OK(cudaGraphCreate(&a, 0));
  OK(cudaGraphAddMemsetNode(&fillA, a, nullptr, 0, &one));
  OK(cudaGraphAddMemcpyNode1D(&copyA, a, &fillA, 1, out.data(), d, bytes, cudaMemcpyDeviceToHost));
  OK(cudaGraphCreate(&b, 0));
  OK(cudaGraphAddMemsetNode(&fillB, b, nullptr, 0, &five));
  OK(cudaGraphAddMemcpyNode1D(&copyB, b, &fillB, 1, out2.data(), d, bytes, cudaMemcpyDeviceToHost));
  cudaGraphExec_t exec = launch_once(a, stream);
  REQUIRE(all_equal(out, 1.f));

  cudaGraphExecUpdateResultInfo info = {};
  OK(cudaGraphExecUpdate(exec, b, &info));
  REQUIRE(info.result == cudaGraphExecUpdateSuccess);
  OK(cudaGraphLaunch(exec, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out2, 5.f) && all_equal(out, 1.f));

  // One node more: the topology changed, no node to blame.
  cudaGraphNode_t extra;
  OK(cudaGraphAddEmptyNode(&extra, b, &copyB, 1));
  EXPECT(cudaGraphExecUpdate(exec, b, &info), cudaErrorGraphExecUpdateFailure);
  REQUIRE(info.result == cudaGraphExecUpdateErrorTopologyChanged && info.errorNode == nullptr);
  cudaGetLastError();
  // A node of another kind where the memset was.
  cudaGraph_t retyped;
  cudaGraphNode_t kernelNode, copyC;
  OK(cudaGraphCreate(&retyped, 0));
  float factor = 2.f, offset = 0.f;
  int count = n;
  void* args[] = {&d, &factor, &offset, &count};
  cudaKernelNodeParams kernel = scale_node(args, n);
  OK(cudaGraphAddKernelNode(&kernelNode, retyped, nullptr, 0, &kernel));
  OK(cudaGraphAddMemcpyNode1D(&copyC, retyped, &kernelNode, 1, out.data(), d, bytes,
                              cudaMemcpyDeviceToHost));
  EXPECT(cudaGraphExecUpdate(exec, retyped, &info), cudaErrorGraphExecUpdateFailure);
  REQUIRE(info.result == cudaGraphExecUpdateErrorNodeTypeChanged && info.errorNode == kernelNode);
  cudaGetLastError();
  // The same nodes without their edge.
  cudaGraph_t loose;
  cudaGraphNode_t fillD, copyD;
  OK(cudaGraphCreate(&loose, 0));
  OK(cudaGraphAddMemsetNode(&fillD, loose, nullptr, 0, &one));
  OK(cudaGraphAddMemcpyNode1D(&copyD, loose, nullptr, 0, out.data(), d, bytes,
                              cudaMemcpyDeviceToHost));
  EXPECT(cudaGraphExecUpdate(exec, loose, &info), cudaErrorGraphExecUpdateFailure);
  REQUIRE(info.result == cudaGraphExecUpdateErrorTopologyChanged && info.errorNode == copyD);
  cudaGetLastError();

  // A disabled memset does not run: d keeps the 0 it was given.
  OK(cudaGraphNodeSetEnabled(exec, fillA, 0));
  unsigned enabled = 1;
  OK(cudaGraphNodeGetEnabled(exec, fillA, &enabled));
  REQUIRE(enabled == 0);
  OK(cudaMemset(d, 0, bytes));
  OK(cudaGraphLaunch(exec, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out2, 0.f));
  OK(cudaGraphNodeSetEnabled(exec, fillA, 1));
  OK(cudaGraphLaunch(exec, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out2, 5.f));

  // The generic form: a memset and a host node, set in the graph and in the executable graph.
  std::atomic<int> calls{0}, otherCalls{0};
  cudaGraph_t generic;
  OK(cudaGraphCreate(&generic, 0));
  cudaGraphNodeParams params = {};
  params.type = cudaGraphNodeTypeMemset;
  params.memset = {d, 0, 0x40400000 /* 3 */, 4, size_t(n), 1};
  cudaGraphNode_t fillG, hostG, copyG;
  OK(cudaGraphAddNode(&fillG, generic, nullptr, nullptr, 0, &params));
  cudaGraphNodeParams hostParams = {};
  hostParams.type = cudaGraphNodeTypeHost;
  hostParams.host = {count_call, &calls};
  OK(cudaGraphAddNode(&hostG, generic, &fillG, nullptr, 1, &hostParams));
  cudaGraphNodeParams copyParams = {};
  copyParams.type = cudaGraphNodeTypeMemcpy;
  copyParams.memcpy.copyParams.srcPtr = make_cudaPitchedPtr(d, bytes, n, 1);
  copyParams.memcpy.copyParams.dstPtr = make_cudaPitchedPtr(out.data(), bytes, n, 1);
  copyParams.memcpy.copyParams.extent = make_cudaExtent(bytes, 1, 1);
  copyParams.memcpy.copyParams.kind = cudaMemcpyDeviceToHost;
  OK(cudaGraphAddNode(&copyG, generic, &hostG, nullptr, 1, &copyParams));
  cudaGraphExec_t genericExec = launch_once(generic, stream);
  REQUIRE(all_equal(out, 3.f) && calls.load() == 1);
  params.memset.value = 0x40e00000; // 7
  OK(cudaGraphExecNodeSetParams(genericExec, fillG, &params));
  EXPECT(cudaGraphExecNodeSetParams(genericExec, hostG, &params), cudaErrorInvalidValue);
  EXPECT(cudaGraphNodeSetParams(hostG, &params), cudaErrorInvalidValue);
  cudaGetLastError();
  hostParams.host.userData = &otherCalls;
  OK(cudaGraphExecNodeSetParams(genericExec, hostG, &hostParams));
  OK(cudaGraphLaunch(genericExec, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out, 7.f) && calls.load() == 1 && otherCalls.load() == 1);
  params.memset.value = 0x41100000; // 9, in the graph only
  OK(cudaGraphNodeSetParams(fillG, &params));
  OK(cudaGraphLaunch(genericExec, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out, 7.f) && otherCalls.load() == 2);
  cudaGraphExec_t genericFresh = launch_once(generic, stream);
  REQUIRE(all_equal(out, 9.f) && calls.load() == 2);

  // Per-kind setters: the copy goes to out2 in the graph, to out in the executable graph.
  std::fill(out2.begin(), out2.end(), -1.f);
  OK(cudaGraphMemcpyNodeSetParams1D(copyG, out2.data(), d, bytes, cudaMemcpyDeviceToHost));
  cudaHostNodeParams typedHost = {count_call, &otherCalls};
  OK(cudaGraphHostNodeSetParams(hostG, &typedHost));
  cudaGraphExec_t retargeted = launch_once(generic, stream);
  REQUIRE(all_equal(out2, 9.f) && otherCalls.load() == 3);
  std::fill(out.begin(), out.end(), -1.f);
  OK(cudaGraphExecMemcpyNodeSetParams1D(retargeted, copyG, out.data(), d, bytes,
                                        cudaMemcpyDeviceToHost));
  OK(cudaGraphLaunch(retargeted, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out, 9.f));

  // Event nodes take other events, read back.
  cudaEvent_t first, second, read = nullptr;
  OK(cudaEventCreateWithFlags(&first, cudaEventDisableTiming));
  OK(cudaEventCreateWithFlags(&second, cudaEventDisableTiming));
  cudaGraphNode_t record;
  OK(cudaGraphAddEventRecordNode(&record, generic, &copyG, 1, first));
  OK(cudaGraphEventRecordNodeSetEvent(record, second));
  OK(cudaGraphEventRecordNodeGetEvent(record, &read));
  REQUIRE(read == second);
  EXPECT(cudaGraphEventWaitNodeSetEvent(record, first), cudaErrorInvalidValue);
  cudaGetLastError();
  cudaGraphExec_t withEvent = launch_once(generic, stream);
  OK(cudaGraphExecEventRecordNodeSetEvent(withEvent, record, first));
  OK(cudaGraphLaunch(withEvent, stream));
  OK(cudaStreamSynchronize(stream));
  OK(cudaGraphEventRecordNodeGetEvent(record, &read)); // the graph's node keeps its event
  REQUIRE(read == second);

  // Kernel node attributes read back as set, zero when unset, and copy between nodes.
  cudaKernelNodeAttrValue value = {};
  OK(cudaGraphKernelNodeGetAttribute(kernelNode, cudaKernelNodeAttributePriority, &value));
  REQUIRE(value.priority == 0);
  value.priority = 1;
  OK(cudaGraphKernelNodeSetAttribute(kernelNode, cudaKernelNodeAttributePriority, &value));
  cudaGraphNode_t secondKernel;
  OK(cudaGraphAddKernelNode(&secondKernel, retyped, &copyC, 1, &kernel));
  OK(cudaGraphKernelNodeCopyAttributes(secondKernel, kernelNode));
  value = {};
  OK(cudaGraphKernelNodeGetAttribute(secondKernel, cudaKernelNodeAttributePriority, &value));
  REQUIRE(value.priority == 1);
  EXPECT(cudaGraphKernelNodeGetAttribute(copyC, cudaKernelNodeAttributePriority, &value),
         cudaErrorInvalidValue);
  cudaGetLastError();

  // Instantiation reports its result, and the node that made it fail.
  cudaGraphInstantiateParams instantiate = {};
  cudaGraphExec_t withParams = nullptr;
  OK(cudaGraphInstantiateWithParams(&withParams, retyped, &instantiate));
  REQUIRE(instantiate.result_out == cudaGraphInstantiateSuccess && !instantiate.errNode_out);
  OK(cudaGraphExecDestroy(withParams));
  OK(cudaGraphAddDependencies(retyped, &secondKernel, &kernelNode, nullptr, 1)); // a cycle
  EXPECT(cudaGraphInstantiateWithParams(&withParams, retyped, &instantiate), cudaErrorInvalidValue);
  REQUIRE(instantiate.result_out == cudaGraphInstantiateInvalidStructure &&
          instantiate.errNode_out != nullptr);
  cudaGetLastError();

  // A DOT file of the graph.
  char path[] = "/tmp/graphs-dot-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  OK(cudaGraphDebugDotPrint(generic, path, cudaGraphDebugDotFlagsVerbose));
  FILE* dot = std::fopen(path, "r");
  REQUIRE(dot);
  char head[8] = {};
  REQUIRE(std::fread(head, 1, 7, dot) == 7 && !std::strcmp(head, "digraph"));
  std::fclose(dot);
  std::remove(path);

  // Capture into an existing graph, after one of its nodes: d = 1, then d * 2 + 1.
  cudaGraph_t into;
  cudaGraphNode_t start;
  OK(cudaGraphCreate(&into, 0));
  OK(cudaGraphAddMemsetNode(&start, into, nullptr, 0, &one));
  OK(cudaStreamBeginCaptureToGraph(stream, into, &start, nullptr, 1, cudaStreamCaptureModeGlobal));
  scale_add<<<(n + 255) / 256, 256, 0, stream>>>(d, 2.f, 1.f, n);
  OK(cudaMemcpyAsync(out.data(), d, bytes, cudaMemcpyDeviceToHost, stream));
  cudaGraph_t captured = nullptr;
  OK(cudaStreamEndCapture(stream, &captured));
  REQUIRE(captured == into);
  size_t nodes = 0;
  OK(cudaGraphGetNodes(into, nullptr, &nodes));
  REQUIRE(nodes == 3);
  cudaGraphExec_t intoExec = launch_once(into, stream);
  REQUIRE(all_equal(out, 3.f));

  for (cudaGraphExec_t e : {exec, genericExec, genericFresh, retargeted, withEvent, intoExec})
    OK(cudaGraphExecDestroy(e));
  for (cudaGraph_t g : {a, b, retyped, loose, generic, into})
    OK(cudaGraphDestroy(g));
  OK(cudaEventDestroy(first));
  OK(cudaEventDestroy(second));
  OK(cudaStreamDestroy(stream));
  OK(cudaFree(d));
  std::printf("updates ok\n");
  return 0;
}

static uint64_t graph_memory(cudaGraphMemAttributeType attr) {
  uint64_t value = ~0ull;
  OK(cudaDeviceGetGraphMemAttribute(0, attr, &value));
  return value;
}

// Memory allocation and free nodes, built and captured from cudaMallocAsync/cudaFreeAsync: the
// address is fixed, the memory is usable between the nodes, a graph whose allocation outlives
// its launch cannot be relaunched until it is freed, and the device's graph memory figures
// follow.
static int memory() {
  const int n = 512;
  const size_t bytes = n * sizeof(float);
  std::vector<float> out(n, -1.f);
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));

  cudaGraph_t graph;
  OK(cudaGraphCreate(&graph, 0));
  cudaMemAllocNodeParams alloc = {};
  alloc.poolProps.allocType = cudaMemAllocationTypePinned;
  alloc.poolProps.location = {cudaMemLocationTypeDevice, 0};
  alloc.bytesize = bytes;
  cudaGraphNode_t allocNode, fill, back, freeNode;
  OK(cudaGraphAddMemAllocNode(&allocNode, graph, nullptr, 0, &alloc));
  float* d = static_cast<float*>(alloc.dptr);
  REQUIRE(d != nullptr);
  cudaMemsetParams six = fill_floats(d, 0x40c00000, n);
  OK(cudaGraphAddMemsetNode(&fill, graph, &allocNode, 1, &six));
  OK(cudaGraphAddMemcpyNode1D(&back, graph, &fill, 1, out.data(), d, bytes,
                              cudaMemcpyDeviceToHost));
  OK(cudaGraphAddMemFreeNode(&freeNode, graph, &back, 1, d));
  EXPECT(cudaGraphAddMemFreeNode(&freeNode, graph, &back, 1, d), cudaErrorInvalidValue); // twice
  int notGraphMemory = 0;
  EXPECT(cudaGraphAddMemFreeNode(&freeNode, graph, &back, 1, &notGraphMemory),
         cudaErrorInvalidValue);
  cudaGetLastError();
  cudaMemAllocNodeParams read = {};
  OK(cudaGraphMemAllocNodeGetParams(allocNode, &read));
  REQUIRE(read.dptr == d && read.bytesize == bytes &&
          read.poolProps.location.type == cudaMemLocationTypeDevice);
  void* freed = nullptr;
  OK(cudaGraphMemFreeNodeGetParams(freeNode, &freed));
  REQUIRE(freed == d);

  // Such a graph cannot be cloned, lose nodes, or have two executable graphs at once.
  cudaGraph_t clone = nullptr;
  REQUIRE(cudaGraphClone(&clone, graph) != cudaSuccess);
  REQUIRE(cudaGraphDestroyNode(back) != cudaSuccess);
  cudaGetLastError();
  cudaGraphExec_t exec = launch_once(graph, stream);
  cudaGraphExec_t second = nullptr;
  REQUIRE(cudaGraphInstantiate(&second, graph, 0) != cudaSuccess);
  cudaGetLastError();
  REQUIRE(all_equal(out, 6.f));
  std::fill(out.begin(), out.end(), -1.f);
  OK(cudaGraphLaunch(exec, stream)); // freed in the graph: relaunching is fine
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out, 6.f));
  REQUIRE(graph_memory(cudaGraphMemAttrUsedMemCurrent) == 0);
  REQUIRE(graph_memory(cudaGraphMemAttrUsedMemHigh) >= bytes);
  REQUIRE(graph_memory(cudaGraphMemAttrReservedMemHigh) >= bytes);
  OK(cudaGraphExecDestroy(exec));
  OK(cudaGraphDestroy(graph));

  // An allocation that outlives the launch: in use until cudaFreeAsync.
  OK(cudaGraphCreate(&graph, 0));
  OK(cudaGraphAddMemAllocNode(&allocNode, graph, nullptr, 0, &alloc));
  float* kept = static_cast<float*>(alloc.dptr);
  six.dst = kept;
  OK(cudaGraphAddMemsetNode(&fill, graph, &allocNode, 1, &six));
  exec = launch_once(graph, stream);
  REQUIRE(graph_memory(cudaGraphMemAttrUsedMemCurrent) >= bytes);
  EXPECT(cudaGraphLaunch(exec, stream), cudaErrorInvalidValue); // still allocated
  cudaGetLastError();
  OK(cudaMemcpyAsync(out.data(), kept, bytes, cudaMemcpyDeviceToHost, stream));
  OK(cudaFreeAsync(kept, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out, 6.f));
  REQUIRE(graph_memory(cudaGraphMemAttrUsedMemCurrent) == 0);
  OK(cudaGraphLaunch(exec, stream));
  OK(cudaStreamSynchronize(stream));
  OK(cudaGraphExecDestroy(exec));
  // Instantiated to free at each launch, it relaunches.
  OK(cudaGraphInstantiateWithFlags(&exec, graph, cudaGraphInstantiateFlagAutoFreeOnLaunch));
  OK(cudaGraphLaunch(exec, stream));
  OK(cudaGraphLaunch(exec, stream));
  OK(cudaStreamSynchronize(stream));
  OK(cudaFree(kept));
  OK(cudaGraphExecDestroy(exec));
  OK(cudaGraphDestroy(graph));
  OK(cudaDeviceGraphMemTrim(0));
  REQUIRE(graph_memory(cudaGraphMemAttrReservedMemCurrent) == 0);

  // Captured: cudaMallocAsync and cudaFreeAsync become allocation and free nodes.
  unsigned char* pinned = nullptr;
  OK(cudaMallocHost(&pinned, bytes));
  OK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal));
  void* scratch = nullptr;
  OK(cudaMallocAsync(&scratch, bytes, stream));
  OK(cudaMemsetAsync(scratch, 0x5a, bytes, stream));
  OK(cudaMemcpyAsync(pinned, scratch, bytes, cudaMemcpyDeviceToHost, stream));
  OK(cudaFreeAsync(scratch, stream));
  OK(cudaStreamEndCapture(stream, &graph));
  size_t nodes = 0;
  OK(cudaGraphGetNodes(graph, nullptr, &nodes));
  REQUIRE(nodes == 4);
  cudaGraphNode_t roots[1];
  nodes = 1;
  OK(cudaGraphGetRootNodes(graph, roots, &nodes));
  cudaGraphNodeType type;
  OK(cudaGraphNodeGetType(roots[0], &type));
  REQUIRE(nodes == 1 && type == cudaGraphNodeTypeMemAlloc);
  exec = launch_once(graph, stream);
  bool all = true;
  for (size_t i = 0; i < bytes; ++i)
    all &= pinned[i] == 0x5a;
  REQUIRE(all);
  OK(cudaGraphExecDestroy(exec));
  OK(cudaGraphDestroy(graph));
  OK(cudaFreeHost(pinned));
  OK(cudaStreamDestroy(stream));
  std::printf("memory ok\n");
  return 0;
}

// Conditional nodes: IF/ELSE, WHILE and SWITCH bodies chosen by the condition a kernel set with
// cudaGraphSetConditional, or by the handle's default at each launch.
static int conditionals() {
  const int n = 64;
  const size_t bytes = n * sizeof(float);
  float* d = nullptr;
  int* counter = nullptr;
  OK(cudaMalloc(&d, bytes));
  OK(cudaMalloc(&counter, sizeof(int)));
  std::vector<float> out(n, -1.f);
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));

  // if (kernel said so) d = 1 else d = 2; then copy back.
  cudaGraph_t branch;
  OK(cudaGraphCreate(&branch, 0));
  cudaGraphConditionalHandle handle;
  OK(cudaGraphConditionalHandleCreate(&handle, branch, 0, 0));
  unsigned value = 1;
  void* setArgs[] = {&handle, &value};
  cudaKernelNodeParams setter = {};
  setter.func = reinterpret_cast<void*>(set_condition);
  setter.gridDim = dim3(1);
  setter.blockDim = dim3(32);
  setter.kernelParams = setArgs;
  cudaGraphNode_t decide, choose, back;
  OK(cudaGraphAddKernelNode(&decide, branch, nullptr, 0, &setter));
  cudaGraphNodeParams params = {};
  params.type = cudaGraphNodeTypeConditional;
  params.conditional.handle = handle;
  params.conditional.type = cudaGraphCondTypeIf;
  params.conditional.size = 2;
  OK(cudaGraphAddNode(&choose, branch, &decide, nullptr, 1, &params));
  cudaGraph_t thenBody = params.conditional.phGraph_out[0];
  cudaGraph_t elseBody = params.conditional.phGraph_out[1];
  cudaGraphNode_t unused;
  cudaMemsetParams one = fill_floats(d, 0x3f800000, n), two = fill_floats(d, 0x40000000, n);
  OK(cudaGraphAddMemsetNode(&unused, thenBody, nullptr, 0, &one));
  OK(cudaGraphAddMemsetNode(&unused, elseBody, nullptr, 0, &two));
  OK(cudaGraphAddMemcpyNode1D(&back, branch, &choose, 1, out.data(), d, bytes,
                              cudaMemcpyDeviceToHost));
  cudaGraphExec_t exec = launch_once(branch, stream);
  REQUIRE(all_equal(out, 1.f));
  value = 0;
  OK(cudaGraphExecKernelNodeSetParams(exec, decide, &setter));
  OK(cudaGraphLaunch(exec, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(all_equal(out, 2.f));
  // Such a graph has one executable graph at a time, no clone, and is no child.
  cudaGraph_t other = nullptr;
  cudaGraphExec_t second = nullptr;
  REQUIRE(cudaGraphClone(&other, branch) != cudaSuccess);
  REQUIRE(cudaGraphInstantiate(&second, branch, 0) != cudaSuccess);
  OK(cudaGraphCreate(&other, 0));
  REQUIRE(cudaGraphAddChildGraphNode(&unused, other, nullptr, 0, branch) != cudaSuccess);
  cudaGetLastError();
  OK(cudaGraphDestroy(other));
  OK(cudaGraphExecDestroy(exec));
  OK(cudaGraphDestroy(branch));

  // while (count < 5) count++, the loop's condition starting at 1 at every launch.
  cudaGraph_t loop;
  OK(cudaGraphCreate(&loop, 0));
  OK(cudaGraphConditionalHandleCreate(&handle, loop, 1, cudaGraphCondAssignDefault));
  cudaGraphNode_t reset, repeat, step, result;
  cudaMemsetParams zero = {};
  zero.dst = counter;
  zero.elementSize = 4;
  zero.width = 1;
  zero.height = 1;
  OK(cudaGraphAddMemsetNode(&reset, loop, nullptr, 0, &zero));
  params.conditional.handle = handle;
  params.conditional.type = cudaGraphCondTypeWhile;
  params.conditional.size = 1;
  OK(cudaGraphAddNode(&repeat, loop, &reset, nullptr, 1, &params));
  int limit = 5;
  void* countArgs[] = {&counter, &handle, &limit};
  cudaKernelNodeParams counting = setter;
  counting.func = reinterpret_cast<void*>(count_up);
  counting.kernelParams = countArgs;
  OK(cudaGraphAddKernelNode(&step, params.conditional.phGraph_out[0], nullptr, 0, &counting));
  int count = -1;
  OK(cudaGraphAddMemcpyNode1D(&result, loop, &repeat, 1, &count, counter, sizeof(int),
                              cudaMemcpyDeviceToHost));
  exec = launch_once(loop, stream);
  REQUIRE(count == 5);
  count = -1;
  OK(cudaGraphLaunch(exec, stream)); // the default brings the condition back to 1
  OK(cudaStreamSynchronize(stream));
  REQUIRE(count == 5);
  OK(cudaGraphExecDestroy(exec));
  OK(cudaGraphDestroy(loop));

  // switch (2): the third of three bodies.
  cudaGraph_t cases;
  OK(cudaGraphCreate(&cases, 0));
  OK(cudaGraphConditionalHandleCreate(&handle, cases, 2, cudaGraphCondAssignDefault));
  params.conditional.handle = handle;
  params.conditional.type = cudaGraphCondTypeSwitch;
  params.conditional.size = 3;
  cudaGraphNode_t pick;
  OK(cudaGraphAddNode(&pick, cases, nullptr, nullptr, 0, &params));
  const unsigned bits[] = {0x41200000, 0x41a00000, 0x41f00000}; // 10, 20, 30
  for (int i = 0; i < 3; ++i) {
    cudaMemsetParams fill = fill_floats(d, bits[i], n);
    OK(cudaGraphAddMemsetNode(&unused, params.conditional.phGraph_out[i], nullptr, 0, &fill));
  }
  OK(cudaGraphAddMemcpyNode1D(&back, cases, &pick, 1, out.data(), d, bytes,
                              cudaMemcpyDeviceToHost));
  exec = launch_once(cases, stream);
  REQUIRE(all_equal(out, 30.f));
  OK(cudaGraphExecDestroy(exec));
  OK(cudaGraphDestroy(cases));

  OK(cudaStreamDestroy(stream));
  OK(cudaFree(d));
  OK(cudaFree(counter));
  std::printf("conditionals ok\n");
  return 0;
}

int main(int argc, char** argv) {
  const char* section = argc > 1 ? argv[1] : "";
  if (!std::strcmp(section, "built"))
    return built();
  if (!std::strcmp(section, "captured"))
    return captured();
  if (!std::strcmp(section, "illegal"))
    return illegal();
  if (!std::strcmp(section, "children"))
    return children();
  if (!std::strcmp(section, "updates"))
    return updates();
  if (!std::strcmp(section, "memory"))
    return memory();
  if (!std::strcmp(section, "conditionals"))
    return conditionals();
  std::printf("usage: graphs built|captured|illegal|children|updates|memory|conditionals\n");
  return 2;
}

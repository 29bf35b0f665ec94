// CUDA graphs as programs use them: built node by node, captured from streams (with a fork
// and join across streams), instantiated, updated and relaunched; and the errors CUDA gives
// for what a capture forbids. Run as `graphs SECTION`; each checks its own results.
#include "Check.cuh"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <cuda_runtime.h>
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

int main(int argc, char** argv) {
  const char* section = argc > 1 ? argv[1] : "";
  if (!std::strcmp(section, "built"))
    return built();
  if (!std::strcmp(section, "captured"))
    return captured();
  if (!std::strcmp(section, "illegal"))
    return illegal();
  std::printf("usage: graphs built|captured|illegal\n");
  return 2;
}

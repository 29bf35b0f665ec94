// Libraries and kernels by handle (CUDA 12+ library management): device code built apart from
// the program (library_kernels.cu as PTX text, a fatbin with PTX and an sm_80 cubin, beside this
// program) is loaded by data and by file; its kernels, as cudaKernel_t, launch and answer
// every function API; its globals are copied to and from. Also cudaGetKernel for the program's
// own kernels and cudaGetDriverEntryPoint for a symbol no driver has.
#include "Check.cuh"

#include <climits>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

extern "C" __global__ void own_triple(float* out, const float* in) {
  out[threadIdx.x] = 3.0f * in[threadIdx.x];
}

namespace {

constexpr int kCount = 256;

// The build puts the library files beside the program.
std::string besideProgram(const char* name) {
  char path[PATH_MAX] = {};
  REQUIRE(readlink("/proc/self/exe", path, sizeof path - 1) > 0);
  std::string directory(path);
  return directory.substr(0, directory.rfind('/') + 1) + name;
}

std::vector<char> readFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  REQUIRE(file.good());
  std::vector<char> bytes{std::istreambuf_iterator<char>(file), {}};
  bytes.push_back('\0'); // PTX text is passed as a C string
  return bytes;
}

struct Buffers {
  float* in = nullptr;
  float* out = nullptr;
  std::vector<float> host = std::vector<float>(kCount);
  Buffers() {
    for (int i = 0; i < kCount; ++i)
      host[i] = float(i);
    OK(cudaMalloc(&in, kCount * sizeof(float)));
    OK(cudaMalloc(&out, kCount * sizeof(float)));
    OK(cudaMemcpy(in, host.data(), kCount * sizeof(float), cudaMemcpyHostToDevice));
  }
  ~Buffers() {
    OK(cudaFree(in));
    OK(cudaFree(out));
  }
  std::vector<float> result() const {
    std::vector<float> values(kCount);
    OK(cudaMemcpy(values.data(), out, kCount * sizeof(float), cudaMemcpyDeviceToHost));
    return values;
  }
};

// Every kernel of library_kernels.cu, each once, whatever order the library lists them in.
void checkEnumeration(cudaLibrary_t library) {
  unsigned count = 0;
  OK(cudaLibraryGetKernelCount(&count, library));
  REQUIRE(count == 3);
  std::vector<cudaKernel_t> kernels(count);
  OK(cudaLibraryEnumerateKernels(kernels.data(), count, library));
  std::set<std::string> names;
  for (cudaKernel_t kernel : kernels) {
    const char* name = nullptr;
    OK(cudaFuncGetName(&name, reinterpret_cast<const void*>(kernel)));
    names.insert(name);
  }
  REQUIRE((names == std::set<std::string>{"add_bias", "count_hits", "reverse_shared"}));
  EXPECT(cudaLibraryGetKernelCount(nullptr, library), cudaErrorInvalidValue);
}

// add_bias through cudaLaunchKernel with the cudaKernel_t as its function, after the library's
// `bias` global is written through the pointer cudaLibraryGetGlobal returns.
void addBias(cudaLibrary_t library, float value) {
  cudaKernel_t kernel;
  OK(cudaLibraryGetKernel(&kernel, library, "add_bias"));
  void* bias = nullptr;
  size_t size = 0;
  OK(cudaLibraryGetGlobal(&bias, &size, library, "bias"));
  REQUIRE(bias && size == sizeof(float));
  OK(cudaMemcpy(bias, &value, sizeof value, cudaMemcpyHostToDevice));
  float back = 0;
  OK(cudaMemcpy(&back, bias, sizeof back, cudaMemcpyDeviceToHost));
  REQUIRE(back == value);

  Buffers buffers;
  int n = kCount;
  void* args[] = {&buffers.out, &buffers.in, &n};
  OK(cudaLaunchKernel(reinterpret_cast<const void*>(kernel), dim3(kCount / 64), dim3(64), args, 0,
                      0));
  OK(cudaDeviceSynchronize());
  std::vector<float> out = buffers.result();
  for (int i = 0; i < kCount; ++i)
    REQUIRE(out[i] == buffers.host[i] + value);
}

void checkMissing(cudaLibrary_t library) {
  cudaKernel_t kernel;
  EXPECT(cudaLibraryGetKernel(&kernel, library, "no_such_kernel"), cudaErrorSymbolNotFound);
  void* pointer = nullptr;
  size_t size = 0;
  EXPECT(cudaLibraryGetGlobal(&pointer, &size, library, "no_such_global"), cudaErrorSymbolNotFound);
  EXPECT(cudaLibraryGetGlobal(nullptr, nullptr, library, "bias"), cudaErrorInvalidValue);
  // `bias` is a global but not managed memory.
  EXPECT(cudaLibraryGetManaged(&pointer, &size, library, "bias"), cudaErrorSymbolNotFound);
  // No device of either kind has unified function pointers.
  EXPECT(cudaLibraryGetUnifiedFunction(&pointer, library, "add_bias"), cudaErrorSymbolNotFound);
  // Each failure is an ordinary error: the last one is reported once, then cleared.
  EXPECT(cudaGetLastError(), cudaErrorSymbolNotFound);
  OK(cudaGetLastError());
}

// PTX text and a fatbin, both handed over as bytes; JIT options are accepted and the wall time
// the JIT took is reported back.
int byData() {
  for (const char* file : {"library_kernels.ptx", "library_kernels.fatbin"}) {
    std::vector<char> code = readFile(besideProgram(file));
    cudaJitOption options[] = {cudaJitWallTime, cudaJitOptimizationLevel};
    float wallTime = -1.0f;
    void* values[2] = {};
    std::memcpy(&values[0], &wallTime, sizeof wallTime);
    values[1] = reinterpret_cast<void*>(uintptr_t(3));
    cudaLibrary_t library;
    OK(cudaLibraryLoadData(&library, code.data(), options, values, 2, nullptr, nullptr, 0));
    std::memcpy(&wallTime, &values[0], sizeof wallTime);
    REQUIRE(wallTime >= 0.0f);
    checkEnumeration(library);
    addBias(library, 1.5f);
    checkMissing(library);
    OK(cudaLibraryUnload(library));
  }
  std::printf("libraries by data ok\n");
  return 0;
}

// A library loaded from a file: its kernels through cudaLaunchKernelExC, attributes, occupancy,
// a graph kernel node, and its __managed__ variable read by the host.
int byFile() {
  cudaLibrary_t library;
  std::string ptx = besideProgram("library_kernels.ptx");
  cudaLibraryOption preserved = cudaLibraryBinaryIsPreserved;
  void* yes = reinterpret_cast<void*>(uintptr_t(1));
  // Preserving the caller's copy means nothing for a file.
  EXPECT(cudaLibraryLoadFromFile(&library, ptx.c_str(), nullptr, nullptr, 0, &preserved, &yes, 1),
         cudaErrorInvalidValue);
  OK(cudaLibraryLoadFromFile(&library, besideProgram("library_kernels.fatbin").c_str(), nullptr,
                             nullptr, 0, nullptr, nullptr, 0));
  checkEnumeration(library);
  addBias(library, -2.0f);

  cudaKernel_t reverse;
  OK(cudaLibraryGetKernel(&reverse, library, "reverse_shared"));
  const void* func = reinterpret_cast<const void*>(reverse);
  cudaFuncAttributes attributes;
  OK(cudaFuncGetAttributes(&attributes, func));
  REQUIRE(attributes.maxThreadsPerBlock >= kCount && attributes.sharedSizeBytes == 0);
  int blocks = 0;
  OK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, func, kCount, kCount * sizeof(float)));
  REQUIRE(blocks >= 1);
  // Beyond the default 48 KiB of dynamic shared memory only after opting in, on each device.
  constexpr int kLarge = 64 * 1024;
  OK(cudaKernelSetAttributeForDevice(reverse, cudaFuncAttributeMaxDynamicSharedMemorySize, kLarge,
                                     0));
  EXPECT(cudaKernelSetAttributeForDevice(reverse, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         kLarge, 99),
         cudaErrorInvalidValue); // its documented errors: invalid function or value
  OK(cudaFuncGetAttributes(&attributes, func));
  REQUIRE(attributes.maxDynamicSharedSizeBytes == kLarge);

  Buffers buffers;
  void* args[] = {&buffers.out, &buffers.in};
  cudaLaunchConfig_t config = {};
  config.gridDim = dim3(1);
  config.blockDim = dim3(kCount);
  config.dynamicSmemBytes = kLarge;
  OK(cudaLaunchKernelExC(&config, func, args));
  OK(cudaDeviceSynchronize());
  std::vector<float> out = buffers.result();
  for (int i = 0; i < kCount; ++i)
    REQUIRE(out[i] == buffers.host[kCount - 1 - i]);

  // The same kernel as a graph's kernel node, into a cleared output.
  OK(cudaMemset(buffers.out, 0, kCount * sizeof(float)));
  cudaGraph_t graph;
  OK(cudaGraphCreate(&graph, 0));
  cudaKernelNodeParams node = {};
  node.func = const_cast<void*>(func);
  node.gridDim = dim3(1);
  node.blockDim = dim3(kCount);
  node.sharedMemBytes = kCount * sizeof(float);
  node.kernelParams = args;
  cudaGraphNode_t kernelNode;
  OK(cudaGraphAddKernelNode(&kernelNode, graph, nullptr, 0, &node));
  cudaGraphExec_t exec;
  OK(cudaGraphInstantiate(&exec, graph, 0));
  OK(cudaGraphLaunch(exec, 0));
  OK(cudaStreamSynchronize(0));
  out = buffers.result();
  for (int i = 0; i < kCount; ++i)
    REQUIRE(out[i] == buffers.host[kCount - 1 - i]);
  OK(cudaGraphExecDestroy(exec));
  OK(cudaGraphDestroy(graph));

  // The library's __managed__ variable, written by a kernel and read by the host.
  int* hits = nullptr;
  size_t size = 0;
  OK(cudaLibraryGetManaged(reinterpret_cast<void**>(&hits), &size, library, "hits"));
  REQUIRE(hits && size == sizeof(int));
  *hits = 0;
  cudaKernel_t count;
  OK(cudaLibraryGetKernel(&count, library, "count_hits"));
  int n = 3;
  void* countArgs[] = {&n};
  OK(cudaLaunchKernel(reinterpret_cast<const void*>(count), dim3(2), dim3(32), countArgs, 0, 0));
  OK(cudaDeviceSynchronize());
  REQUIRE(*hits == 2 * 32 * 3);

  OK(cudaLibraryUnload(library));
  std::printf("libraries by file ok\n");
  return 0;
}

// cudaGetKernel: the program's own __global__ function as a cudaKernel_t, which launches and
// answers queries as its host stub does.
int ownKernel() {
  cudaKernel_t kernel;
  OK(cudaGetKernel(&kernel, reinterpret_cast<const void*>(own_triple)));
  EXPECT(cudaGetKernel(nullptr, reinterpret_cast<const void*>(own_triple)), cudaErrorInvalidValue);
  const void* func = reinterpret_cast<const void*>(kernel);
  const char* name = nullptr;
  OK(cudaFuncGetName(&name, func));
  REQUIRE(std::strcmp(name, "own_triple") == 0);
  cudaFuncAttributes attributes;
  OK(cudaFuncGetAttributes(&attributes, func));
  REQUIRE(attributes.maxThreadsPerBlock >= kCount);
  Buffers buffers;
  void* args[] = {&buffers.out, &buffers.in};
  OK(cudaLaunchKernel(func, dim3(1), dim3(kCount), args, 0, 0));
  OK(cudaDeviceSynchronize());
  std::vector<float> out = buffers.result();
  for (int i = 0; i < kCount; ++i)
    REQUIRE(out[i] == 3.0f * buffers.host[i]);
  std::printf("own kernel ok\n");
  return 0;
}

// A library whose `pm_event` Drawbridge cannot compile: its launches alone fail (with
// cudaErrorInvalidPtx, not sticky) and `negate` runs. On an NVIDIA GPU both run; the section
// accepts both and prints which happened.
int contained() {
  cudaLibrary_t library;
  OK(cudaLibraryLoadFromFile(&library, besideProgram("library_contained.ptx").c_str(), nullptr,
                             nullptr, 0, nullptr, nullptr, 0));
  Buffers buffers;
  cudaKernel_t bad, good;
  OK(cudaLibraryGetKernel(&bad, library, "pm_event"));
  OK(cudaLibraryGetKernel(&good, library, "negate"));
  void* badArgs[] = {&buffers.out};
  cudaError_t launched =
      cudaLaunchKernel(reinterpret_cast<const void*>(bad), dim3(1), dim3(kCount), badArgs, 0, 0);
  REQUIRE(launched == cudaSuccess || launched == cudaErrorInvalidPtx);
  std::printf("pm_event: %s\n", cudaGetErrorString(launched));
  (void)cudaGetLastError();
  void* args[] = {&buffers.out, &buffers.in};
  OK(cudaLaunchKernel(reinterpret_cast<const void*>(good), dim3(1), dim3(kCount), args, 0, 0));
  OK(cudaDeviceSynchronize());
  std::vector<float> out = buffers.result();
  for (int i = 0; i < kCount; ++i)
    REQUIRE(out[i] == -buffers.host[i]);
  OK(cudaLibraryUnload(library));
  std::printf("libraries contained ok\n");
  return 0;
}

// A symbol no CUDA driver exports: found by no runtime, so CUDA answers cudaSuccess with a NULL
// pointer and says why in driverStatus.
int entryPoints() {
  void* function = reinterpret_cast<void*>(1);
  cudaDriverEntryPointQueryResult status = cudaDriverEntryPointSuccess;
  // Deprecated in CUDA 13 in favour of ...ByVersion, and still called by programs.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  OK(cudaGetDriverEntryPoint("cuDrawbridgeNoSuchFunction", &function, cudaEnableDefault, &status));
#pragma GCC diagnostic pop
  REQUIRE(function == nullptr && status == cudaDriverEntryPointSymbolNotFound);
  function = reinterpret_cast<void*>(1);
  status = cudaDriverEntryPointSuccess;
  OK(cudaGetDriverEntryPointByVersion("cuDrawbridgeNoSuchFunction", &function, 13000,
                                      cudaEnableDefault, &status));
  REQUIRE(function == nullptr && status == cudaDriverEntryPointSymbolNotFound);
  std::printf("entry points ok\n");
  return 0;
}

// DRAWBRIDGE-ONLY(no-driver): no driver sits below Drawbridge's runtime, so even cuMemAlloc is
// not found (NVIDIA's runtime finds it), and a program falls back to the runtime API.
int noDriver() {
  void* function = reinterpret_cast<void*>(1);
  cudaDriverEntryPointQueryResult status = cudaDriverEntryPointSuccess;
  OK(cudaGetDriverEntryPointByVersion("cuMemAlloc", &function, 13000, cudaEnableDefault, &status));
  REQUIRE(function == nullptr && status == cudaDriverEntryPointSymbolNotFound);
  std::printf("no driver ok\n");
  return 0;
}

// DRAWBRIDGE-ONLY(cubin): a cubin holds SASS for one GPU and no PTX, which Drawbridge cannot run
// (an sm_80 GPU would run it); loading it fails with cudaErrorNoKernelImageForDevice.
int cubin() {
  cudaLibrary_t library;
  EXPECT(cudaLibraryLoadFromFile(&library, besideProgram("library_kernels.cubin").c_str(), nullptr,
                                 nullptr, 0, nullptr, nullptr, 0),
         cudaErrorNoKernelImageForDevice);
  std::vector<char> code = readFile(besideProgram("library_kernels.cubin"));
  EXPECT(cudaLibraryLoadData(&library, code.data(), nullptr, nullptr, 0, nullptr, nullptr, 0),
         cudaErrorNoKernelImageForDevice);
  std::printf("cubin refused ok\n");
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  const char* section = argc > 1 ? argv[1] : "";
  if (!std::strcmp(section, "by-data"))
    return byData();
  if (!std::strcmp(section, "by-file"))
    return byFile();
  if (!std::strcmp(section, "own-kernel"))
    return ownKernel();
  if (!std::strcmp(section, "contained"))
    return contained();
  if (!std::strcmp(section, "entry-points"))
    return entryPoints();
  if (!std::strcmp(section, "no-driver"))
    return noDriver();
  if (!std::strcmp(section, "cubin"))
    return cubin();
  std::printf(
      "usage: libraries by-data|by-file|own-kernel|contained|entry-points|no-driver|cubin\n");
  return 2;
}

// Cooperative launch with grid-wide synchronisation, the occupancy queries that size it, and
// the kernel attributes and launch entry points around them. Run as `cooperative SECTION`.
#include "Check.cuh"

#include <cooperative_groups.h>
#include <cstdio>
#include <cstring>
#include <cuda_runtime.h>
#include <vector>

namespace cg = cooperative_groups;

// Each round every block reads what all blocks wrote in the previous round; without a working
// grid barrier some block reads a stale value and the sums come out wrong.
__global__ void rounds(int* values, int* sums, int rounds) {
  cg::grid_group grid = cg::this_grid();
  int block = blockIdx.x;
  int blocks = gridDim.x;
  for (int r = 0; r < rounds; ++r) {
    if (threadIdx.x == 0)
      values[r * blocks + block] = (r + 1) * (block + 1);
    grid.sync();
    if (threadIdx.x == 0) {
      int sum = 0;
      for (int b = 0; b < blocks; ++b)
        sum += values[r * blocks + b];
      sums[r * blocks + block] = sum;
    }
    grid.sync();
  }
}

// Block 1 traps before the first grid barrier, which the other blocks then wait at for ever
// unless the runtime releases them.
__global__ void traps_before_sync(int* values) {
  cg::grid_group grid = cg::this_grid();
  if (blockIdx.x == 1)
    __trap();
  for (int r = 0; r < 4; ++r) {
    values[blockIdx.x] = r;
    grid.sync();
  }
}

__global__ void validity(int* valid) {
  if (threadIdx.x == 0 && blockIdx.x == 0)
    *valid = cg::this_grid().is_valid() ? 1 : 0;
}

struct Pair {
  double weight;
  int index;
};

// Its parameters as PTX lays them out: a byte at 0, the 8-aligned struct at 8, the pointer at 24.
__global__ void takes_pair(char tag, Pair pair, int* out) {
  out[pair.index] = static_cast<int>(pair.weight) + tag;
}

__global__ void uses_shared(int* out) {
  extern __shared__ int scratch[];
  int n = 64 * 1024 / sizeof(int);
  for (int i = threadIdx.x; i < n; i += blockDim.x)
    scratch[i] = i;
  __syncthreads();
  if (threadIdx.x == 0)
    *out = scratch[n - 1];
}

// What `rounds` leaves in `sums` when every grid barrier held.
static void requireRoundSums(const int* sums, int count, int blocks) {
  std::vector<int> host(count * blocks);
  OK(cudaMemcpy(host.data(), sums, host.size() * sizeof(int), cudaMemcpyDeviceToHost));
  for (int r = 0; r < count; ++r)
    for (int b = 0; b < blocks; ++b)
      REQUIRE(host[r * blocks + b] == (r + 1) * blocks * (blocks + 1) / 2);
}

static int grid_sync() {
  int device = 0, multiprocessors = 0, supported = 0;
  OK(cudaDeviceGetAttribute(&supported, cudaDevAttrCooperativeLaunch, device));
  OK(cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, device));
  REQUIRE(supported == 1);
  int perMultiprocessor = 0;
  OK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&perMultiprocessor, rounds, 64, 0));
  REQUIRE(perMultiprocessor >= 1);
  int blocks = perMultiprocessor * multiprocessors;
  std::printf("cooperative grid of %d blocks\n", blocks);
  const int count = 50;
  int *values = nullptr, *sums = nullptr;
  OK(cudaMalloc(&values, count * blocks * sizeof(int)));
  OK(cudaMalloc(&sums, count * blocks * sizeof(int)));
  OK(cudaMemset(sums, 0, count * blocks * sizeof(int)));
  int n = count;
  void* args[] = {&values, &sums, &n};
  OK(cudaLaunchCooperativeKernel(reinterpret_cast<void*>(rounds), blocks, 64, args, 0, 0));
  OK(cudaDeviceSynchronize());
  requireRoundSums(sums, count, blocks);

  // The same through cudaLaunchKernelExC with the cooperative attribute.
  OK(cudaMemset(sums, 0, count * blocks * sizeof(int)));
  cudaLaunchAttribute attribute;
  attribute.id = cudaLaunchAttributeCooperative;
  attribute.val.cooperative = 1;
  cudaLaunchConfig_t config = {};
  config.gridDim = blocks;
  config.blockDim = 64;
  config.attrs = &attribute;
  config.numAttrs = 1;
  OK(cudaLaunchKernelEx(&config, rounds, values, sums, count));
  requireRoundSums(sums, count, blocks);

  // One block more than fits at once cannot be cooperative.
  EXPECT(cudaLaunchCooperativeKernel(reinterpret_cast<void*>(rounds), blocks + 1, 64, args, 0, 0),
         cudaErrorCooperativeLaunchTooLarge);
  cudaGetLastError();

  // grid.is_valid(): CUDA 13 gives every launch a grid workspace, so it is true in an ordinary
  // launch as well as a cooperative one (measured on an H200).
  int* valid = nullptr;
  OK(cudaMallocManaged(&valid, sizeof(int)));
  *valid = -1;
  validity<<<2, 32>>>(valid);
  OK(cudaDeviceSynchronize());
  REQUIRE(*valid == 1);
  *valid = -1;
  void* validArgs[] = {&valid};
  OK(cudaLaunchCooperativeKernel(reinterpret_cast<void*>(validity), 1, 32, validArgs, 0, 0));
  OK(cudaDeviceSynchronize());
  REQUIRE(*valid == 1);
  OK(cudaFree(valid));
  OK(cudaFree(values));
  OK(cudaFree(sums));
  std::printf("grid sync ok\n");
  return 0;
}

// Occupancy figures agree with the device's properties and the kernel's attributes; dynamic
// shared memory above 48 KiB needs the opt-in, as on CUDA.
static int occupancy() {
  cudaDeviceProp prop;
  OK(cudaGetDeviceProperties(&prop, 0));
  int blocks = -1;
  OK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, rounds, 256, 0));
  REQUIRE(blocks >= 1 && blocks <= prop.maxBlocksPerMultiProcessor &&
          blocks * 256 <= prop.maxThreadsPerMultiProcessor);
  OK(cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(&blocks, rounds, 2048, 0,
                                                            cudaOccupancyDefault));
  REQUIRE(blocks == 0); // more threads than a block may have
  EXPECT(cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(&blocks, rounds, 64, 0, 99),
         cudaErrorInvalidValue);
  int minGrid = 0, blockSize = 0;
  OK(cudaOccupancyMaxPotentialBlockSize(&minGrid, &blockSize, rounds, 0, 0));
  REQUIRE(blockSize > 0 && blockSize <= prop.maxThreadsPerBlock && blockSize % prop.warpSize == 0);
  REQUIRE(minGrid == prop.multiProcessorCount * (prop.maxThreadsPerMultiProcessor / blockSize <
                                                         prop.maxBlocksPerMultiProcessor
                                                     ? prop.maxThreadsPerMultiProcessor / blockSize
                                                     : prop.maxBlocksPerMultiProcessor));
  // What CUDA guarantees, not one device's figures: a block's shared memory (static, dynamic and
  // what the driver reserves) fits the opt-in limit, and the per-multiprocessor total holds it.
  cudaFuncAttributes attributes;
  OK(cudaFuncGetAttributes(&attributes, uses_shared));
  size_t available = 0;
  OK(cudaOccupancyAvailableDynamicSMemPerBlock(&available, uses_shared, 1, 128));
  REQUIRE(available > prop.sharedMemPerBlock);
  REQUIRE(available + attributes.sharedSizeBytes <= prop.sharedMemPerBlockOptin);
  REQUIRE(prop.sharedMemPerBlockOptin + prop.reservedSharedMemPerBlock <=
          prop.sharedMemPerMultiprocessor);
  size_t forTwo = 0;
  OK(cudaOccupancyAvailableDynamicSMemPerBlock(&forTwo, uses_shared, 2, 128));
  REQUIRE(forTwo <= available);
  // Without opting in, a kernel may use what is left of the 48 KiB default.
  REQUIRE(attributes.maxDynamicSharedSizeBytes + attributes.sharedSizeBytes ==
          prop.sharedMemPerBlock);
  const size_t wanted = 64 * 1024;
  int* out = nullptr;
  OK(cudaMallocManaged(&out, sizeof(int)));
  uses_shared<<<1, 128, wanted>>>(out);
  EXPECT(cudaGetLastError(), cudaErrorInvalidValue); // 64 KiB without opting in
  OK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, uses_shared, 128, wanted));
  REQUIRE(blocks == 0);
  OK(cudaFuncSetAttribute(uses_shared, cudaFuncAttributeMaxDynamicSharedMemorySize, int(wanted)));
  OK(cudaFuncGetAttributes(&attributes, uses_shared));
  REQUIRE(attributes.maxDynamicSharedSizeBytes == int(wanted));
  OK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, uses_shared, 128, wanted));
  REQUIRE(blocks >= 1 && blocks * wanted <= prop.sharedMemPerMultiprocessor);
  *out = 0;
  uses_shared<<<1, 128, wanted>>>(out);
  OK(cudaDeviceSynchronize());
  REQUIRE(*out == int(wanted / sizeof(int)) - 1);
  EXPECT(cudaFuncSetAttribute(uses_shared, cudaFuncAttributeMaxDynamicSharedMemorySize,
                              int(prop.sharedMemPerBlockOptin) + 1),
         cudaErrorInvalidValue);
  OK(cudaFuncSetAttribute(uses_shared, cudaFuncAttributePreferredSharedMemoryCarveout, 50));
  OK(cudaFuncGetAttributes(&attributes, uses_shared));
  REQUIRE(attributes.preferredShmemCarveout == 50);
  EXPECT(cudaFuncSetAttribute(uses_shared, cudaFuncAttributePreferredSharedMemoryCarveout, 101),
         cudaErrorInvalidValue);
  OK(cudaFuncSetCacheConfig(uses_shared, cudaFuncCachePreferShared));
  EXPECT(cudaFuncSetCacheConfig(uses_shared, static_cast<cudaFuncCache>(7)), cudaErrorInvalidValue);
  int notAKernel = 0;
  EXPECT(cudaFuncSetCacheConfig(&notAKernel, cudaFuncCachePreferL1),
         cudaErrorInvalidDeviceFunction);

  cudaFunction_t function = nullptr, again = nullptr;
  OK(cudaGetFuncBySymbol(&function, reinterpret_cast<const void*>(uses_shared)));
  OK(cudaGetFuncBySymbol(&again, reinterpret_cast<const void*>(uses_shared)));
  REQUIRE(function && function == again);
  OK(cudaGetFuncBySymbol(&again, reinterpret_cast<const void*>(rounds)));
  REQUIRE(again != function);
  EXPECT(cudaGetFuncBySymbol(&again, &notAKernel), cudaErrorInvalidDeviceFunction);
  const char* name = nullptr;
  OK(cudaFuncGetName(&name, uses_shared));
  REQUIRE(name && std::strstr(name, "uses_shared")); // the device code's (mangled) name
  EXPECT(cudaFuncGetName(&name, &notAKernel), cudaErrorInvalidDeviceFunction);
  size_t offsets[3] = {}, sizes[3] = {};
  for (size_t i = 0; i < 3; ++i)
    OK(cudaFuncGetParamInfo(reinterpret_cast<const void*>(takes_pair), i, &offsets[i], &sizes[i]));
  REQUIRE(offsets[0] == 0 && sizes[0] == 1);
  REQUIRE(offsets[1] == 8 && sizes[1] == sizeof(Pair));
  REQUIRE(offsets[2] == 24 && sizes[2] == sizeof(int*));
  EXPECT(cudaFuncGetParamInfo(reinterpret_cast<const void*>(takes_pair), 3, &offsets[0], &sizes[0]),
         cudaErrorInvalidValue);
  EXPECT(cudaFuncGetParamInfo(&notAKernel, 0, &offsets[0], &sizes[0]),
         cudaErrorInvalidDeviceFunction);
  OK(cudaFree(out));
  std::printf("occupancy ok\n");
  return 0;
}

// A fault in one block of a cooperative grid fails the launch; it must not leave the rest of
// the grid spinning at a grid barrier that can never complete.
static int fault() {
  int* values = nullptr;
  OK(cudaMalloc(&values, 4 * sizeof(int)));
  void* args[] = {&values};
  OK(cudaLaunchCooperativeKernel(reinterpret_cast<void*>(traps_before_sync), 4, 32, args, 0, 0));
  EXPECT(cudaDeviceSynchronize(), cudaErrorLaunchFailure);
  std::printf("fault reported\n");
  return 0;
}

// DRAWBRIDGE-ONLY(clusters): the CPU device is an sm_80 device, which has no thread-block
// clusters, so cudaLaunchKernelExC names the cluster attribute and refuses the launch rather than
// running it without clusters; an sm_90 GPU runs it.
static int clusters() {
  int* out = nullptr;
  OK(cudaMalloc(&out, 2 * sizeof(int)));
  cudaLaunchAttribute cluster;
  cluster.id = cudaLaunchAttributeClusterDimension;
  cluster.val.clusterDim.x = 2;
  cluster.val.clusterDim.y = 1;
  cluster.val.clusterDim.z = 1;
  cudaLaunchConfig_t config = {};
  config.gridDim = 2;
  config.blockDim = 32;
  config.attrs = &cluster;
  config.numAttrs = 1;
  EXPECT(cudaLaunchKernelEx(&config, validity, out), cudaErrorNotSupported);
  cudaGetLastError();
  OK(cudaFree(out));
  std::printf("clusters refused\n");
  return 0;
}

// DRAWBRIDGE-ONLY(ordinary-sync): grid.sync() in an ordinary launch completes when every block
// happens to be running, and otherwise hangs on an NVIDIA GPU. Drawbridge completes it when the
// grid fits its workers and fails the launch, naming grid.sync(), when the grid cannot.
static int ordinary_sync() {
  const int fits = 2, tooMany = 64, count = 3;
  int *values = nullptr, *sums = nullptr;
  OK(cudaMalloc(&values, count * tooMany * sizeof(int)));
  OK(cudaMalloc(&sums, count * tooMany * sizeof(int)));
  rounds<<<fits, 32>>>(values, sums, count);
  OK(cudaDeviceSynchronize());
  requireRoundSums(sums, count, fits);
  std::printf("ordinary grid of %d blocks synchronised\n", fits);
  rounds<<<tooMany, 32>>>(values, sums, count);
  EXPECT(cudaDeviceSynchronize(), cudaErrorLaunchFailure);
  std::printf("ordinary grid of %d blocks failed\n", tooMany);
  return 0;
}

int main(int argc, char** argv) {
  const char* section = argc > 1 ? argv[1] : "";
  if (!std::strcmp(section, "grid-sync"))
    return grid_sync();
  if (!std::strcmp(section, "occupancy"))
    return occupancy();
  if (!std::strcmp(section, "fault"))
    return fault();
  if (!std::strcmp(section, "ordinary-sync"))
    return ordinary_sync();
  if (!std::strcmp(section, "clusters"))
    return clusters();
  std::printf("usage: cooperative grid-sync|occupancy|fault|ordinary-sync|clusters\n");
  return 2;
}

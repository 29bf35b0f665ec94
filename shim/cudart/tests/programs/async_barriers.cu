// Split barriers (mbarrier) as CUDA programs reach them: cuda::barrier, cuda::memcpy_async,
// and in sm_90 builds (-DSM90_FORMS) cooperative groups' cluster API in an ordinary launch and
// bulk copies. Run as `async_barriers SECTION`; every section checks its results
// against values computed on the host and prints one line when they match.
#include "Check.cuh"

#include <algorithm>
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
#include <cstdio>
#include <cstring>
#include <cuda/atomic>
#include <cuda/barrier>
#include <cuda/ptx>
#include <cuda_runtime.h>
#include <vector>

namespace cg = cooperative_groups;
using Barrier = cuda::barrier<cuda::thread_scope_block>;

constexpr int kThreads = 128;

// Thread 0 initializes the block's barrier for `count` arrivals; every thread waits until it has.
__device__ void initBarrier(Barrier* bar, int count) {
  if (threadIdx.x == 0)
    init(bar, count);
  __syncthreads();
}

// Each phase every thread writes its slot, waits for all, and reads its neighbour's: a barrier
// that let a thread through early would hand it the previous phase's value.
__global__ void phases(int* out, int rounds) {
#pragma nv_diag_suppress static_var_with_dynamic_init
  __shared__ Barrier bar;
  __shared__ int slots[kThreads];
  initBarrier(&bar, blockDim.x);
  int sum = 0;
  for (int r = 0; r < rounds; ++r) {
    slots[threadIdx.x] = r * 1000 + threadIdx.x;
    bar.arrive_and_wait();
    sum += slots[(threadIdx.x + 1) % blockDim.x];
    // A token from arrive(), waited on later, ends the phase in which the slots are read.
    Barrier::arrival_token token = bar.arrive();
    bar.wait(std::move(token));
  }
  out[blockIdx.x * blockDim.x + threadIdx.x] = sum;
}

// cuda::memcpy_async of one element per thread completes on the barrier (cp.async with
// cp.async.mbarrier.arrive).
__global__ void copies(const int* in, int* out) {
#pragma nv_diag_suppress static_var_with_dynamic_init
  __shared__ Barrier bar;
  __shared__ int buffer[kThreads];
  initBarrier(&bar, blockDim.x);
  cuda::memcpy_async(buffer + threadIdx.x, in + threadIdx.x, sizeof(int), bar);
  bar.arrive_and_wait();
  out[threadIdx.x] = buffer[(threadIdx.x + 1) % blockDim.x];
}

// Half the threads leave the barrier with arrive_and_drop; the rest go on through more phases,
// which complete only if the expected count went down.
__global__ void drops(int* out) {
#pragma nv_diag_suppress static_var_with_dynamic_init
  __shared__ Barrier bar;
  __shared__ int slots[kThreads];
  initBarrier(&bar, blockDim.x);
  int half = blockDim.x / 2;
  if (threadIdx.x >= half) {
    (void)bar.arrive_and_drop();
    return;
  }
  int sum = 0;
  for (int r = 0; r < 4; ++r) {
    slots[threadIdx.x] = r + threadIdx.x;
    bar.arrive_and_wait();
    sum += slots[(threadIdx.x + 1) % half];
    bar.arrive_and_wait();
  }
  out[threadIdx.x] = sum;
}

// Warp 0 produces into two slots, the other warps consume: each side waits on a barrier the
// other side completes, so the block's threads must take turns.
__global__ void producer_consumer(int* out, int items) {
#pragma nv_diag_suppress static_var_with_dynamic_init
  __shared__ Barrier full[2], empty[2];
  __shared__ int data[2][32];
  if (threadIdx.x == 0)
    for (int s = 0; s < 2; ++s) {
      init(&full[s], blockDim.x);
      init(&empty[s], blockDim.x);
    }
  __syncthreads();
  int lane = threadIdx.x % 32;
  int sum = 0;
  for (int item = 0; item < items; ++item) {
    int slot = item % 2;
    if (threadIdx.x < 32) {
      if (item >= 2)
        empty[slot].arrive_and_wait(); // the consumers are done with item - 2
      data[slot][lane] = item * 100 + lane;
      (void)full[slot].arrive();
    } else {
      full[slot].arrive_and_wait();
      sum += data[slot][lane];
      if (item + 2 < items)
        (void)empty[slot].arrive();
    }
  }
  if (threadIdx.x >= 32)
    out[threadIdx.x - 32] = sum;
}

// Thread 0 polls a flag that the block's last thread sets, sleeping between looks: on NVIDIA
// the threads run independently; here the sleep lets the others run.
__global__ void polls(int* out) {
  __shared__ int flag;
  if (threadIdx.x == 0)
    flag = 0;
  __syncthreads();
  cuda::atomic_ref<int, cuda::thread_scope_block> ref(flag);
  if (threadIdx.x == 0) {
    int looks = 0;
    while (ref.load(cuda::memory_order_acquire) == 0) {
      __nanosleep(32);
      ++looks;
    }
    out[0] = ref.load(cuda::memory_order_relaxed) + (looks > 0 ? 0 : 1000);
  } else if (threadIdx.x == blockDim.x - 1) {
    ref.store(7, cuda::memory_order_release);
  }
}

// What else nvcc 13 emits for sm_80/sm_90 code around these: cooperative groups' reduce,
// __reduce_*_sync (redux.sync), __match_*_sync and cuda::atomic_ref with scopes and orderings.
__global__ void groups(const int* in, int* out, int* counters) {
  __shared__ int buffer[kThreads];
  cg::thread_block block = cg::this_thread_block();
  buffer[threadIdx.x] = in[threadIdx.x];
  block.sync();
  cg::thread_block_tile<32> warp = cg::tiled_partition<32>(block);
  int v = buffer[threadIdx.x];
  int sum = cg::reduce(warp, v, cg::plus<int>());
  int largest = cg::reduce(warp, v, cg::greater<int>());
  unsigned bits = __reduce_or_sync(~0u, unsigned(v) & 0xf0u);
  int smallest = __reduce_min_sync(~0u, v);
  unsigned same = __match_any_sync(~0u, v % 4);
  int all;
  __match_all_sync(~0u, v / 1000, &all);
  out[threadIdx.x * 6 + 0] = sum;
  out[threadIdx.x * 6 + 1] = largest;
  out[threadIdx.x * 6 + 2] = int(bits);
  out[threadIdx.x * 6 + 3] = smallest;
  out[threadIdx.x * 6 + 4] = int(same);
  out[threadIdx.x * 6 + 5] = all;
  cuda::atomic_ref<int, cuda::thread_scope_block> inBlock(counters[0]);
  inBlock.fetch_add(1, cuda::memory_order_relaxed);
  cuda::atomic_ref<int, cuda::thread_scope_device> onDevice(counters[1]);
  onDevice.fetch_max(v, cuda::memory_order_acq_rel);
  cuda::atomic_ref<int, cuda::thread_scope_system> inSystem(counters[2]);
  inSystem.fetch_or(1 << (threadIdx.x % 31), cuda::memory_order_seq_cst);
}

// A barrier that expects one arrival more than the block has: it never completes.
__global__ void stuck(int* out) {
#pragma nv_diag_suppress static_var_with_dynamic_init
  __shared__ Barrier bar;
  initBarrier(&bar, blockDim.x + 1);
  bar.arrive_and_wait();
  out[threadIdx.x] = 1;
}

#ifdef SM90_FORMS
// A block is a cluster of one in a launch without clusters.
__global__ void cluster_of_one(int* out) {
  cg::cluster_group cluster = cg::this_cluster();
  __shared__ int slots[kThreads];
  slots[threadIdx.x] = threadIdx.x * 3;
  cluster.sync();
  int* mine = cluster.map_shared_rank(slots, 0);
  out[threadIdx.x] = mine[(threadIdx.x + 1) % blockDim.x] + 1000 * int(cluster.block_rank()) +
                     10000 * int(cluster.num_blocks());
}

// cuda::memcpy_async of a 16-byte-aligned block by one thread: a bulk copy that completes its
// bytes on the barrier (cp.async.bulk ... mbarrier::complete_tx::bytes and expect_tx), then
// cuda::ptx's bulk copy back to global memory with its bulk group, and a bulk reduction into
// `sums` that every block adds to.
__global__ void bulk(const int* in, int* out, int* sums) {
#pragma nv_diag_suppress static_var_with_dynamic_init
  __shared__ Barrier bar;
  __shared__ alignas(16) int buffer[kThreads];
  initBarrier(&bar, blockDim.x);
  if (threadIdx.x == 0)
    cuda::memcpy_async(buffer, in, cuda::aligned_size_t<16>(sizeof buffer), bar);
  bar.arrive_and_wait();
  buffer[threadIdx.x] += 1;
  cuda::ptx::fence_proxy_async(cuda::ptx::space_shared);
  __syncthreads();
  if (threadIdx.x == 0) {
    cuda::ptx::cp_async_bulk(cuda::ptx::space_global, cuda::ptx::space_shared, out, buffer,
                             sizeof buffer);
    cuda::ptx::cp_reduce_async_bulk(cuda::ptx::space_global, cuda::ptx::space_shared,
                                    cuda::ptx::op_add, sums, buffer, sizeof buffer);
    cuda::ptx::cp_async_bulk_commit_group();
    cuda::ptx::cp_async_bulk_wait_group_read(cuda::ptx::n32_t<0>());
  }
}
#endif

namespace {

int* deviceInts(const std::vector<int>& values) {
  int* device = nullptr;
  OK(cudaMalloc(&device, values.size() * sizeof(int)));
  OK(cudaMemcpy(device, values.data(), values.size() * sizeof(int), cudaMemcpyHostToDevice));
  return device;
}

std::vector<int> hostInts(const int* device, size_t count) {
  std::vector<int> values(count);
  OK(cudaMemcpy(values.data(), device, count * sizeof(int), cudaMemcpyDeviceToHost));
  return values;
}

void runPhases() {
  constexpr int kBlocks = 3, kRounds = 8;
  int* out = deviceInts(std::vector<int>(kBlocks * kThreads, 0));
  phases<<<kBlocks, kThreads>>>(out, kRounds);
  OK(cudaDeviceSynchronize());
  std::vector<int> got = hostInts(out, kBlocks * kThreads);
  for (int b = 0; b < kBlocks; ++b)
    for (int t = 0; t < kThreads; ++t) {
      int expected = 0;
      for (int r = 0; r < kRounds; ++r)
        expected += r * 1000 + (t + 1) % kThreads;
      REQUIRE(got[b * kThreads + t] == expected);
    }
  std::printf("phases ok\n");
}

void runCopies() {
  std::vector<int> in(kThreads);
  for (int i = 0; i < kThreads; ++i)
    in[i] = i * i + 5;
  int* deviceIn = deviceInts(in);
  int* out = deviceInts(std::vector<int>(kThreads, 0));
  copies<<<1, kThreads>>>(deviceIn, out);
  OK(cudaDeviceSynchronize());
  std::vector<int> got = hostInts(out, kThreads);
  for (int t = 0; t < kThreads; ++t)
    REQUIRE(got[t] == in[(t + 1) % kThreads]);
  std::printf("copies ok\n");
}

void runDrops() {
  int* out = deviceInts(std::vector<int>(kThreads, -1));
  drops<<<1, kThreads>>>(out);
  OK(cudaDeviceSynchronize());
  std::vector<int> got = hostInts(out, kThreads);
  int half = kThreads / 2;
  for (int t = 0; t < half; ++t)
    REQUIRE(got[t] == 4 * ((t + 1) % half) + 0 + 1 + 2 + 3);
  for (int t = half; t < kThreads; ++t)
    REQUIRE(got[t] == -1);
  std::printf("drops ok\n");
}

void runProducerConsumer() {
  constexpr int kItems = 9;
  int* out = deviceInts(std::vector<int>(kThreads - 32, 0));
  producer_consumer<<<2, kThreads>>>(out, kItems);
  OK(cudaDeviceSynchronize());
  std::vector<int> got = hostInts(out, kThreads - 32);
  for (int t = 0; t < kThreads - 32; ++t) {
    int expected = 0;
    for (int item = 0; item < kItems; ++item)
      expected += item * 100 + t % 32;
    REQUIRE(got[t] == expected);
  }
  std::printf("producer-consumer ok\n");
}

void runPolls() {
  int* out = deviceInts({0});
  polls<<<1, kThreads>>>(out);
  OK(cudaDeviceSynchronize());
  std::vector<int> got = hostInts(out, 1);
  REQUIRE(got[0] == 7);
  std::printf("polls ok\n");
}

void runGroups() {
  std::vector<int> in(kThreads);
  for (int i = 0; i < kThreads; ++i)
    in[i] = (i * 37) % 101 + 3;
  int* deviceIn = deviceInts(in);
  int* out = deviceInts(std::vector<int>(kThreads * 6, 0));
  int* counters = deviceInts({0, 0, 0});
  groups<<<1, kThreads>>>(deviceIn, out, counters);
  OK(cudaDeviceSynchronize());
  std::vector<int> got = hostInts(out, kThreads * 6);
  for (int t = 0; t < kThreads; ++t) {
    int first = t / 32 * 32, sum = 0, largest = in[first], smallest = in[first];
    unsigned bits = 0, same = 0;
    for (int l = 0; l < 32; ++l) {
      int v = in[first + l];
      sum += v, bits |= unsigned(v) & 0xf0u;
      largest = std::max(largest, v), smallest = std::min(smallest, v);
      same |= unsigned(v % 4 == in[t] % 4) << l;
    }
    const int* row = &got[t * 6];
    REQUIRE(row[0] == sum && row[1] == largest && row[2] == int(bits));
    REQUIRE(row[3] == smallest && row[4] == int(same) && row[5] == 1); // every v / 1000 is 0
  }
  std::vector<int> counted = hostInts(counters, 3);
  REQUIRE(counted[0] == kThreads);
  REQUIRE(counted[1] == *std::max_element(in.begin(), in.end()));
  REQUIRE(counted[2] == 0x7fffffff);
  std::printf("groups ok\n");
}

void runStuck() {
  int* out = deviceInts(std::vector<int>(kThreads, 0));
  stuck<<<1, kThreads>>>(out);
  cudaError_t status = cudaDeviceSynchronize();
  std::printf("stuck: %s\n", cudaGetErrorName(status));
}

#ifdef SM90_FORMS
void runClusterOfOne() {
  int* out = deviceInts(std::vector<int>(kThreads, 0));
  cluster_of_one<<<2, kThreads>>>(out);
  OK(cudaDeviceSynchronize());
  std::vector<int> got = hostInts(out, kThreads);
  for (int t = 0; t < kThreads; ++t)
    REQUIRE(got[t] == 3 * ((t + 1) % kThreads) + 10000);
  std::printf("cluster of one ok\n");
}

void runBulk() {
  std::vector<int> in(kThreads);
  for (int i = 0; i < kThreads; ++i)
    in[i] = 7 * i - 3;
  int* deviceIn = deviceInts(in);
  int* out = deviceInts(std::vector<int>(kThreads, 0));
  int* sums = deviceInts(std::vector<int>(kThreads, 10));
  constexpr int kBlocks = 3;
  bulk<<<kBlocks, kThreads>>>(deviceIn, out, sums);
  OK(cudaDeviceSynchronize());
  std::vector<int> got = hostInts(out, kThreads);
  std::vector<int> summed = hostInts(sums, kThreads);
  for (int t = 0; t < kThreads; ++t) {
    REQUIRE(got[t] == in[t] + 1);
    REQUIRE(summed[t] == 10 + kBlocks * (in[t] + 1));
  }
  std::printf("bulk ok\n");
}
#endif

} // namespace

int main(int argc, char** argv) {
  const char* section = argc > 1 ? argv[1] : "";
  struct Section {
    const char* name;
    void (*run)();
  } sections[] = {
      {"phases", runPhases},        {"copies", runCopies},
      {"drops", runDrops},          {"producer-consumer", runProducerConsumer},
      {"polls", runPolls},          {"groups", runGroups},
      {"stuck", runStuck},
#ifdef SM90_FORMS
      {"cluster", runClusterOfOne}, {"bulk", runBulk},
#endif
  };
  for (const Section& s : sections)
    if (std::strcmp(section, s.name) == 0) {
      s.run();
      return 0;
    }
  std::printf("usage: async_barriers SECTION\n");
  return 2;
}

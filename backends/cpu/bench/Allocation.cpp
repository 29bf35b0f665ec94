// cudaMalloc/cudaFree churn: pairs of device allocate and free of small and large sizes, next to
// the shared arena alone (SharedArena.h, what device memory now comes from) and to
// std::aligned_alloc/free (what it came from before device memory was shared with other
// processes), measured in the same run.
#include "BenchSupport.h"
#include "SharedArena.h"

#include <cstdlib>

using namespace drawbridge::backend;
using namespace drawbridge::backend::cpu;
using namespace drawbridge::backend::cpu::bench;

int main() {
  auto created = createCpuBackend({});
  if (!created)
    check(created.status(), "create backend");
  Device* device = (*created)->device(0);
  SharedArena arena;
  std::printf("allocate + free pairs, microseconds per pair (best of 5)\n");
  std::printf("  %10s  %12s  %12s  %14s\n", "bytes", "device", "arena", "aligned_alloc");
  for (size_t bytes : {size_t(256), size_t(64) << 10, size_t(1) << 20, size_t(16) << 20}) {
    const int pairs = bytes >= (size_t(1) << 20) ? 2000 : 100000;
    double onDevice = fastest(5, [&] {
      for (int i = 0; i < pairs; ++i) {
        auto p = device->allocate(bytes, MemoryKind::Device);
        if (!p)
          check(p.status(), "allocate");
        check(device->free(*p), "free");
      }
    });
    double inArena = fastest(5, [&] {
      for (int i = 0; i < pairs; ++i) {
        auto p = arena.allocate(bytes);
        if (!p)
          check(p.status(), "arena allocate");
        arena.free(*p);
      }
    });
    double aligned = fastest(5, [&] {
      for (int i = 0; i < pairs; ++i) {
        void* p = std::aligned_alloc(SharedArena::kGranule, bytes);
        // Keep the pair from being optimised away.
        asm volatile("" : : "r"(p) : "memory");
        std::free(p);
      }
    });
    std::printf("  %10zu  %12.3f  %12.3f  %14.3f\n", bytes, onDevice / pairs * 1e6,
                inArena / pairs * 1e6, aligned / pairs * 1e6);
  }
  return 0;
}

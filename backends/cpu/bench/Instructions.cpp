// One launch of one bench kernel at a small size, for counting the instructions it executes
// under callgrind, a figure the shared machine's load does not change (issue 13 item 4 compares
// lowerings by it):
//   valgrind --tool=callgrind --instr-atstart=no --smc-check=all cpu_bench_instructions KERNEL
// The kernel is compiled and run once first, outside the count; the counted launch is the
// second. `cpu_bench_instructions KERNEL REPEATS` (no valgrind) prints the fastest of REPEATS
// launches instead: short samples, so a loaded machine spoils fewer of them. Kernels: triad
// shared_reduce shuffle_reduce tiled_matmul softmax_rows rmsnorm_rows gemv_warp_rows; clang's
// build of them, or nvcc's PTX with --nvcc first.
#include "BenchSupport.h"

#include <cstring>
#include <functional>
#include <valgrind/callgrind.h>

using namespace drawbridge::backend;
using namespace drawbridge::backend::cpu::bench;

int main(int argc, char** argv) {
  bool nvcc = argc > 1 && std::strcmp(argv[1], "--nvcc") == 0;
  if (nvcc) {
    --argc;
    ++argv;
  }
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: %s [--nvcc] KERNEL [REPEATS]\n", argv[0]);
    return 2;
  }
  Session session("bench", {}, /*withNvcc=*/nvcc);
  const int n = 1 << 16, rows = 16, cols = 1024, matrix = 64, gemvRows = 256, gemvCols = 512;
  const int elements = gemvRows * gemvCols; // the largest input
  float* a = session.allocate<float>(elements);
  float* b = session.allocate<float>(elements);
  float* c = session.allocate<float>(elements);
  for (int i = 0; i < elements; ++i) {
    b[i] = float(i % 100) * 0.01f;
    c[i] = float(i % 37) * -0.02f;
  }
  Kernel* kernel = session.kernel(argv[1], nvcc ? KernelSource::Nvcc : KernelSource::Clang);
  const BenchShapes shapes{.triad = n,
                           .reduction = n,
                           .matrix = matrix,
                           .rows = rows,
                           .cols = cols,
                           .gemvRows = gemvRows,
                           .gemvCols = gemvCols};
  std::function<void()> launch = benchLaunch(session, kernel, argv[1], shapes, b, c, a);
  if (!launch) {
    std::fprintf(stderr, "no launch for kernel '%s'\n", argv[1]);
    return 2;
  }
  launch();
  check(session.device->synchronize(), "synchronize");
  if (argc == 3) {
    double seconds = fastest(std::atoi(argv[2]), [&] {
      launch();
      check(session.device->synchronize(), "synchronize");
    });
    std::printf("%s %.1f us\n", argv[1], seconds * 1e6);
    return 0;
  }
  CALLGRIND_START_INSTRUMENTATION;
  launch();
  check(session.device->synchronize(), "synchronize");
  CALLGRIND_STOP_INSTRUMENTATION;
  return 0;
}

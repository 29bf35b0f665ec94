// What NVIDIA's exact arithmetic costs (issue 13 item 4): every bench kernel at the other
// benchmarks' sizes, compiled twice in one process, with Arithmetic::Nvidia (canonical NaNs, -0
// below +0, bf16 subnormals kept) and with Arithmetic::Host (the passes left out), and timed in
// alternating rounds, so both see the same machine. A shared machine's load moves single runs
// by far more than 5%; alternating in one process and taking per-round ratios cancels most of
// it. The two builds' outputs must be bit-identical on these inputs (no NaNs, no signed zeros
// meet), which shows both ran the same work.
//   cpu_bench_arithmetic [ROUNDS]   (default 11)
#include "BenchSupport.h"

#include <algorithm>
#include <cstring>
#include <functional>

using namespace drawbridge::backend;
using namespace drawbridge::backend::cpu;
using namespace drawbridge::backend::cpu::bench;

namespace {

constexpr BenchShapes kShapes{.triad = 1 << 25,
                              .reduction = 1 << 24,
                              .matrix = 512,
                              .rows = 1024,
                              .cols = 4096,
                              .gemvRows = 4096,
                              .gemvCols = 2048};
constexpr size_t kElements = size_t(1) << 25; // the largest input: the triad's

// One build's session with inputs, an output, and a launch per kernel.
struct Variant {
  explicit Variant(Arithmetic arithmetic)
      : session("bench", {.arithmetic = arithmetic}), x(session.allocate<float>(kElements)),
        y(session.allocate<float>(kElements)), out(session.allocate<float>(kElements)) {
    for (size_t i = 0; i < kElements; ++i) {
      x[i] = float(int(i * 7919 % 2003) - 1001) * 0.004f;
      y[i] = 0.5f + float(i % 17) * 0.0625f;
    }
  }

  // Launches `name` as its own benchmark launches it, and waits.
  void run(const std::string& name) {
    std::function<void()> launch =
        benchLaunch(session, session.kernel(name.c_str()), name, kShapes, x, y, out);
    if (!launch) {
      std::fprintf(stderr, "no launch for kernel '%s'\n", name.c_str());
      std::exit(2);
    }
    launch();
    check(session.device->synchronize(), name.c_str());
  }

  Session session;
  float* x;
  float* y;
  float* out;
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

} // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 11;
  Variant nvidia(Arithmetic::Nvidia), host(Arithmetic::Host);
  const char* kernels[] = {"triad",        "shared_reduce", "shuffle_reduce", "tiled_matmul",
                           "softmax_rows", "rmsnorm_rows",  "gemv_warp_rows"};
  std::printf("NVIDIA's arithmetic against the host's, %d alternating rounds, each the fastest "
              "of 3 launches (ms)\n",
              rounds);
  std::printf("%-16s %10s %10s %10s %10s %10s %12s\n", "kernel", "nvidia", "host", "nv median",
              "host median", "cost", "outputs");
  for (const char* name : kernels) {
    nvidia.run(name); // compiles, warms the caches
    host.run(name);
    bool identical = std::memcmp(nvidia.out, host.out, kElements * sizeof(float)) == 0;
    std::vector<double> nvidiaTimes, hostTimes, ratios;
    for (int r = 0; r < rounds; ++r) {
      auto time = [&](Variant& variant) { return fastest(3, [&] { variant.run(name); }); };
      // Alternate which goes first, so neither always follows the other.
      double n = 0, h = 0;
      if (r % 2) {
        h = time(host);
        n = time(nvidia);
      } else {
        n = time(nvidia);
        h = time(host);
      }
      nvidiaTimes.push_back(n);
      hostTimes.push_back(h);
      ratios.push_back(n / h);
    }
    std::printf("%-16s %10.3f %10.3f %10.3f %11.3f %+9.1f%% %12s\n", name,
                *std::min_element(nvidiaTimes.begin(), nvidiaTimes.end()) * 1e3,
                *std::min_element(hostTimes.begin(), hostTimes.end()) * 1e3,
                median(nvidiaTimes) * 1e3, median(hostTimes) * 1e3, (median(ratios) - 1) * 100,
                identical ? "identical" : "DIFFER");
  }
  std::printf("nvidia, host: the fastest round; cost: the median over rounds of nvidia/host - 1\n");
  return 0;
}

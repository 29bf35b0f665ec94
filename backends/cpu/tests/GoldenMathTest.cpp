// The golden suite's CUDA math functions (expf, tanhf, erff, rsqrtf, __expf, ...) through clang's
// NVVM IR (cpu_backend_tests) and nvcc's PTX (cpu_backend_ptx_tests), compared with the goldens
// in frontend/ptx/tests/golden/goldens/math.golden: within CUDA's stated ulp bounds, special
// values exact. The driver runs the same kernel through the shim (lit/golden.test).
#include "GoldenCheck.h"
#include "KernelFixture.h"

#include <cstdint>

namespace drawbridge::backend::cpu::test {
namespace {

class GoldenMathTest : public KernelFixture {};

TEST_F(GoldenMathTest, EveryFunctionMatchesItsGoldens) {
  load("golden_math");
  std::map<std::string, std::vector<golden::Case>> cases;
  std::vector<std::string> forms; // the generator numbers them in the file's order
  ASSERT_TRUE(golden::readGoldens(DRAWBRIDGE_GOLDEN_DIR "/math.golden", cases, &forms));
  ASSERT_FALSE(forms.empty());
  size_t total = 0;
  for (int index = 0; index < int(forms.size()); ++index) {
    const std::vector<golden::Case>& list = cases[forms[size_t(index)]];
    int n = int(list.size());
    int arity = int(list.front().inputs.size());
    uint64_t* in = buffer<uint64_t>(size_t(n * arity));
    uint64_t* out = buffer<uint64_t>(size_t(n));
    for (int i = 0; i < n; ++i)
      std::copy(list[size_t(i)].inputs.begin(), list[size_t(i)].inputs.end(), in + i * arity);
    ASSERT_TRUE(
        run("golden_math", {unsigned(n + 127) / 128}, {128}, 0, index, arity, in, out, n).ok());
    for (int i = 0; i < n; ++i, ++total)
      EXPECT_TRUE(golden::matches(out[i], list[size_t(i)].expected))
          << list[size_t(i)].line << " -> " << std::hex << out[i];
  }
  EXPECT_GT(total, 0u);
}

} // namespace
} // namespace drawbridge::backend::cpu::test

#include "KernelFixture.h"
#include "kernels/atomics_counters.h"

#include <algorithm>

namespace drawbridge::backend::cpu::test {
namespace {

class AtomicsTest : public KernelFixture {
protected:
  void SetUp() override {
    CpuOptions options;
    options.threads = 8; // more workers than cores: blocks genuinely interleave
    load("atomics", options);
  }
};

TEST_F(AtomicsTest, ExactUnderContentionFromManyWorkers) {
  const unsigned blocks = 64, threads = 256, total = blocks * threads;
  Counters* c = buffer<Counters>(1);
  c->i32min = 0;
  float* values = buffer<float>(total);
  for (unsigned i = 0; i < total; ++i)
    values[i] = float((i * 7919) % 10007) * 0.5f;
  for (int repeat = 0; repeat < 3; ++repeat) {
    *c = Counters{};
    ASSERT_TRUE(run("contend", {blocks}, {threads}, 0, c, values).ok());
    EXPECT_EQ(c->i32, int(total));
    EXPECT_EQ(c->u32max, total - 1);
    EXPECT_EQ(c->f32, float(total));
    EXPECT_EQ(c->f32max, *std::max_element(values, values + total));
    EXPECT_EQ(c->u64, uint64_t(total) << 33);
    EXPECT_EQ(c->f64, 0.5 * total);
    EXPECT_EQ(c->i32min, -int(total - 1));
    EXPECT_EQ(c->wrap, total % 1000);
  }
}

} // namespace
} // namespace drawbridge::backend::cpu::test

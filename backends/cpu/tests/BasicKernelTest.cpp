#include "KernelFixture.h"

#include <cstdint>

namespace drawbridge::backend::cpu::test {
namespace {

class BasicKernelTest : public KernelFixture {
protected:
  void SetUp() override { load("basic"); }
};

TEST_F(BasicKernelTest, VectorAddCoversEveryElementAndNoMore) {
  const int n = 100003; // not a multiple of the block size: the guard matters
  float* a = buffer<float>(n);
  float* b = buffer<float>(n);
  float* c = buffer<float>(n + 1, -1.0f);
  for (int i = 0; i < n; ++i) {
    a[i] = float(i);
    b[i] = 0.5f * float(i);
  }
  ASSERT_TRUE(run("vector_add", {unsigned((n + 255) / 256)}, {256}, 0, a, b, c, n).ok());
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(c[i], 1.5f * float(i)) << i;
  EXPECT_EQ(c[n], -1.0f);
}

void checkCoordinates(KernelFixture& fixture, Dim3 grid, Dim3 block, const unsigned* out) {
  unsigned width = grid.x * block.x, height = grid.y * block.y, depth = grid.z * block.z;
  for (unsigned z = 0; z < depth; ++z)
    for (unsigned y = 0; y < height; ++y)
      for (unsigned x = 0; x < width; ++x) {
        size_t i = (size_t(z) * height + y) * width + x;
        ASSERT_EQ(out[3 * i], x);
        ASSERT_EQ(out[3 * i + 1], y);
        ASSERT_EQ(out[3 * i + 2], z);
      }
}

TEST_F(BasicKernelTest, IndexRegistersIn1D2D3D) {
  const Dim3 shapes[][2] = {{{7}, {33}},
                            {{3, 5}, {8, 4}},
                            {{2, 3, 4}, {4, 2, 3}},
                            {{2, 1, 2}, {1024}},
                            {{1}, {2, 2, 64}}};
  for (const auto& [grid, block] : shapes) {
    size_t threads = grid.count() * block.count();
    unsigned* out = buffer<unsigned>(3 * threads, ~0u);
    ASSERT_TRUE(run("coordinates", grid, block, 0, out).ok());
    checkCoordinates(*this, grid, block, out);
  }
}

TEST_F(BasicKernelTest, StructAndCharParametersByValue) {
  struct Pair {
    int a;
    double b;
  } pair{3, 2.5};
  char c = 7;
  double* out = buffer<double>(4);
  ASSERT_TRUE(run("by_value", {1}, {4}, 0, pair, c, out).ok());
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(out[i], 3 * 2.5 + 7);
}

TEST_F(BasicKernelTest, BoundsGuardsHoldForExactlyTheRightThreads) {
  const unsigned blocks = 5, block = 100, total = blocks * block;
  struct Case {
    const char* kernel;
    int mark;
    bool (*holds)(int i, int tid, int n);
  };
  const Case cases[] = {
      {"guard_less", 1, [](int i, int, int n) { return i < n; }},
      {"guard_early_return", 2, [](int i, int, int n) { return i < n; }},
      {"guard_greater", 3, [](int i, int, int n) { return i > n; }},
      {"guard_thread_only", 4, [](int, int tid, int n) { return unsigned(tid) <= unsigned(n); }},
  };
  for (const Case& c : cases)
    for (int n : {-5, 0, 1, 99, 100, 237, 499, 500, 10000}) {
      int* out = buffer<int>(total, 0);
      ASSERT_TRUE(run(c.kernel, {blocks}, {block}, 0, out, n).ok());
      for (unsigned i = 0; i < total; ++i)
        ASSERT_EQ(out[i], c.holds(int(i), int(i % block), n) ? c.mark : 0)
            << c.kernel << " n=" << n << " i=" << i;
    }
}

TEST_F(BasicKernelTest, BoundsGuardWhoseIndexWrapsIsEvaluatedPerThread) {
  int* out = buffer<int>(32, 0);
  int base = INT32_MAX - 10, n = 0;
  ASSERT_TRUE(run("guard_wrapping", {1}, {32}, 0, out, base, n).ok());
  for (int t = 0; t < 32; ++t) // base + t wraps to negative (< n) from t = 11 on
    EXPECT_EQ(out[t], t > 10 ? 5 : 0) << t;
}

TEST_F(BasicKernelTest, GridXBeyondSixteenBits) {
  const Dim3 grid{70001}, block{2};
  unsigned* out = buffer<unsigned>(3 * grid.count() * block.count(), ~0u);
  ASSERT_TRUE(run("coordinates", grid, block, 0, out).ok());
  checkCoordinates(*this, grid, block, out);
}

TEST_F(BasicKernelTest, DeviceAndConstantVariablesByName) {
  auto scale = device->getGlobal(module, "scale");
  auto counter = device->getGlobal(module, "counter");
  auto table = device->getGlobal(module, "table");
  ASSERT_TRUE(scale && counter && table);
  EXPECT_EQ(scale->size, 4 * sizeof(float));
  EXPECT_EQ(table->size, 3 * sizeof(double));
  EXPECT_EQ(static_cast<double*>(table->address)[1], 2.5); // initializer kept
  const float values[4] = {1, 2, 3, 4};
  ASSERT_TRUE(device->copy(scale->address, values, sizeof values, nullptr, false).ok());
  *static_cast<int*>(counter->address) = 100;
  float* out = buffer<float>(12);
  ASSERT_TRUE(run("use_globals", {1}, {12}, 0, out).ok());
  const double tableValues[3] = {1.5, 2.5, 3.5};
  for (int t = 0; t < 12; ++t)
    EXPECT_EQ(out[t], values[t % 4] * float(tableValues[t % 3])) << t;
  EXPECT_EQ(*static_cast<int*>(counter->address), 112);
  EXPECT_EQ(device->getGlobal(module, "missing").status().code, StatusCode::SymbolNotFound);
}

TEST_F(BasicKernelTest, ByValueParametersArePerThreadCopies) {
  struct Pair {
    int a;
    double b;
  } pair{10, 0.5};
  double* out = buffer<double>(64);
  ASSERT_TRUE(run("writes_by_value", {1}, {64}, 0, pair, out).ok());
  for (int t = 0; t < 64; ++t)
    EXPECT_EQ(out[t], 10 + t + 0.5) << t;
}

TEST_F(BasicKernelTest, RejectsInvalidShapes) {
  unsigned* out = buffer<unsigned>(16);
  EXPECT_EQ(run("coordinates", {1}, {1025}, 0, out).code, StatusCode::InvalidValue);
  EXPECT_EQ(run("coordinates", {0}, {1}, 0, out).code, StatusCode::InvalidConfiguration);
  EXPECT_EQ(run("coordinates", {1}, {1, 1, 65}, 0, out).code, StatusCode::InvalidValue);
  EXPECT_EQ(run("coordinates", {1}, {1}, 1 << 20, out).code, StatusCode::InvalidValue);
  EXPECT_EQ(device->getKernel(module, "missing").status().code, StatusCode::SymbolNotFound);
}

} // namespace
} // namespace drawbridge::backend::cpu::test

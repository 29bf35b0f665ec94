// The registration ABI as nvcc's constructors drive it, against Drawbridge's libcudart.so.13,
// with a real nvcc 13 fatbin behind the wrapper.
#include "RegistrationAbi.h"
#include "SharedLibrary.h"
#include "drawbridge/fatbin/Fatbin.h"

#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <vector>

namespace drawbridge::cudart::test {
namespace {

std::vector<char> readFatbin() {
  std::ifstream in(std::string(DRAWBRIDGE_TESTBIN_DIR) + "/kernels.fatbin", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Registration : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(shim().loaded()) << shim().error(); }

  template <typename F> F* api(const char* name) {
    F* f = shim().symbol<F>(name);
    EXPECT_NE(f, nullptr) << name;
    return f;
  }
};

TEST_F(Registration, KernelsAreFoundByHostStub) {
  std::vector<char> fatbin = readFatbin();
  ASSERT_FALSE(fatbin.empty());
  fatbin::Wrapper wrapper{fatbin::kWrapperMagic, 1, fatbin.data(), nullptr};
  static char saxpyStub, fillStub, unregisteredStub;

  void** handle = api<decltype(__cudaRegisterFatBinary)>("__cudaRegisterFatBinary")(&wrapper);
  ASSERT_NE(handle, nullptr);
  auto* registerFunction = api<decltype(__cudaRegisterFunction)>("__cudaRegisterFunction");
  registerFunction(handle, &saxpyStub, nullptr, "_Z5saxpyfPKfPfi", -1, nullptr, nullptr, nullptr,
                   nullptr, nullptr);
  registerFunction(handle, &fillStub, nullptr, "_Z4fillIfEvPT_S0_i", -1, nullptr, nullptr, nullptr,
                   nullptr, nullptr);
  api<decltype(__cudaRegisterFatBinaryEnd)>("__cudaRegisterFatBinaryEnd")(handle);
  EXPECT_EQ(api<decltype(__cudaInitModule)>("__cudaInitModule")(handle), 1);

  auto* getKernel = api<decltype(__cudaGetKernel)>("__cudaGetKernel");
  cudaKernel_t saxpy = nullptr, fill = nullptr, none = nullptr;
  EXPECT_EQ(getKernel(&saxpy, &saxpyStub), cudaSuccess);
  EXPECT_EQ(getKernel(&fill, &fillStub), cudaSuccess);
  EXPECT_NE(saxpy, nullptr);
  EXPECT_NE(saxpy, fill);
  EXPECT_EQ(getKernel(&none, &unregisteredStub), cudaErrorInvalidDeviceFunction);
  EXPECT_EQ(getKernel(nullptr, &saxpyStub), cudaErrorInvalidValue);

  api<decltype(__cudaUnregisterFatBinary)>("__cudaUnregisterFatBinary")(handle);
  EXPECT_EQ(getKernel(&saxpy, &saxpyStub), cudaErrorInvalidDeviceFunction);
}

TEST_F(Registration, CorruptFatbinIsRecordedNotFatal) {
  std::vector<char> fatbin = readFatbin();
  fatbin[0] = 0; // container magic
  fatbin::Wrapper wrapper{fatbin::kWrapperMagic, 1, fatbin.data(), nullptr};
  void** handle = api<decltype(__cudaRegisterFatBinary)>("__cudaRegisterFatBinary")(&wrapper);
  ASSERT_NE(handle, nullptr);
  EXPECT_EQ(api<decltype(__cudaInitModule)>("__cudaInitModule")(handle), 0);
  api<decltype(__cudaUnregisterFatBinary)>("__cudaUnregisterFatBinary")(handle);
}

TEST_F(Registration, CallConfigurationsNest) {
  auto* push = api<decltype(__cudaPushCallConfiguration)>("__cudaPushCallConfiguration");
  auto* pop = api<decltype(__cudaPopCallConfiguration)>("__cudaPopCallConfiguration");
  auto* stream = reinterpret_cast<CUstream_st*>(0x1234);
  EXPECT_EQ(push(dim3(4, 2, 1), dim3(128), 256, stream), 0u);
  EXPECT_EQ(push(dim3(1), dim3(32), 0, nullptr), 0u);
  dim3 grid, block;
  size_t shared = 99;
  cudaStream_t popped = stream;
  ASSERT_EQ(pop(&grid, &block, &shared, &popped), cudaSuccess);
  EXPECT_EQ(block.x, 32u);
  EXPECT_EQ(shared, 0u);
  EXPECT_EQ(popped, nullptr);
  ASSERT_EQ(pop(&grid, &block, &shared, &popped), cudaSuccess);
  EXPECT_EQ(grid.x, 4u);
  EXPECT_EQ(grid.y, 2u);
  EXPECT_EQ(block.x, 128u);
  EXPECT_EQ(shared, 256u);
  EXPECT_EQ(popped, stream);
  EXPECT_EQ(pop(&grid, &block, &shared, &popped), cudaErrorMissingConfiguration);
}

} // namespace
} // namespace drawbridge::cudart::test

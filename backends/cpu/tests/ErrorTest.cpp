#include "KernelFixture.h"

namespace drawbridge::backend::cpu::test {
namespace {

class ErrorTest : public KernelFixture {
protected:
  void SetUp() override { load("errors"); }
};

TEST_F(ErrorTest, AssertFailsTheLaunchStickilyWithCudaMessage) {
  int* in = buffer<int>(64, 1);
  in[37] = -1;
  ::testing::internal::CaptureStderr();
  Status status = run("asserts", {2}, {64}, 0, in);
  std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.code, StatusCode::Assert);
  EXPECT_NE(status.message.find("'asserts'"), std::string::npos) << status.message;
  EXPECT_NE(printed.find("thread: [37,0,0] Assertion `in[threadIdx.x] >= 0` failed."),
            std::string::npos)
      << printed;
  // Every later call reports the error, as CUDA's sticky errors do.
  int* out = static_cast<int*>(in);
  EXPECT_EQ(run("fill", {1}, {4}, 0, out, 5).code, StatusCode::Assert);
  EXPECT_EQ(device->synchronize().code, StatusCode::Assert);
}

TEST_F(ErrorTest, PassingAssertsDoNotFail) {
  int* in = buffer<int>(64, 1);
  EXPECT_TRUE(run("asserts", {2}, {64}, 0, in).ok());
}

TEST_F(ErrorTest, TrapIsALaunchFailure) {
  int* in = buffer<int>(32, 0);
  in[5] = -3;
  Status status = run("traps", {1}, {32}, 0, in);
  EXPECT_EQ(status.code, StatusCode::LaunchFailure);
  EXPECT_NE(status.message.find("trap"), std::string::npos) << status.message;
}

TEST_F(ErrorTest, FreshDeviceWorksAfterAFailedOne) {
  int* in = buffer<int>(32, -1);
  EXPECT_EQ(run("traps", {1}, {32}, 0, in).code, StatusCode::LaunchFailure);
  load("errors");
  int* out = buffer<int>(4, 0);
  ASSERT_TRUE(run("fill", {1}, {4}, 0, out, 9).ok());
  EXPECT_EQ(out[3], 9);
}

TEST(ModuleErrorTest, BadIrIsAnInvalidSourceError) {
  auto backend = createCpuBackend({.threads = 1, .cacheDirectory = std::filesystem::path()});
  ASSERT_TRUE(backend);
  Device* device = (*backend)->device(0);
  std::string text = "this is not IR";
  auto loaded = device->loadModule(std::as_bytes(std::span(text)), "junk");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.status().code, StatusCode::InvalidSource);
  std::string host = "target triple = \"x86_64-pc-linux-gnu\"\n";
  loaded = device->loadModule(std::as_bytes(std::span(host)), "host");
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.status().message.find("not NVVM IR"), std::string::npos);
}

TEST(ModuleErrorTest, UnresolvedFunctionIsNamed) {
  auto backend = createCpuBackend({.threads = 1, .cacheDirectory = std::filesystem::path()});
  ASSERT_TRUE(backend);
  std::string text = R"(
target triple = "nvptx64-nvidia-cuda"
declare float @__nv_no_such_function(float)
define void @k(ptr %out) {
  %v = call float @__nv_no_such_function(float 1.0)
  store float %v, ptr %out
  ret void
}
!nvvm.annotations = !{!0}
!0 = !{ptr @k, !"kernel", i32 1}
)";
  Device* device = (*backend)->device(0);
  auto loaded = device->loadModule(std::as_bytes(std::span(text)), "unresolved");
  ASSERT_TRUE(loaded) << "kernels compile and link when first asked for";
  auto kernel = device->getKernel(*loaded, "k");
  ASSERT_FALSE(kernel);
  EXPECT_NE(kernel.status().message.find("__nv_no_such_function"), std::string::npos)
      << kernel.status().message;
}

} // namespace
} // namespace drawbridge::backend::cpu::test

#include "drawbridge/translate/Translator.h"

#include <gtest/gtest.h>

using namespace drawbridge::translate;

namespace {

struct Result {
  std::string text;
  std::vector<Diagnostic> diagnostics;
  Stats stats;
};

/// Translates `text` as a header (no runtime include is added), with no clang parse.
Result run(const std::string& text, bool ggl = false) {
  Options options;
  options.hipLaunchSyntax = ggl;
  Result r;
  r.text = translateText(options, "test.h", text, r.diagnostics, r.stats).translated;
  return r;
}

TEST(Rewrite, LaunchToHipLaunchKernelGGL) {
  EXPECT_EQ(run("k<<<g, b>>>(x, y);", true).text, "hipLaunchKernelGGL(k, g, b, 0, 0, x, y);");
  EXPECT_EQ(run("k<<<g, b, shm, s>>>();", true).text, "hipLaunchKernelGGL(k, g, b, shm, s);");
  EXPECT_EQ(run("f<T, 4><<<1, 2, s>>>(p);", true).text,
            "hipLaunchKernelGGL((f<T, 4>), 1, 2, s, 0, p);");
  EXPECT_EQ(run("ns::k<<<dim3(1, 2), 3>>>(a);", true).text,
            "hipLaunchKernelGGL(ns::k, dim3(1, 2), 3, 0, 0, a);");
  EXPECT_EQ(run("k << <1, 2 >> > (a);", true).text, "hipLaunchKernelGGL(k, 1, 2, 0, 0, a);");
}

TEST(Rewrite, NamesInsideALaunchAreStillTranslated) {
  EXPECT_EQ(run("k<<<1, 1, 0, cudaStreamPerThread>>>(cudaMemcpyDefault);", true).text,
            "hipLaunchKernelGGL(k, 1, 1, 0, hipStreamPerThread, hipMemcpyDefault);");
}

TEST(Rewrite, SpacedLaunchIsClosedUp) {
  EXPECT_EQ(run("k << <1, 2 >> > (a);").text, "k <<<1, 2 >>> (a);");
  EXPECT_EQ(run("x = a << b; y = c >> d;").text, "x = a << b; y = c >> d;");
}

TEST(Rewrite, LeavesCommentsStringsAndMembersAlone) {
  std::string text = "// cudaMalloc here\n"
                     "const char* s = \"cudaMalloc\"; /* cudaFree */\n"
                     "obj.cudaMalloc(); ptr->cudaFree(); other::cudaMalloc();\n";
  Result r = run(text);
  EXPECT_EQ(r.text, text);
  EXPECT_TRUE(r.diagnostics.empty());
}

TEST(Rewrite, LoadsAndStoresOfAnyType) {
  EXPECT_EQ(run("v = __ldcs(&p[i]); __stcs(&q[i], v);").text, "v = (*(&p[i])); (*(&q[i]) = (v));");
}

TEST(Rewrite, UnknownCudaNamesAreReported) {
  Result r = run("int a;\n  cudaFrobnicate(a);\n");
  EXPECT_EQ(r.text, "int a;\n  cudaFrobnicate(a);\n");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].id, DiagId::UnknownCudaName);
  EXPECT_EQ(r.diagnostics[0].line, 2u);
  EXPECT_EQ(r.diagnostics[0].column, 3u);
  EXPECT_EQ(r.stats.unconverted(Family::Runtime), 1u);
}

TEST(Rewrite, TranslatingTwiceChangesNothing) {
  std::string text =
      "#include <cuda_runtime.h>\n"
      "__global__ void k(float* p) { p[0] = __shfl_xor_sync(0xffffffff, p[0], 1); }\n"
      "void f(float* p) { k<<<1, 32>>>(p); cudaDeviceSynchronize(); }\n";
  for (bool ggl : {false, true}) {
    std::string once = run(text, ggl).text;
    EXPECT_NE(once, text);
    EXPECT_EQ(run(once, ggl).text, once);
  }
}

} // namespace

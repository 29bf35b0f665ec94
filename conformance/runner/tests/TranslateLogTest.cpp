#include "../src/TranslateLog.h"

#include <gtest/gtest.h>

namespace drawbridge::runner {
namespace {

// Lines as `drawbridge translate` writes them for the cuBLAS workloads on HIP 5.2.
const std::string kHeader = "/src/CublasLinear.cu:7:11: error: <cublasLt.h> maps to "
                            "<hipblaslt/hipblaslt.h>, which needs HIP 5.5 (target is 5.2); raise "
                            "--hip-version [DBT003]\n";
const std::string kType = "/src/CublasLinear.cu:28:12: error: CUDA_R_16BF maps to HIP_R_16BF, "
                          "which needs HIP 6.0 (target is 5.2); raise --hip-version or rewrite by "
                          "hand [DBT003]\n";
const std::string kCall = "/src/CublasLinear.cu:39:18: error: cublasLtCreate maps to "
                          "hipblasLtCreate, which needs HIP 5.5 (target is 5.2); raise "
                          "--hip-version or rewrite by hand [DBT003]\n";
const std::string kWarning = "/src/kernels/Numeric.cuh:48:26: warning: lane index computed for "
                             "32-lane warps, but a gfx90a wavefront has 64 lanes [DBT006]\n";

TEST(TranslateLog, NewerHipNamesGiveTheFirstNameOfEachVersion) {
  EXPECT_EQ(newerHipNames(kHeader + kType + kCall + kWarning),
            "<cublasLt.h> from HIP 5.5, CUDA_R_16BF from HIP 6.0 (this system's HIP is 5.2)");
  EXPECT_EQ(newerHipNames(kWarning), "");
}

TEST(TranslateLog, OnlyNewerHipErrorsAreNotCheckable) {
  EXPECT_TRUE(onlyNewerHipErrors(kHeader + kWarning + kType + kCall));
}

TEST(TranslateLog, AnyOtherErrorIsAFailure) {
  const std::string cannot = "/src/main.cu:12:3: error: __fadd_rd cannot be translated: no HIP "
                             "equivalent [DBT002]\n";
  EXPECT_FALSE(onlyNewerHipErrors(kHeader + cannot + kType));
  EXPECT_FALSE(onlyNewerHipErrors(kType + "error: cannot read /src/missing.cu [DBT016]\n"));
  EXPECT_FALSE(onlyNewerHipErrors(kType + "error: unknown option --bogus\n"));
}

TEST(TranslateLog, NoErrorsAreNotANewerHipTranslation) {
  EXPECT_FALSE(onlyNewerHipErrors(kWarning));
  EXPECT_FALSE(onlyNewerHipErrors(""));
}

} // namespace
} // namespace drawbridge::runner

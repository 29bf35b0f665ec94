#include "drawbridge/fatbin/PtxSummary.h"

#include <gtest/gtest.h>

namespace drawbridge::fatbin {
namespace {

TEST(PtxSummary, ReadsHeaderAndEntriesSkippingComments) {
  auto s = summarizePtx(R"(//
// .entry in_a_comment(
/* .entry in_a_block_comment */
.version 9.0 // trailing
.target sm_80
.address_size 64
.func helper(.param .b32 x) { ret; }
.visible .entry _Z3fooPf(
  .param .u64 p
) { ret; }
.weak .entry plain_c_kernel() { ret; }
)");
  EXPECT_EQ(s.version, "9.0");
  EXPECT_EQ(s.target, "sm_80");
  EXPECT_EQ(s.kernels, (std::vector<std::string>{"_Z3fooPf", "plain_c_kernel"}));
}

TEST(PtxSummary, EmptyAndUnterminatedInputs) {
  EXPECT_TRUE(summarizePtx("").kernels.empty());
  EXPECT_TRUE(summarizePtx("/* never closed .entry x").kernels.empty());
  EXPECT_EQ(summarizePtx(".entry").kernels, std::vector<std::string>{""});
}

} // namespace
} // namespace drawbridge::fatbin

// The checker end to end: a dump identical to the reference passes, a perturbed one fails with the
// place named, and unreadable inputs are errors.
#include "RunCommand.h"
#include "TempDir.h"
#include "drawbridge/generator/Generator.h"
#include "drawbridge/reference/Transformer.h"

#include <cstdio>
#include <gtest/gtest.h>

using namespace drawbridge;

namespace {

using model::testing::CommandResult;

CommandResult check(const std::string& arguments) {
  return model::testing::runCommand(DRAWBRIDGE_CHECK_DUMP, arguments);
}

class CheckDump : public ::testing::Test {
protected:
  void SetUp() override {
    model::ModelConfig config = generator::presetConfig(generator::Arch::Mistral);
    config.numLayers = 2;
    ASSERT_FALSE(
        model::writeModel(dir.path(), generator::generateWeights(config, 4), model::DType::BF16));
    auto loaded = model::loadModel(dir.path());
    ASSERT_TRUE(loaded) << loaded.error().message;
    weights = std::move(*loaded);
  }

  trace::Trace referenceRun(const reference::Sampling& sampling) {
    return *reference::generate(weights, prompt, 5, sampling);
  }

  std::string arguments(const std::string& extra) {
    return "--model " + dir.path() + " --prompt 3,1,4,1,5,9,2,6,5,3,5 --steps 5 --dump " +
           dir.file("dump.bin") + " " + extra;
  }

  model::testing::TempDir dir;
  model::ModelWeights weights;
  std::vector<int32_t> prompt = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
};

TEST_F(CheckDump, PassesAFaithfulDumpAndFailsAPerturbedOne) {
  trace::Trace faithful = referenceRun({});
  ASSERT_FALSE(trace::writeTrace(dir.file("dump.bin"), faithful));
  CommandResult pass = check(arguments("--precision f32"));
  EXPECT_EQ(pass.status, 0) << pass.output;
  EXPECT_NE(pass.output.find("tokens matched     5 of 5 (0 more within tolerance)"),
            std::string::npos)
      << pass.output;
  EXPECT_NE(pass.output.find("layer 1"), std::string::npos);

  trace::Trace perturbed = faithful;
  perturbed.steps[3].logits[7] += 1.0f;
  ASSERT_FALSE(trace::writeTrace(dir.file("dump.bin"), perturbed));
  CommandResult fail = check(arguments("--precision f32"));
  EXPECT_EQ(fail.status, 1);
  EXPECT_NE(fail.output.find("FAIL: step 3: logits"), std::string::npos) << fail.output;
}

TEST_F(CheckDump, TopPUsesTheSameSeed) {
  reference::Sampling sampling{reference::Sampling::Mode::TopP, 0.8, 77};
  ASSERT_FALSE(trace::writeTrace(dir.file("dump.bin"), referenceRun(sampling)));
  CommandResult pass = check(arguments("--sample top-p --top-p 0.8 --seed 77 --precision bf16"));
  EXPECT_EQ(pass.status, 0) << pass.output;
}

TEST_F(CheckDump, UnreadableInputsAndBadCommandLines) {
  CommandResult missing = check(arguments(""));
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.output.find("dump.bin"), std::string::npos) << missing.output;
  EXPECT_EQ(check("--model " + dir.path()).status, 2);
  ASSERT_FALSE(trace::writeTrace(dir.file("dump.bin"), referenceRun({})));
  CommandResult tooLong =
      check("--model " + dir.path() + " --prompt 1 --steps 1000 --dump " + dir.file("dump.bin"));
  EXPECT_EQ(tooLong.status, 1);
  EXPECT_NE(tooLong.output.find("max_position_embeddings"), std::string::npos);
}

} // namespace

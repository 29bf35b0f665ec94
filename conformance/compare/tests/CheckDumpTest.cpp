// The checker end to end: a dump identical to the reference passes, a perturbed one fails with the
// place named, and unreadable inputs are errors.
#include "TempDir.h"
#include "drawbridge/generator/Generator.h"
#include "drawbridge/reference/Transformer.h"

#include <array>
#include <cstdio>
#include <gtest/gtest.h>
#include <sys/wait.h>

using namespace drawbridge;

namespace {

struct Result {
  int status;
  std::string output;
};

Result check(const std::string& arguments) {
  std::string command = std::string(DRAWBRIDGE_CHECK_DUMP) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  Result result{-1, ""};
  if (!pipe)
    return result;
  std::array<char, 256> buffer;
  while (fgets(buffer.data(), buffer.size(), pipe))
    result.output += buffer.data();
  int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
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
  Result pass = check(arguments("--precision f32"));
  EXPECT_EQ(pass.status, 0) << pass.output;
  EXPECT_NE(pass.output.find("tokens matched     5 of 5"), std::string::npos) << pass.output;
  EXPECT_NE(pass.output.find("layer 1"), std::string::npos);

  trace::Trace perturbed = faithful;
  perturbed.steps[3].logits[7] += 1.0f;
  ASSERT_FALSE(trace::writeTrace(dir.file("dump.bin"), perturbed));
  Result fail = check(arguments("--precision f32"));
  EXPECT_EQ(fail.status, 1);
  EXPECT_NE(fail.output.find("FAIL: step 3: logits"), std::string::npos) << fail.output;
}

TEST_F(CheckDump, TopPUsesTheSameSeed) {
  reference::Sampling sampling{reference::Sampling::Mode::TopP, 0.8, 77};
  ASSERT_FALSE(trace::writeTrace(dir.file("dump.bin"), referenceRun(sampling)));
  Result pass = check(arguments("--sample top-p --top-p 0.8 --seed 77 --precision bf16"));
  EXPECT_EQ(pass.status, 0) << pass.output;
}

TEST_F(CheckDump, UnreadableInputsAndBadCommandLines) {
  Result missing = check(arguments(""));
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.output.find("dump.bin"), std::string::npos) << missing.output;
  EXPECT_EQ(check("--model " + dir.path()).status, 2);
  Result tooLong = check("--model " + dir.path() + " --prompt 1 --steps 1000 --dump x");
  EXPECT_EQ(tooLong.status, 1);
  EXPECT_NE(tooLong.output.find("max_position_embeddings"), std::string::npos);
}

} // namespace

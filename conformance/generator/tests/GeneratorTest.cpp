#include "drawbridge/generator/Generator.h"

#include "TempDir.h"
#include "drawbridge/model/Files.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>

using namespace drawbridge;
using namespace drawbridge::generator;
using model::testing::TempDir;

namespace {

// The suite runs sequences of 16 positions or more; Mistral's window must be shorter.
constexpr int64_t kTestSequence = 16;

TEST(Generator, PresetsHaveEachFamilysShape) {
  model::ModelConfig llama2 = presetConfig(Arch::Llama2);
  EXPECT_EQ(llama2.numKvHeads, llama2.numHeads);
  EXPECT_EQ(llama2.ropeTheta, 10000);
  EXPECT_FALSE(llama2.isMistral());
  EXPECT_EQ(llama2.slidingWindow, 0);

  model::ModelConfig llama3 = presetConfig(Arch::Llama3);
  EXPECT_EQ(llama3.numHeads / llama3.numKvHeads, 4);
  EXPECT_EQ(llama3.ropeTheta, 500000);
  EXPECT_GE(llama3.vocabSize, 32000);
  EXPECT_GT(llama3.vocabSize, 100 * llama3.hiddenSize);

  model::ModelConfig mistral = presetConfig(Arch::Mistral);
  EXPECT_TRUE(mistral.isMistral());
  EXPECT_GT(mistral.numHeads, mistral.numKvHeads);
  EXPECT_GT(mistral.slidingWindow, 0);
  EXPECT_LT(mistral.slidingWindow, kTestSequence);

  for (Arch arch : {Arch::Llama2, Arch::Llama3, Arch::Mistral}) {
    model::ModelConfig c = presetConfig(arch);
    EXPECT_GE(c.numLayers, 2) << archName(arch);
    EXPECT_EQ(c.headDim * c.numHeads, c.hiddenSize);
    EXPECT_EQ(parseArch(archName(arch)), arch);
    // The config survives config.json unchanged.
    auto back = model::parseConfig(model::writeConfig(c), "config.json");
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(model::writeConfig(*back), model::writeConfig(c));
  }
  EXPECT_NE(presetConfig(Arch::Llama2).intermediateSize % 32, 0); // an edge shape on purpose
}

TEST(Generator, SameSeedSameWeightsOtherSeedOtherWeights) {
  model::ModelConfig c = presetConfig(Arch::Mistral);
  model::ModelWeights a = generateWeights(c, 5), b = generateWeights(c, 5),
                      d = generateWeights(c, 6);
  EXPECT_EQ(a.layers[2].down.values, b.layers[2].down.values);
  EXPECT_EQ(a.lmHead.values, b.lmHead.values);
  EXPECT_NE(a.layers[2].down.values, d.layers[2].down.values);
  EXPECT_NE(a.layers[0].q.values, a.layers[1].q.values); // layers are not copies of each other
}

double sampleStd(const std::vector<float>& values, double mean) {
  double squares = 0;
  for (float v : values)
    squares += (v - mean) * (v - mean);
  return std::sqrt(squares / values.size());
}

TEST(Generator, ScalesKeepActivationsConditioned) {
  model::ModelConfig c = presetConfig(Arch::Llama2);
  model::ModelWeights w = generateWeights(c, 1);
  EXPECT_NEAR(sampleStd(w.layers[0].q.values, 0), 1 / std::sqrt(double(c.hiddenSize)), 0.005);
  EXPECT_NEAR(sampleStd(w.layers[1].down.values, 0), 1 / std::sqrt(double(c.intermediateSize)),
              0.005);
  EXPECT_NEAR(sampleStd(w.layers[0].inputNorm.values, 1), 0.1, 0.03);
  EXPECT_NEAR(sampleStd(w.embed.values, 0), 1 / std::sqrt(double(c.hiddenSize)), 0.005);
  model::ModelWeights tied = generateWeights(presetConfig(Arch::Llama3), 1);
  EXPECT_EQ(tied.lmHead.values, tied.embed.values);
}

int makeModel(const std::string& arguments) {
  return std::system(
      (std::string(DRAWBRIDGE_MAKE_MODEL) + " " + arguments + " 2>/dev/null").c_str());
}

uintmax_t directorySize(const std::string& path) {
  uintmax_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(path))
    total += entry.file_size();
  return total;
}

TEST(MakeModel, WritesIdenticalBytesForTheSameSeed) {
  for (const char* arch : {"llama2", "llama3", "mistral"})
    for (const char* dtype : {"f32", "bf16"}) {
      TempDir a, b;
      std::string common = std::string("--arch ") + arch + " --dtype " + dtype + " --seed 3";
      ASSERT_EQ(makeModel(common + " --out " + a.path()), 0);
      ASSERT_EQ(makeModel(common + " --out " + b.path()), 0);
      for (const char* file : {"config.json", "model.safetensors"})
        EXPECT_EQ(*model::readFileBytes(a.file(file)), *model::readFileBytes(b.file(file)));
      EXPECT_LT(directorySize(a.path()), 12u << 20) << arch; // a few MB
      auto loaded = model::loadModel(a.path());
      ASSERT_TRUE(loaded) << loaded.error().message;
      EXPECT_EQ(loaded->config.torchDType, *model::parseDTypeWord(dtype));
      EXPECT_EQ(model::writeConfig(loaded->config), model::writeConfig([&] {
                  model::ModelConfig c = presetConfig(*parseArch(arch));
                  c.torchDType = *model::parseDTypeWord(dtype);
                  return c;
                }()));
    }
}

TEST(MakeModel, OptionsAndErrors) {
  TempDir dir;
  ASSERT_EQ(makeModel("--arch llama2 --dtype f16 --seed 1 --tied --shards 2 --out " + dir.path()),
            0);
  auto loaded = model::loadModel(dir.path());
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_TRUE(loaded->config.tieWordEmbeddings);
  EXPECT_TRUE(std::filesystem::exists(dir.file("model.safetensors.index.json")));
  EXPECT_NE(makeModel("--arch gpt2 --dtype f32 --seed 1 --out " + dir.path()), 0);
  EXPECT_NE(makeModel("--arch llama2 --dtype f8 --seed 1 --out " + dir.path()), 0);
  EXPECT_NE(makeModel("--arch llama2 --dtype f32 --seed -1 --out " + dir.path()), 0);
  EXPECT_NE(makeModel("--arch llama2 --dtype f32 --out " + dir.path()), 0);
  EXPECT_NE(makeModel("--arch llama2 --dtype f32 --seed 1 --frob 2 --out " + dir.path()), 0);
}

} // namespace

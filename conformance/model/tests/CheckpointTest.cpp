#include "drawbridge/model/Checkpoint.h"

#include "TempDir.h"
#include "drawbridge/model/Files.h"
#include "drawbridge/model/Safetensors.h"

#include <filesystem>
#include <gtest/gtest.h>

using namespace drawbridge::model;
using drawbridge::model::testing::TempDir;

namespace {

ModelConfig smallConfig(bool tied) {
  ModelConfig c;
  c.hiddenSize = 16;
  c.intermediateSize = 40;
  c.numLayers = 2;
  c.numHeads = 4;
  c.numKvHeads = 2;
  c.headDim = 4;
  c.vocabSize = 33;
  c.tieWordEmbeddings = tied;
  return c;
}

// Distinct values in every tensor, so a tensor read from the wrong place is noticed.
ModelWeights filled(const ModelConfig& config) {
  ModelWeights w = shapedWeights(config);
  float next = 0.5f;
  auto fill = [&](Tensor& t) {
    for (float& v : t.values)
      v = (next += 0.25f);
  };
  fill(w.embed);
  for (LayerWeights& l : w.layers)
    for (Tensor* t : {&l.inputNorm, &l.q, &l.k, &l.v, &l.o, &l.postNorm, &l.gate, &l.up, &l.down})
      fill(*t);
  fill(w.norm);
  if (config.tieWordEmbeddings)
    w.lmHead = w.embed;
  else
    fill(w.lmHead);
  return w;
}

void expectSame(const Tensor& a, const Tensor& b, DType dtype) {
  ASSERT_EQ(a.shape, b.shape);
  ASSERT_EQ(a.values.size(), b.values.size());
  for (size_t i = 0; i < a.values.size(); ++i)
    ASSERT_EQ(a.values[i], roundTo(dtype, b.values[i])) << i;
}

void expectSameModel(const ModelWeights& loaded, const ModelWeights& written, DType dtype) {
  expectSame(loaded.embed, written.embed, dtype);
  ASSERT_EQ(loaded.layers.size(), written.layers.size());
  for (size_t i = 0; i < loaded.layers.size(); ++i) {
    const LayerWeights &a = loaded.layers[i], &b = written.layers[i];
    expectSame(a.q, b.q, dtype);
    expectSame(a.k, b.k, dtype);
    expectSame(a.v, b.v, dtype);
    expectSame(a.o, b.o, dtype);
    expectSame(a.gate, b.gate, dtype);
    expectSame(a.up, b.up, dtype);
    expectSame(a.down, b.down, dtype);
    expectSame(a.inputNorm, b.inputNorm, dtype);
    expectSame(a.postNorm, b.postNorm, dtype);
  }
  expectSame(loaded.norm, written.norm, dtype);
  expectSame(loaded.lmHead, written.lmHead, dtype);
  EXPECT_EQ(loaded.config.torchDType, dtype);
}

TEST(Checkpoint, RoundTripEachDTypeTiedAndUntied) {
  for (bool tied : {false, true})
    for (DType dtype : {DType::F32, DType::F16, DType::BF16}) {
      TempDir dir;
      ModelWeights written = filled(smallConfig(tied));
      ASSERT_FALSE(writeModel(dir.path(), written, dtype));
      auto file = readSafetensors(dir.file("model.safetensors"));
      ASSERT_TRUE(file);
      EXPECT_EQ(file->find("lm_head.weight") == nullptr, tied);
      EXPECT_NE(file->find("model.layers.1.mlp.down_proj.weight"), nullptr);
      auto loaded = loadModel(dir.path());
      ASSERT_TRUE(loaded) << loaded.error().message;
      expectSameModel(*loaded, written, dtype);
    }
}

TEST(Checkpoint, Sharded) {
  TempDir dir;
  ModelWeights written = filled(smallConfig(false));
  ASSERT_FALSE(writeModel(dir.path(), written, DType::BF16, 3));
  EXPECT_TRUE(std::filesystem::exists(dir.file("model-00003-of-00003.safetensors")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("model.safetensors.index.json")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("model.safetensors")));
  auto loaded = loadModel(dir.path());
  ASSERT_TRUE(loaded) << loaded.error().message;
  expectSameModel(*loaded, written, DType::BF16);
}

TEST(Checkpoint, SameWeightsGiveSameBytes) {
  TempDir a, b;
  ModelWeights written = filled(smallConfig(false));
  ASSERT_FALSE(writeModel(a.path(), written, DType::F16, 2));
  ASSERT_FALSE(writeModel(b.path(), written, DType::F16, 2));
  for (const char* name :
       {"config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors"})
    EXPECT_EQ(*readFileBytes(a.file(name)), *readFileBytes(b.file(name))) << name;
}

// Rewrites the single-file checkpoint in `dir` with `tensors` instead of the model's own.
void replaceTensors(const TempDir& dir, const std::vector<TensorToWrite>& tensors) {
  ASSERT_FALSE(writeFileBytes(dir.file("model.safetensors"), encodeSafetensors(tensors, {})));
}

void expectLoadError(const std::string& path, const std::vector<std::string>& fragments) {
  auto loaded = loadModel(path);
  ASSERT_FALSE(loaded);
  for (const std::string& fragment : fragments)
    EXPECT_NE(loaded.error().message.find(fragment), std::string::npos)
        << "missing \"" << fragment << "\" in: " << loaded.error().message;
}

TEST(Checkpoint, MissingTensorAndWrongShape) {
  TempDir dir;
  ModelWeights w = filled(smallConfig(true));
  ASSERT_FALSE(writeModel(dir.path(), w, DType::F32));
  replaceTensors(dir, {{"model.embed_tokens.weight", DType::F32, {33, 16}, w.embed.values}});
  expectLoadError(dir.path(),
                  {"model.layers.0.input_layernorm.weight", "missing", "model.safetensors"});
  replaceTensors(dir, {{"model.embed_tokens.weight", DType::F32, {16, 33}, w.embed.values}});
  expectLoadError(dir.path(), {"model.safetensors", "model.embed_tokens.weight", "\"shape\"",
                               "[16, 33]", "[33, 16]"});
}

TEST(Checkpoint, MissingFilesAndBadIndex) {
  TempDir dir;
  expectLoadError(dir.path(), {"config.json"});
  ModelWeights w = filled(smallConfig(false));
  ASSERT_FALSE(writeModel(dir.path(), w, DType::F32, 2));
  std::filesystem::remove(dir.file("model-00002-of-00002.safetensors"));
  expectLoadError(dir.path(), {"model-00002-of-00002.safetensors"});
  ASSERT_FALSE(writeFileText(dir.file("model.safetensors.index.json"),
                             R"({"weight_map":{"lm_head.weight":"../x.safetensors"}})"));
  expectLoadError(dir.path(), {"model.safetensors.index.json", "lm_head.weight", "same directory"});
  ASSERT_FALSE(
      writeFileText(dir.file("model.safetensors.index.json"),
                    R"({"weight_map":{"lm_head.weight":"model-00001-of-00002.safetensors"}})"));
  expectLoadError(dir.path(), {"lm_head.weight", "does not hold it"});
  ASSERT_FALSE(writeFileText(dir.file("model.safetensors.index.json"), R"({"weight_map":[]})"));
  expectLoadError(dir.path(), {"\"weight_map\""});
  std::filesystem::remove(dir.file("model.safetensors.index.json"));
  expectLoadError(dir.path(), {"neither model.safetensors nor"});
}

} // namespace

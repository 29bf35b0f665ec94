#include "drawbridge/model/Config.h"

#include <gtest/gtest.h>

using namespace drawbridge::model;

namespace {

// The fields of a real Mistral-7B-v0.1 config.json (values as published).
const char* kMistral = R"({
  "architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2,
  "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
  "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mistral",
  "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
  "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 4096,
  "tie_word_embeddings": false, "torch_dtype": "bfloat16", "transformers_version": "4.34.0",
  "use_cache": true, "vocab_size": 32000})";

TEST(Config, ReadsARealMistralConfig) {
  auto config = parseConfig(kMistral, "config.json");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->isMistral());
  EXPECT_EQ(config->hiddenSize, 4096);
  EXPECT_EQ(config->numKvHeads, 8);
  EXPECT_EQ(config->headDim, 128);
  EXPECT_EQ(config->slidingWindow, 4096);
  EXPECT_EQ(config->torchDType, DType::BF16);
  EXPECT_EQ(config->rmsNormEps, 1e-5);
  EXPECT_FALSE(config->tieWordEmbeddings);
}

TEST(Config, DefaultsFollowHuggingFace) {
  auto config = parseConfig(R"({"architectures":["LlamaForCausalLM"],"hidden_size":64,
    "intermediate_size":100,"num_hidden_layers":2,"num_attention_heads":4,"vocab_size":10,
    "rms_norm_eps":1e-6,"sliding_window":null,"rope_scaling":null,"dtype":"float16"})",
                            "c.json");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->numKvHeads, 4);
  EXPECT_EQ(config->headDim, 16);
  EXPECT_EQ(config->ropeTheta, 10000);
  EXPECT_EQ(config->slidingWindow, 0);
  EXPECT_EQ(config->torchDType, DType::F16);
}

TEST(Config, WriteThenReadIsIdentity) {
  ModelConfig c;
  c.architecture = "MistralForCausalLM";
  c.hiddenSize = 96;
  c.intermediateSize = 200;
  c.numLayers = 3;
  c.numHeads = 6;
  c.numKvHeads = 2;
  c.headDim = 24;
  c.vocabSize = 1000;
  c.maxPositions = 128;
  c.rmsNormEps = 1e-6;
  c.ropeTheta = 500000;
  c.slidingWindow = 7;
  c.tieWordEmbeddings = true;
  c.torchDType = DType::F16;
  auto back = parseConfig(writeConfig(c), "config.json");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(writeConfig(*back), writeConfig(c));
  EXPECT_EQ(back->headDim, 24);
  EXPECT_EQ(back->slidingWindow, 7);
  EXPECT_EQ(back->ropeTheta, 500000);
  EXPECT_TRUE(back->tieWordEmbeddings);
}

TEST(Config, ErrorsNameTheFileAndField) {
  std::string base = R"("architectures":["LlamaForCausalLM"],"intermediate_size":8,
    "num_hidden_layers":1,"vocab_size":10,"rms_norm_eps":1e-6)";
  struct Case {
    std::string text;
    std::string fragment;
  };
  const Case cases[] = {
      {"{" + base + R"(,"num_attention_heads":4})", "\"hidden_size\" is missing"},
      {"{" + base + R"(,"hidden_size":"64","num_attention_heads":4})",
       "\"hidden_size\" must be an integer"},
      {"{" + base + R"(,"hidden_size":64,"num_attention_heads":4,"num_key_value_heads":3})",
       "\"num_key_value_heads\" 3 does not divide"},
      {"{" + base + R"(,"hidden_size":12,"num_attention_heads":4})", "\"head_dim\" must be even"},
      {"{" + base + R"(,"hidden_size":64,"num_attention_heads":0})",
       "\"num_attention_heads\" must be positive"},
      {"{" + base + R"(,"hidden_size":64,"num_attention_heads":4,"torch_dtype":"int8"})",
       "\"torch_dtype\""},
      {"{" + base + R"(,"hidden_size":64,"num_attention_heads":4,"dtype":"int8"})",
       "\"dtype\" must be"},
      {"{" + base +
           R"(,"hidden_size":64,"num_attention_heads":4,"rope_scaling":{"rope_type":"llama3"}})",
       "\"rope_scaling\" is set"},
      {R"({"architectures":["GPT2LMHeadModel"]})", "GPT2LMHeadModel\" is not supported"},
      {"{", "not valid JSON"},
  };
  for (const Case& c : cases) {
    auto config = parseConfig(c.text, "dir/config.json");
    ASSERT_FALSE(config) << c.text;
    EXPECT_NE(config.error().message.find("dir/config.json"), std::string::npos);
    EXPECT_NE(config.error().message.find(c.fragment), std::string::npos) << config.error().message;
  }
}

} // namespace

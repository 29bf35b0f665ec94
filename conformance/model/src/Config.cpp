#include "drawbridge/model/Config.h"

#include "drawbridge/model/Json.h"

#include <optional>

namespace drawbridge::model {
namespace {

// Reads fields from the top-level object, recording the first problem with the field's name.
class FieldReader {
public:
  FieldReader(const Json& root, const std::string& fileName) : root_(root), fileName_(fileName) {}

  void integer(const char* key, int64_t& out, bool required) {
    const Json* value = root_.find(key);
    if (!value || value->isNull()) {
      if (required)
        fail(key, "is missing");
      return;
    }
    if (!value->isInteger())
      return fail(key, std::string("must be an integer, found ") + Json::kindName(value->kind()));
    out = value->asInteger();
  }

  void number(const char* key, double& out) {
    const Json* value = root_.find(key);
    if (!value || value->isNull())
      return;
    if (!value->isNumber())
      return fail(key, std::string("must be a number, found ") + Json::kindName(value->kind()));
    out = value->asNumber();
  }

  void boolean(const char* key, bool& out) {
    const Json* value = root_.find(key);
    if (!value || value->isNull())
      return;
    if (!value->isBool())
      return fail(key,
                  std::string("must be true or false, found ") + Json::kindName(value->kind()));
    out = value->asBool();
  }

  void fail(const std::string& key, const std::string& problem) {
    if (!error_)
      error_ = Error{fileName_ + ": field \"" + key + "\" " + problem};
  }

  const std::optional<Error>& error() const { return error_; }

private:
  const Json& root_;
  const std::string& fileName_;
  std::optional<Error> error_;
};

std::optional<std::string> architectureOf(const Json& root) {
  const Json* list = root.find("architectures");
  if (!list || !list->isArray() || list->items().size() != 1 || !list->items()[0].isString())
    return std::nullopt;
  return list->items()[0].asString();
}

void readFields(FieldReader& fields, const Json& root, ModelConfig& config) {
  fields.integer("hidden_size", config.hiddenSize, true);
  fields.integer("intermediate_size", config.intermediateSize, true);
  fields.integer("num_hidden_layers", config.numLayers, true);
  fields.integer("num_attention_heads", config.numHeads, true);
  fields.integer("vocab_size", config.vocabSize, true);
  config.numKvHeads = config.numHeads;
  fields.integer("num_key_value_heads", config.numKvHeads, false);
  fields.integer("max_position_embeddings", config.maxPositions, false);
  fields.integer("sliding_window", config.slidingWindow, false);
  fields.number("rms_norm_eps", config.rmsNormEps);
  fields.number("rope_theta", config.ropeTheta);
  fields.boolean("tie_word_embeddings", config.tieWordEmbeddings);
  if (config.numHeads > 0)
    config.headDim = config.hiddenSize / config.numHeads;
  fields.integer("head_dim", config.headDim, false);
  // Newer transformers releases write "dtype" where older ones wrote "torch_dtype".
  for (const char* key : {"torch_dtype", "dtype"}) {
    const Json* dtype = root.find(key);
    if (!dtype || dtype->isNull())
      continue;
    std::optional<DType> parsed =
        dtype->isString() ? parseDTypeWord(dtype->asString()) : std::nullopt;
    if (!parsed)
      fields.fail(key, "must be \"float32\", \"float16\" or \"bfloat16\"");
    else
      config.torchDType = *parsed;
  }
  // Scaled RoPE (Llama 3.1's "llama3", YaRN, linear) changes the frequencies; computing plain
  // RoPE instead would compare wrong numbers with wrong numbers, so such models are refused.
  if (const Json* scaling = root.find("rope_scaling"); scaling && !scaling->isNull())
    fields.fail("rope_scaling", "is set; scaled rotary embeddings are not supported");
}

void checkConsistency(FieldReader& fields, const ModelConfig& c) {
  const std::pair<const char*, int64_t> positive[] = {{"hidden_size", c.hiddenSize},
                                                      {"intermediate_size", c.intermediateSize},
                                                      {"num_hidden_layers", c.numLayers},
                                                      {"num_attention_heads", c.numHeads},
                                                      {"num_key_value_heads", c.numKvHeads},
                                                      {"vocab_size", c.vocabSize},
                                                      {"head_dim", c.headDim},
                                                      {"max_position_embeddings", c.maxPositions}};
  for (auto [key, value] : positive)
    if (value <= 0)
      fields.fail(key, "must be positive, found " + std::to_string(value));
  if (fields.error())
    return;
  if (c.numHeads % c.numKvHeads != 0)
    fields.fail("num_key_value_heads", std::to_string(c.numKvHeads) +
                                           " does not divide num_attention_heads " +
                                           std::to_string(c.numHeads));
  if (c.headDim % 2 != 0)
    fields.fail("head_dim",
                "must be even for rotary embeddings, found " + std::to_string(c.headDim));
  if (c.slidingWindow < 0)
    fields.fail("sliding_window", "must not be negative");
  if (c.rmsNormEps <= 0)
    fields.fail("rms_norm_eps", "must be positive");
  if (c.ropeTheta <= 0)
    fields.fail("rope_theta", "must be positive");
}

} // namespace

Expected<ModelConfig> parseConfig(const std::string& text, const std::string& fileName) {
  Expected<Json> root = parseJson(text);
  if (!root)
    return Error{fileName + ": not valid JSON: " + root.error().message};
  if (!root->isObject())
    return Error{fileName + ": the top level must be an object"};
  ModelConfig config;
  std::optional<std::string> architecture = architectureOf(*root);
  if (!architecture)
    return Error{fileName + ": field \"architectures\" must list one architecture"};
  if (*architecture != "LlamaForCausalLM" && *architecture != "MistralForCausalLM")
    return Error{fileName + ": architecture \"" + *architecture +
                 "\" is not supported (LlamaForCausalLM, MistralForCausalLM)"};
  config.architecture = *architecture;
  FieldReader fields(*root, fileName);
  readFields(fields, *root, config);
  if (!fields.error())
    checkConsistency(fields, config);
  if (fields.error())
    return *fields.error();
  return config;
}

std::string writeConfig(const ModelConfig& c) {
  Json root = Json::object();
  root.set("architectures", Json::array({Json(c.architecture)}));
  root.set("model_type", c.isMistral() ? "mistral" : "llama");
  root.set("hidden_size", c.hiddenSize);
  root.set("intermediate_size", c.intermediateSize);
  root.set("num_hidden_layers", c.numLayers);
  root.set("num_attention_heads", c.numHeads);
  root.set("num_key_value_heads", c.numKvHeads);
  root.set("head_dim", c.headDim);
  root.set("vocab_size", c.vocabSize);
  root.set("max_position_embeddings", c.maxPositions);
  root.set("rms_norm_eps", c.rmsNormEps);
  root.set("rope_theta", c.ropeTheta);
  root.set("sliding_window", c.slidingWindow > 0 ? Json(c.slidingWindow) : Json());
  root.set("tie_word_embeddings", c.tieWordEmbeddings);
  root.set("hidden_act", "silu");
  root.set("torch_dtype", torchDTypeName(c.torchDType));
  return writeJson(root, 2) + "\n";
}

} // namespace drawbridge::model

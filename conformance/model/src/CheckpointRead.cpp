#include "TensorSlots.h"
#include "drawbridge/model/Checkpoint.h"
#include "drawbridge/model/Files.h"
#include "drawbridge/model/Json.h"
#include "drawbridge/model/Safetensors.h"

#include <filesystem>
#include <map>

namespace drawbridge::model {
namespace {

namespace fs = std::filesystem;

// Which file holds each tensor, and the files themselves, loaded once each.
struct Shards {
  std::map<std::string, std::string> fileOfTensor; // empty for a single-file checkpoint
  std::map<std::string, SafetensorsFile> files;    // by file name within the directory
};

Expected<Shards> readIndex(const fs::path& indexPath) {
  std::string name = indexPath.string();
  Expected<std::string> text = readFileText(name);
  if (!text)
    return std::move(text).takeError();
  Expected<Json> index = parseJson(*text);
  if (!index)
    return Error{name + ": not valid JSON: " + index.error().message};
  const Json* map = index->isObject() ? index->find("weight_map") : nullptr;
  if (!map || !map->isObject())
    return Error{name + ": field \"weight_map\" is missing or not an object"};
  Shards shards;
  for (const auto& [tensor, file] : map->members()) {
    // A shard name is a plain file in the same directory; anything else could escape it.
    if (!file.isString() || file.asString().empty() ||
        file.asString().find('/') != std::string::npos || file.asString() == "..")
      return Error{name + ": field \"weight_map\" entry \"" + tensor +
                   "\" must name a file in the same directory"};
    shards.fileOfTensor[tensor] = file.asString();
  }
  return shards;
}

Expected<Shards> readShards(const fs::path& directory) {
  fs::path index = directory / "model.safetensors.index.json";
  Shards shards;
  if (fs::exists(index)) {
    Expected<Shards> read = readIndex(index);
    if (!read)
      return read;
    shards = std::move(*read);
  } else if (!fs::exists(directory / "model.safetensors")) {
    return Error{directory.string() +
                 ": neither model.safetensors nor model.safetensors.index.json is present"};
  }
  std::vector<std::string> names;
  for (const auto& [tensor, file] : shards.fileOfTensor)
    names.push_back(file);
  if (shards.fileOfTensor.empty())
    names.push_back("model.safetensors");
  for (const std::string& file : names) {
    if (shards.files.count(file))
      continue;
    Expected<SafetensorsFile> read = readSafetensors((directory / file).string());
    if (!read)
      return std::move(read).takeError();
    shards.files.emplace(file, std::move(*read));
  }
  for (const auto& [tensor, file] : shards.fileOfTensor)
    if (!shards.files.at(file).find(tensor))
      return Error{(directory / "model.safetensors.index.json").string() + ": tensor \"" + tensor +
                   "\" is mapped to " + file + ", which does not hold it"};
  return shards;
}

Expected<Tensor> readTensor(const Shards& shards, const fs::path& directory,
                            const TensorSlot<Tensor>& slot) {
  auto mapped = shards.fileOfTensor.find(slot.name);
  const SafetensorsFile* file = nullptr;
  if (mapped != shards.fileOfTensor.end())
    file = &shards.files.at(mapped->second);
  else if (shards.fileOfTensor.empty())
    file = &shards.files.begin()->second;
  const TensorEntry* entry = file ? file->find(slot.name) : nullptr;
  if (!entry)
    return Error{directory.string() + ": tensor \"" + slot.name + "\" is missing" +
                 (file ? " from " + file->path : " from the index's weight_map")};
  if (entry->shape != slot.shape)
    return Error{file->path + ": tensor \"" + slot.name + "\": field \"shape\" is " +
                 shapeText(entry->shape) + ", config.json implies " + shapeText(slot.shape)};
  return Tensor{entry->shape, file->toFloat(*entry)};
}

} // namespace

ModelWeights shapedWeights(const ModelConfig& config) {
  ModelWeights weights;
  weights.config = config;
  weights.layers.resize(static_cast<size_t>(config.numLayers));
  for (TensorSlot<Tensor>& slot : tensorSlots(weights))
    *slot.tensor =
        Tensor{slot.shape, std::vector<float>(static_cast<size_t>(elementCount(slot.shape)))};
  if (config.tieWordEmbeddings)
    weights.lmHead = weights.embed;
  return weights;
}

Expected<ModelWeights> loadModel(const std::string& directoryName) {
  fs::path directory(directoryName);
  std::string configPath = (directory / "config.json").string();
  Expected<std::string> configText = readFileText(configPath);
  if (!configText)
    return std::move(configText).takeError();
  Expected<ModelConfig> config = parseConfig(*configText, configPath);
  if (!config)
    return std::move(config).takeError();
  Expected<Shards> shards = readShards(directory);
  if (!shards)
    return std::move(shards).takeError();

  ModelWeights weights;
  weights.config = *config;
  weights.layers.resize(static_cast<size_t>(config->numLayers));
  for (TensorSlot<Tensor>& slot : tensorSlots(weights)) {
    Expected<Tensor> tensor = readTensor(*shards, directory, slot);
    if (!tensor)
      return std::move(tensor).takeError();
    *slot.tensor = std::move(*tensor);
  }
  if (config->tieWordEmbeddings)
    weights.lmHead = weights.embed;
  return weights;
}

} // namespace drawbridge::model

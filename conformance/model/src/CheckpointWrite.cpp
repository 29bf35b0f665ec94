#include "TensorSlots.h"
#include "drawbridge/model/Checkpoint.h"
#include "drawbridge/model/Files.h"
#include "drawbridge/model/Json.h"
#include "drawbridge/model/Safetensors.h"

#include <cstdio>
#include <filesystem>
#include <system_error>

namespace drawbridge::model {
namespace {

namespace fs = std::filesystem;

std::string shardName(int index, int count) {
  char name[64];
  std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", index + 1, count);
  return name;
}

} // namespace

std::optional<Error> writeModel(const std::string& directoryName, const ModelWeights& weights,
                                DType dtype, int shards) {
  fs::path directory(directoryName);
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec)
    return Error{"cannot create " + directoryName + ": " + ec.message()};
  if (shards < 1)
    return Error{"the shard count must be at least 1"};

  ModelConfig config = weights.config;
  config.torchDType = dtype;
  if (std::optional<Error> e =
          writeFileText((directory / "config.json").string(), writeConfig(config)))
    return e;

  auto slots = tensorSlots(weights);
  // Contiguous runs of tensors per shard, as large checkpoints are split.
  size_t perShard = (slots.size() + static_cast<size_t>(shards) - 1) / static_cast<size_t>(shards);
  Json weightMap = Json::object();
  int64_t totalSize = 0;
  for (int shard = 0; shard < shards; ++shard) {
    std::vector<TensorToWrite> tensors;
    std::string file = shards == 1 ? "model.safetensors" : shardName(shard, shards);
    for (size_t i = shard * perShard; i < std::min(slots.size(), (shard + 1) * perShard); ++i) {
      tensors.push_back({slots[i].name, dtype, slots[i].shape, slots[i].tensor->values});
      weightMap.set(slots[i].name, file);
      totalSize += elementCount(slots[i].shape) * static_cast<int64_t>(dtypeSize(dtype));
    }
    std::vector<std::byte> bytes = encodeSafetensors(tensors, {{"format", "pt"}});
    if (std::optional<Error> e = writeFileBytes((directory / file).string(), bytes))
      return e;
  }
  if (shards == 1)
    return std::nullopt;
  Json index = Json::object();
  index.set("metadata", Json::object({{"total_size", Json(totalSize)}}));
  index.set("weight_map", std::move(weightMap));
  return writeFileText((directory / "model.safetensors.index.json").string(),
                       writeJson(index, 2) + "\n");
}

} // namespace drawbridge::model

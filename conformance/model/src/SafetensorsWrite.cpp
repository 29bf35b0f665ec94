#include "drawbridge/model/Json.h"
#include "drawbridge/model/Safetensors.h"

#include <cstring>

namespace drawbridge::model {
namespace {

void appendValues(std::vector<std::byte>& out, const TensorToWrite& tensor) {
  for (float value : tensor.values) {
    if (tensor.dtype == DType::F32) {
      uint32_t bits;
      std::memcpy(&bits, &value, 4);
      for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::byte>(bits >> (8 * i)));
      continue;
    }
    uint16_t bits = tensor.dtype == DType::F16 ? floatToHalf(value) : floatToBFloat16(value);
    out.push_back(static_cast<std::byte>(bits & 0xFF));
    out.push_back(static_cast<std::byte>(bits >> 8));
  }
}

} // namespace

std::vector<std::byte>
encodeSafetensors(const std::vector<TensorToWrite>& tensors,
                  const std::vector<std::pair<std::string, std::string>>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) {
    Json meta = Json::object();
    for (const auto& [key, value] : metadata)
      meta.set(key, value);
    header.set("__metadata__", std::move(meta));
  }
  std::vector<std::byte> data;
  for (const TensorToWrite& tensor : tensors) {
    Json shape = Json::array();
    for (int64_t dim : tensor.shape)
      shape.push(dim);
    int64_t begin = static_cast<int64_t>(data.size());
    appendValues(data, tensor);
    Json entry = Json::object();
    entry.set("dtype", dtypeName(tensor.dtype));
    entry.set("shape", std::move(shape));
    entry.set("data_offsets", Json::array({Json(begin), Json(static_cast<int64_t>(data.size()))}));
    header.set(tensor.name, std::move(entry));
  }
  std::string headerText = writeJson(header);
  headerText.append((8 - headerText.size() % 8) % 8, ' ');

  std::vector<std::byte> out;
  out.reserve(8 + headerText.size() + data.size());
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<std::byte>(static_cast<uint64_t>(headerText.size()) >> (8 * i)));
  for (char c : headerText)
    out.push_back(static_cast<std::byte>(c));
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

} // namespace drawbridge::model

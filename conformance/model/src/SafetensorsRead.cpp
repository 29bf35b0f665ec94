#include "drawbridge/model/Files.h"
#include "drawbridge/model/Json.h"
#include "drawbridge/model/Safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace drawbridge::model {
namespace {

// Real headers are a few hundred kilobytes; a larger length is corruption, not a model.
constexpr uint64_t kMaxHeaderLength = 100u << 20;

uint64_t readLittleEndian64(const std::byte* p) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | static_cast<uint8_t>(p[i]);
  return value;
}

class HeaderReader {
public:
  HeaderReader(const std::string& fileName, uint64_t dataSize)
      : fileName_(fileName), dataSize_(dataSize) {}

  Expected<TensorEntry> tensor(const std::string& name, const Json& value) const {
    if (!value.isObject())
      return fail(name, "entry", "must be an object");
    TensorEntry entry;
    entry.name = name;
    const Json* dtype = value.find("dtype");
    if (!dtype || !dtype->isString())
      return fail(name, "dtype", "is missing or not a string");
    std::optional<DType> parsed = parseDType(dtype->asString());
    if (!parsed)
      return fail(name, "dtype",
                  "\"" + dtype->asString() + "\" is not supported (F32, F16 and BF16 are)");
    entry.dtype = *parsed;
    const Json* shape = value.find("shape");
    if (!shape || !shape->isArray())
      return fail(name, "shape", "is missing or not an array");
    uint64_t count = 1;
    for (const Json& dim : shape->items()) {
      if (!dim.isInteger() || dim.asInteger() < 0)
        return fail(name, "shape", "must hold non-negative integers");
      // Bounded so that the size computed below cannot overflow.
      uint64_t extent = static_cast<uint64_t>(dim.asInteger());
      if (extent != 0 && count > (uint64_t{1} << 60) / extent)
        return fail(name, "shape", shapeText(entry.shape) + "... is too large");
      count *= extent;
      entry.shape.push_back(dim.asInteger());
    }
    const Json* offsets = value.find("data_offsets");
    if (!offsets || !offsets->isArray() || offsets->items().size() != 2 ||
        !offsets->items()[0].isInteger() || !offsets->items()[1].isInteger() ||
        offsets->items()[0].asInteger() < 0 || offsets->items()[1].asInteger() < 0)
      return fail(name, "data_offsets", "must be two non-negative integers [begin, end]");
    entry.begin = static_cast<uint64_t>(offsets->items()[0].asInteger());
    entry.end = static_cast<uint64_t>(offsets->items()[1].asInteger());
    if (entry.begin > entry.end)
      return fail(name, "data_offsets",
                  "begin " + std::to_string(entry.begin) + " exceeds end " +
                      std::to_string(entry.end));
    if (entry.end > dataSize_)
      return fail(name, "data_offsets",
                  "end " + std::to_string(entry.end) + " is past the data section (" +
                      std::to_string(dataSize_) + " bytes; the file may be truncated)");
    uint64_t expected = static_cast<uint64_t>(elementCount(entry.shape)) * dtypeSize(entry.dtype);
    if (entry.end - entry.begin != expected)
      return fail(name, "data_offsets",
                  "span " + std::to_string(entry.end - entry.begin) + " bytes, but shape " +
                      shapeText(entry.shape) + " of " + dtypeName(entry.dtype) + " needs " +
                      std::to_string(expected));
    return entry;
  }

  Error fail(const std::string& tensor, const std::string& field,
             const std::string& problem) const {
    return Error{fileName_ + ": tensor \"" + tensor + "\": field \"" + field + "\" " + problem};
  }

private:
  const std::string& fileName_;
  uint64_t dataSize_;
};

std::optional<Error> checkOverlaps(std::vector<TensorEntry> tensors, const std::string& fileName) {
  std::sort(tensors.begin(), tensors.end(),
            [](const TensorEntry& a, const TensorEntry& b) { return a.begin < b.begin; });
  const TensorEntry* previous = nullptr;
  for (const TensorEntry& t : tensors) {
    if (t.begin == t.end) // empty tensors occupy no bytes and cannot overlap
      continue;
    if (previous && t.begin < previous->end)
      return Error{fileName + ": tensors \"" + previous->name + "\" and \"" + t.name +
                   "\" overlap (data_offsets " + std::to_string(t.begin) + " < " +
                   std::to_string(previous->end) + ")"};
    previous = &t;
  }
  return std::nullopt;
}

} // namespace

int64_t elementCount(const std::vector<int64_t>& shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

const TensorEntry* SafetensorsFile::find(const std::string& name) const {
  for (const TensorEntry& t : tensors)
    if (t.name == name)
      return &t;
  return nullptr;
}

std::vector<float> SafetensorsFile::toFloat(const TensorEntry& tensor) const {
  const std::byte* data = bytes.data() + dataStart + tensor.begin;
  size_t count = static_cast<size_t>(elementCount(tensor.shape));
  std::vector<float> values(count);
  if (tensor.dtype == DType::F32) {
    std::memcpy(values.data(), data, count * 4);
    return values;
  }
  for (size_t i = 0; i < count; ++i) {
    uint16_t bits = static_cast<uint16_t>(static_cast<uint8_t>(data[2 * i]) |
                                          (static_cast<uint8_t>(data[2 * i + 1]) << 8));
    values[i] = tensor.dtype == DType::F16 ? halfToFloat(bits) : bfloat16ToFloat(bits);
  }
  return values;
}

Expected<SafetensorsFile> parseSafetensors(std::vector<std::byte> bytes, std::string fileName) {
  if (bytes.size() < 8)
    return Error{fileName + ": truncated: " + std::to_string(bytes.size()) +
                 " bytes, too short for the 8-byte header length"};
  uint64_t headerLength = readLittleEndian64(bytes.data());
  if (headerLength < 2 || headerLength > kMaxHeaderLength || headerLength > bytes.size() - 8)
    return Error{fileName + ": header length " + std::to_string(headerLength) +
                 " is impossible for a file of " + std::to_string(bytes.size()) +
                 " bytes (truncated or not a safetensors file)"};
  std::string_view headerText(reinterpret_cast<const char*>(bytes.data() + 8), headerLength);
  Expected<Json> header = parseJson(headerText);
  if (!header)
    return Error{fileName + ": header is not valid JSON: " + header.error().message};
  if (!header->isObject())
    return Error{fileName + ": header must be a JSON object"};

  SafetensorsFile file;
  file.path = fileName;
  file.dataStart = 8 + headerLength;
  HeaderReader reader(fileName, bytes.size() - file.dataStart);
  for (const auto& [name, value] : header->members()) {
    if (name == "__metadata__") {
      if (!value.isObject())
        return Error{fileName + ": \"__metadata__\" must be an object"};
      for (const auto& [key, text] : value.members()) {
        if (!text.isString())
          return Error{fileName + ": \"__metadata__\" field \"" + key + "\" must be a string"};
        file.metadata.emplace_back(key, text.asString());
      }
      continue;
    }
    Expected<TensorEntry> entry = reader.tensor(name, value);
    if (!entry)
      return std::move(entry).takeError();
    file.tensors.push_back(std::move(*entry));
  }
  if (std::optional<Error> overlap = checkOverlaps(file.tensors, fileName))
    return *overlap;
  file.bytes = std::move(bytes);
  return file;
}

Expected<SafetensorsFile> readSafetensors(const std::string& path) {
  Expected<std::vector<std::byte>> bytes = readFileBytes(path);
  if (!bytes)
    return std::move(bytes).takeError();
  return parseSafetensors(std::move(*bytes), path);
}

} // namespace drawbridge::model

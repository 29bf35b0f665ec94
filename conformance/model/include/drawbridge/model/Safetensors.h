// The safetensors format: u64 little-endian header length, a JSON header mapping tensor names to
// {dtype, shape, data_offsets} (offsets relative to the data that follows the header), an optional
// "__metadata__" object of strings, then the tensor data.
#pragma once

#include "drawbridge/model/DType.h"
#include "drawbridge/support/Expected.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace drawbridge::model {

struct TensorEntry {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0; // byte offsets into the data section
  uint64_t end = 0;
};

int64_t elementCount(const std::vector<int64_t>& shape);
std::string shapeText(const std::vector<int64_t>& shape);

struct SafetensorsFile {
  std::string path;
  std::vector<TensorEntry> tensors; // in header order
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<std::byte> bytes; // the whole file
  size_t dataStart = 0;

  const TensorEntry* find(const std::string& name) const;
  /// The tensor's values widened to float (exactly).
  std::vector<float> toFloat(const TensorEntry& tensor) const;
};

/// Validates everything the format promises; errors name the file, the tensor and the field.
Expected<SafetensorsFile> parseSafetensors(std::vector<std::byte> bytes, std::string fileName);
Expected<SafetensorsFile> readSafetensors(const std::string& path);

struct TensorToWrite {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::span<const float> values; // narrowed to dtype (round to nearest even) when written
};

/// The bytes of a safetensors file holding `tensors` in order; the header is padded with spaces
/// to a multiple of 8 bytes, as the reference implementation does, so the data stays aligned.
std::vector<std::byte>
encodeSafetensors(const std::vector<TensorToWrite>& tensors,
                  const std::vector<std::pair<std::string, std::string>>& metadata);

} // namespace drawbridge::model

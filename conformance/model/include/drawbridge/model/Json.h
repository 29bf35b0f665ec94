// A small JSON value with a reader and a writer. Self-contained on purpose: the CUDA host
// programs, built by nvcc with its own host compiler, use this loader too and cannot link LLVM.
#pragma once

#include "drawbridge/support/Expected.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drawbridge::model {

class Json {
public:
  enum class Kind { Null, Bool, Number, String, Array, Object };
  /// Objects keep their members in the order they were read or added, so that a written file is
  /// byte-for-byte reproducible.
  using Members = std::vector<std::pair<std::string, Json>>;

  Json() = default;
  Json(bool value) : kind_(Kind::Bool), bool_(value) {}
  Json(double value) : kind_(Kind::Number), number_(value) {}
  Json(int64_t value) : kind_(Kind::Number), number_(static_cast<double>(value)) {}
  Json(int value) : Json(static_cast<int64_t>(value)) {}
  Json(std::string value) : kind_(Kind::String), string_(std::move(value)) {}
  Json(const char* value) : Json(std::string(value)) {}

  static Json array(std::vector<Json> items = {});
  static Json object(Members members = {});

  Kind kind() const { return kind_; }
  bool isNull() const { return kind_ == Kind::Null; }
  bool isBool() const { return kind_ == Kind::Bool; }
  bool isNumber() const { return kind_ == Kind::Number; }
  bool isString() const { return kind_ == Kind::String; }
  bool isArray() const { return kind_ == Kind::Array; }
  bool isObject() const { return kind_ == Kind::Object; }
  /// True for a number that is a whole value exactly representable as int64_t.
  bool isInteger() const;

  bool asBool() const { return bool_; }
  double asNumber() const { return number_; }
  int64_t asInteger() const { return static_cast<int64_t>(number_); }
  const std::string& asString() const { return string_; }
  const std::vector<Json>& items() const { return items_; }
  const Members& members() const { return members_; }

  /// The member named `key`, or nullptr when absent (or when this is not an object).
  const Json* find(std::string_view key) const;
  void push(Json item) { items_.push_back(std::move(item)); }
  void set(std::string key, Json value);

  static const char* kindName(Kind kind);

private:
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<Json> items_;
  Members members_;
};

/// Parses one JSON document (RFC 8259). Errors give the byte offset and what was expected.
Expected<Json> parseJson(std::string_view text);

/// Writes compact JSON when `indent` is 0, else pretty-printed with that many spaces per level.
/// Integral numbers are written without a fraction so that offsets and sizes stay exact.
std::string writeJson(const Json& value, int indent = 0);

} // namespace drawbridge::model

#include "drawbridge/model/Json.h"

#include <cmath>

namespace drawbridge::model {

Json Json::array(std::vector<Json> items) {
  Json json;
  json.kind_ = Kind::Array;
  json.items_ = std::move(items);
  return json;
}

Json Json::object(Members members) {
  Json json;
  json.kind_ = Kind::Object;
  json.members_ = std::move(members);
  return json;
}

bool Json::isInteger() const {
  // 2^63 itself does not fit; every whole double below it in magnitude does.
  constexpr double kLimit = 9223372036854775808.0;
  return kind_ == Kind::Number && std::isfinite(number_) && std::trunc(number_) == number_ &&
         number_ < kLimit && number_ >= -kLimit;
}

const Json* Json::find(std::string_view key) const {
  for (const auto& [name, value] : members_)
    if (name == key)
      return &value;
  return nullptr;
}

void Json::set(std::string key, Json value) {
  for (auto& [name, existing] : members_)
    if (name == key) {
      existing = std::move(value);
      return;
    }
  members_.emplace_back(std::move(key), std::move(value));
}

const char* Json::kindName(Kind kind) {
  switch (kind) {
  case Kind::Null:
    return "null";
  case Kind::Bool:
    return "a boolean";
  case Kind::Number:
    return "a number";
  case Kind::String:
    return "a string";
  case Kind::Array:
    return "an array";
  case Kind::Object:
    return "an object";
  }
  return "?";
}

} // namespace drawbridge::model

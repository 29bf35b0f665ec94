#include "drawbridge/model/Json.h"

#include <cmath>
#include <cstdio>

namespace drawbridge::model {
namespace {

void writeString(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
        out += buffer;
      } else {
        out += c;
      }
    }
  }
  out += '"';
}

void writeNumber(std::string& out, const Json& value) {
  char buffer[32];
  if (value.isInteger())
    std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(value.asInteger()));
  else if (std::isfinite(value.asNumber()))
    std::snprintf(buffer, sizeof buffer, "%.17g", value.asNumber()); // round-trips exactly
  else
    std::snprintf(buffer, sizeof buffer, "null"); // JSON has no infinities or NaNs
  out += buffer;
}

void newline(std::string& out, int indent, int depth) {
  if (indent == 0)
    return;
  out += '\n';
  out.append(static_cast<size_t>(indent * depth), ' ');
}

void write(std::string& out, const Json& value, int indent, int depth) {
  switch (value.kind()) {
  case Json::Kind::Null:
    out += "null";
    return;
  case Json::Kind::Bool:
    out += value.asBool() ? "true" : "false";
    return;
  case Json::Kind::Number:
    writeNumber(out, value);
    return;
  case Json::Kind::String:
    writeString(out, value.asString());
    return;
  case Json::Kind::Array: {
    out += '[';
    const char* separator = "";
    for (const Json& item : value.items()) {
      out += separator;
      newline(out, indent, depth + 1);
      write(out, item, indent, depth + 1);
      separator = ",";
    }
    if (!value.items().empty())
      newline(out, indent, depth);
    out += ']';
    return;
  }
  case Json::Kind::Object: {
    out += '{';
    const char* separator = "";
    for (const auto& [key, member] : value.members()) {
      out += separator;
      newline(out, indent, depth + 1);
      writeString(out, key);
      out += indent ? ": " : ":";
      write(out, member, indent, depth + 1);
      separator = ",";
    }
    if (!value.members().empty())
      newline(out, indent, depth);
    out += '}';
    return;
  }
  }
}

} // namespace

std::string writeJson(const Json& value, int indent) {
  std::string out;
  write(out, value, indent, 0);
  return out;
}

} // namespace drawbridge::model

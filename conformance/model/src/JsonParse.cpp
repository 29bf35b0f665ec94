// A recursive-descent JSON reader. Depth is bounded so that hostile input cannot exhaust the stack.
#include "drawbridge/model/Json.h"

#include <cstdlib>
#include <optional>

namespace drawbridge::model {
namespace {

constexpr int kMaxDepth = 64;

class Parser {
public:
  explicit Parser(std::string_view text) : text_(text) {}

  Expected<Json> document() {
    std::optional<Json> value = parseValue(0);
    if (value) {
      skipSpace();
      if (pos_ != text_.size())
        fail("unexpected text after the JSON value");
    }
    if (!error_.empty())
      return Error{"at byte " + std::to_string(errorPos_) + ": " + error_};
    return std::move(*value);
  }

private:
  std::optional<Json> parseValue(int depth) {
    if (depth > kMaxDepth)
      return fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    skipSpace();
    if (pos_ >= text_.size())
      return fail("unexpected end of input, expected a value");
    char c = text_[pos_];
    if (c == '{')
      return parseObject(depth);
    if (c == '[')
      return parseArray(depth);
    if (c == '"') {
      std::optional<std::string> s = parseString();
      return s ? std::optional<Json>(Json(std::move(*s))) : std::nullopt;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
      return parseNumber();
    if (consumeWord("true"))
      return Json(true);
    if (consumeWord("false"))
      return Json(false);
    if (consumeWord("null"))
      return Json();
    return fail(std::string("unexpected character '") + c + "', expected a value");
  }

  std::optional<Json> parseObject(int depth) {
    ++pos_;
    Json object = Json::object();
    skipSpace();
    if (consume('}'))
      return object;
    while (true) {
      skipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"')
        return fail("expected a string key in the object");
      std::optional<std::string> key = parseString();
      if (!key)
        return std::nullopt;
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after the key \"" + *key + "\"");
      std::optional<Json> value = parseValue(depth + 1);
      if (!value)
        return std::nullopt;
      if (object.find(*key))
        return fail("duplicate key \"" + *key + "\"");
      object.set(std::move(*key), std::move(*value));
      skipSpace();
      if (consume('}'))
        return object;
      if (!consume(','))
        return fail("expected ',' or '}' in the object");
    }
  }

  std::optional<Json> parseArray(int depth) {
    ++pos_;
    Json array = Json::array();
    skipSpace();
    if (consume(']'))
      return array;
    while (true) {
      std::optional<Json> value = parseValue(depth + 1);
      if (!value)
        return std::nullopt;
      array.push(std::move(*value));
      skipSpace();
      if (consume(']'))
        return array;
      if (!consume(','))
        return fail("expected ',' or ']' in the array");
    }
  }

  std::optional<std::string> parseString() {
    ++pos_;
    std::string out;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"')
        return out;
      if (static_cast<unsigned char>(c) < 0x20)
        return failString("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size())
        break;
      char e = text_[pos_++];
      switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u':
        if (!parseUnicodeEscape(out))
          return std::nullopt;
        break;
      default:
        return failString(std::string("unknown escape '\\") + e + "'");
      }
    }
    return failString("unterminated string");
  }

  std::optional<uint32_t> hex4() {
    if (text_.size() - pos_ < 4)
      return std::nullopt;
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      char h = text_[pos_++];
      value <<= 4;
      if (h >= '0' && h <= '9')
        value |= h - '0';
      else if (h >= 'a' && h <= 'f')
        value |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F')
        value |= h - 'A' + 10;
      else
        return std::nullopt;
    }
    return value;
  }

  bool parseUnicodeEscape(std::string& out) {
    std::optional<uint32_t> unit = hex4();
    if (!unit)
      return failString("bad \\u escape").has_value();
    uint32_t code = *unit;
    if (code >= 0xD800 && code < 0xDC00) {
      // A high surrogate must be followed by a low one; together they name one code point.
      if (text_.substr(pos_, 2) != "\\u")
        return failString("unpaired surrogate in \\u escape").has_value();
      pos_ += 2;
      std::optional<uint32_t> low = hex4();
      if (!low || *low < 0xDC00 || *low >= 0xE000)
        return failString("unpaired surrogate in \\u escape").has_value();
      code = 0x10000 + ((code - 0xD800) << 10) + (*low - 0xDC00);
    } else if (code >= 0xDC00 && code < 0xE000) {
      return failString("unpaired surrogate in \\u escape").has_value();
    }
    appendUtf8(out, code);
    return true;
  }

  static void appendUtf8(std::string& out, uint32_t code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  std::optional<Json> parseNumber() {
    size_t start = pos_;
    consume('-');
    if (!digits())
      return fail("expected digits in a number");
    if (text_[start + (text_[start] == '-')] == '0' && pos_ - start > 1u + (text_[start] == '-'))
      return fail("leading zero in a number");
    if (consume('.') && !digits())
      return fail("expected digits after '.' in a number");
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (!consume('+'))
        consume('-');
      if (!digits())
        return fail("expected digits in an exponent");
    }
    // strtod needs a terminated buffer; the number's text is short.
    std::string literal(text_.substr(start, pos_ - start));
    return Json(std::strtod(literal.c_str(), nullptr));
  }

  bool digits() {
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9')
      ++pos_;
    return pos_ > start;
  }

  bool consumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word)
      return false;
    pos_ += word.size();
    return true;
  }

  bool consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  std::nullopt_t fail(std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
      errorPos_ = pos_;
    }
    return std::nullopt;
  }
  std::optional<std::string> failString(std::string message) { return fail(std::move(message)); }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
  size_t errorPos_ = 0;
};

} // namespace

Expected<Json> parseJson(std::string_view text) {
  return Parser(text).document();
}

} // namespace drawbridge::model

// Splits PTX text into tokens with source positions. Comments are skipped; `.word` sequences
// stay separate tokens so the parser can read opcodes' modifiers in any order.
#pragma once

#include "drawbridge/ptx/Module.h"

#include <string_view>

namespace drawbridge::ptx {

struct Token {
  enum class Kind : uint8_t {
    End,
    Identifier, // name, %reg, $label, opcode
    Dot,        // .word (text includes the dot), also .L2::evict_last style
    Integer,
    Float, // 0f..., 0d..., or decimal with a point or exponent
    String,
    Punct, // one character
    Invalid,
  };
  Kind kind = Kind::End;
  std::string_view text;
  SourceLocation loc;
  size_t offset = 0; // into the source, to tell whether two tokens touch

  bool is(char c) const { return kind == Kind::Punct && text.size() == 1 && text[0] == c; }
  bool isDot(std::string_view word) const { return kind == Kind::Dot && text.substr(1) == word; }
};

class Lexer {
public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Token next();

private:
  void skipSpaceAndComments();
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void advance();
  Token make(Token::Kind kind, size_t start, SourceLocation loc) const;

  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
};

} // namespace drawbridge::ptx

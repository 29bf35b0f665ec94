#include "Lexer.h"

namespace drawbridge::ptx {
namespace {

// ASCII only, and without the locale lookups of <cctype>: the lexer's inner loop.
bool isLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isIdentStart(char c) {
  return isLetter(c) || c == '_' || c == '$' || c == '%';
}
bool isIdentChar(char c) {
  return isLetter(c) || isDigit(c) || c == '_' || c == '$';
}
bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool isHexDigit(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

} // namespace

void Lexer::advance() {
  if (text_[pos_] == '\n') {
    ++line_;
    column_ = 1;
  } else {
    ++column_;
  }
  ++pos_;
}

void Lexer::skipSpaceAndComments() {
  while (pos_ < text_.size()) {
    char c = peek();
    if (isSpace(c)) {
      advance();
    } else if (c == '/' && peek(1) == '/') {
      while (pos_ < text_.size() && peek() != '\n')
        advance();
    } else if (c == '/' && peek(1) == '*') {
      advance();
      advance();
      while (pos_ < text_.size() && !(peek() == '*' && peek(1) == '/'))
        advance();
      if (pos_ < text_.size()) {
        advance();
        advance();
      }
    } else {
      return;
    }
  }
}

Token Lexer::make(Token::Kind kind, size_t start, SourceLocation loc) const {
  return Token{kind, text_.substr(start, pos_ - start), loc, start};
}

Token Lexer::next() {
  skipSpaceAndComments();
  SourceLocation loc{line_, column_};
  size_t start = pos_;
  if (pos_ >= text_.size())
    return Token{Token::Kind::End, {}, loc, pos_};
  char c = peek();

  if (isIdentStart(c)) {
    advance();
    while (pos_ < text_.size() && isIdentChar(peek()))
      advance();
    return make(Token::Kind::Identifier, start, loc);
  }

  // Modifiers may start with a digit (tex.2d, .b8), so any identifier character may follow.
  if (c == '.' && isIdentChar(peek(1))) {
    advance();
    // `::` joins qualified modifiers such as .shared::cta and .L2::evict_last into one word.
    while (pos_ < text_.size() &&
           (isIdentChar(peek()) || (peek() == ':' && peek(1) == ':' && isIdentChar(peek(2))))) {
      if (peek() == ':')
        advance();
      advance();
    }
    return make(Token::Kind::Dot, start, loc);
  }

  if (isDigit(c)) {
    char kind = static_cast<char>(peek(1) | 0x20);
    if (c == '0' && (kind == 'f' || kind == 'd')) {
      advance();
      advance();
      while (isHexDigit(peek()))
        advance();
      return make(Token::Kind::Float, start, loc);
    }
    bool isFloatLiteral = false;
    if (c == '0' && (kind == 'x' || kind == 'b')) {
      advance();
      advance();
      while (isHexDigit(peek()))
        advance();
    } else {
      while (isDigit(peek()))
        advance();
      if (peek() == '.' && isDigit(peek(1))) {
        isFloatLiteral = true;
        advance();
        while (isDigit(peek()))
          advance();
      }
      if (peek() == 'e' || peek() == 'E') {
        size_t digit = (peek(1) == '+' || peek(1) == '-') ? 2 : 1;
        if (isDigit(peek(digit))) {
          isFloatLiteral = true;
          for (size_t i = 0; i < digit; ++i)
            advance();
          while (isDigit(peek()))
            advance();
        }
      }
    }
    if (!isFloatLiteral && (peek() == 'U' || peek() == 'u'))
      advance();
    return make(isFloatLiteral ? Token::Kind::Float : Token::Kind::Integer, start, loc);
  }

  if (c == '"') {
    advance();
    while (pos_ < text_.size() && peek() != '"' && peek() != '\n') {
      if (peek() == '\\' && pos_ + 1 < text_.size())
        advance();
      advance();
    }
    if (peek() != '"')
      return make(Token::Kind::Invalid, start, loc);
    advance();
    return make(Token::Kind::String, start, loc);
  }

  advance();
  if (std::string_view(",;:[](){}<>+-!|@=*").find(c) != std::string_view::npos)
    return make(Token::Kind::Punct, start, loc);
  return make(Token::Kind::Invalid, start, loc);
}

} // namespace drawbridge::ptx

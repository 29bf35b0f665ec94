// A file's raw tokens (no preprocessing: every #if branch, macro bodies included), with the
// bracket matching and argument splitting that the rewriters need.
#pragma once

#include <clang/Basic/TokenKinds.h>
#include <llvm/ADT/StringRef.h>
#include <optional>
#include <vector>

namespace drawbridge::translate {

struct Token {
  clang::tok::TokenKind kind;
  unsigned offset;
  unsigned length;
  bool atLineStart;
  unsigned end() const { return offset + length; }
};

class TokenStream {
public:
  /// Lexes `text` as CUDA C++20 (so <<< and >>> are single tokens), dropping comments.
  explicit TokenStream(llvm::StringRef text);

  std::size_t size() const { return tokens_.size(); }
  const Token& operator[](std::size_t i) const { return tokens_[i]; }
  llvm::StringRef text() const { return text_; }
  llvm::StringRef spelling(std::size_t i) const {
    return text_.substr(tokens_[i].offset, tokens_[i].length);
  }
  bool is(std::size_t i, clang::tok::TokenKind kind) const {
    return i < tokens_.size() && tokens_[i].kind == kind;
  }
  bool isIdentifier(std::size_t i, llvm::StringRef name) const {
    return is(i, clang::tok::raw_identifier) && spelling(i) == name;
  }
  /// The token that closes the (, [ or { at `open`, or nullopt when the file ends first.
  std::optional<std::size_t> matchForward(std::size_t open) const;
  /// The top-level arguments of the call whose '(' is at `open`, as [first, last] token ranges
  /// (an empty argument list gives none).
  std::vector<std::pair<std::size_t, std::size_t>> arguments(std::size_t open,
                                                             std::size_t close) const;
  /// Source text of tokens first..last, with the original spacing.
  llvm::StringRef textOf(std::size_t first, std::size_t last) const {
    return text_.slice(tokens_[first].offset, tokens_[last].end());
  }

private:
  llvm::StringRef text_;
  std::vector<Token> tokens_;
};

/// 1-based line and column of a byte offset.
class LineTable {
public:
  explicit LineTable(llvm::StringRef text);
  std::pair<unsigned, unsigned> position(unsigned offset) const;

private:
  std::vector<unsigned> lineStarts_;
};

} // namespace drawbridge::translate

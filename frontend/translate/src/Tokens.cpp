#include "Tokens.h"

#include <algorithm>
#include <clang/Basic/LangOptions.h>
#include <clang/Lex/Lexer.h>

namespace drawbridge::translate {

TokenStream::TokenStream(llvm::StringRef text) : text_(text) {
  clang::LangOptions lang;
  lang.CPlusPlus = lang.CPlusPlus11 = lang.CPlusPlus14 = lang.CPlusPlus17 = lang.CPlusPlus20 = 1;
  lang.CUDA = 1;
  lang.Bool = 1;
  lang.LineComment = 1;
  lang.Digraphs = 1;
  // Raw lexing needs no SourceManager; token locations are then plain offsets from this base.
  const auto base = clang::SourceLocation::getFromRawEncoding(1);
  clang::Lexer lexer(base, lang, text.begin(), text.begin(), text.end());
  lexer.SetCommentRetentionState(false);
  clang::Token token;
  for (lexer.LexFromRawLexer(token); token.isNot(clang::tok::eof); lexer.LexFromRawLexer(token))
    tokens_.push_back({token.getKind(),
                       token.getLocation().getRawEncoding() - base.getRawEncoding(),
                       token.getLength(), token.isAtStartOfLine()});
}

std::optional<std::size_t> TokenStream::matchForward(std::size_t open) const {
  int depth = 0;
  for (std::size_t i = open; i < tokens_.size(); ++i) {
    switch (tokens_[i].kind) {
    case clang::tok::l_paren:
    case clang::tok::l_square:
    case clang::tok::l_brace:
      ++depth;
      break;
    case clang::tok::r_paren:
    case clang::tok::r_square:
    case clang::tok::r_brace:
      if (--depth == 0)
        return i;
      break;
    default:
      break;
    }
  }
  return std::nullopt;
}

std::vector<std::pair<std::size_t, std::size_t>> TokenStream::arguments(std::size_t open,
                                                                        std::size_t close) const {
  std::vector<std::pair<std::size_t, std::size_t>> args;
  if (close == open + 1)
    return args;
  std::size_t start = open + 1;
  for (std::size_t i = open + 1; i < close; ++i) {
    auto kind = tokens_[i].kind;
    if (kind == clang::tok::l_paren || kind == clang::tok::l_square ||
        kind == clang::tok::l_brace) {
      i = matchForward(i).value_or(close);
      continue;
    }
    if (kind == clang::tok::comma) {
      args.emplace_back(start, i - 1);
      start = i + 1;
    }
  }
  args.emplace_back(start, close - 1);
  return args;
}

LineTable::LineTable(llvm::StringRef text) {
  lineStarts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n')
      lineStarts_.push_back(i + 1);
}

std::pair<unsigned, unsigned> LineTable::position(unsigned offset) const {
  auto it = std::upper_bound(lineStarts_.begin(), lineStarts_.end(), offset);
  unsigned line = static_cast<unsigned>(it - lineStarts_.begin());
  return {line, offset - lineStarts_[line - 1] + 1};
}

} // namespace drawbridge::translate

#include "drawbridge/fatbin/PtxSummary.h"

#include <cctype>

namespace drawbridge::fatbin {
namespace {

// Splits PTX into tokens, skipping comments; enough to read module-level directives.
class Tokens {
public:
  explicit Tokens(std::string_view text) : text_(text) {}

  std::string_view next() {
    skipSpaceAndComments();
    size_t start = pos_;
    if (pos_ >= text_.size())
      return {};
    if (isWordChar(text_[pos_])) {
      while (pos_ < text_.size() && isWordChar(text_[pos_]))
        ++pos_;
    } else {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  /// The rest of the current line, trimmed; for directives whose operands run to the end.
  std::string_view restOfLine() {
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos)
      end = text_.size();
    std::string_view line = text_.substr(pos_, end - pos_);
    pos_ = end;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
      line.remove_prefix(1);
    if (auto comment = line.find("//"); comment != std::string_view::npos)
      line = line.substr(0, comment);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.remove_suffix(1);
    return line;
  }

private:
  static bool isWordChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '%' ||
           c == '.';
  }

  void skipSpaceAndComments() {
    while (pos_ < text_.size()) {
      if (std::isspace(static_cast<unsigned char>(text_[pos_]))) {
        ++pos_;
      } else if (text_.compare(pos_, 2, "//") == 0) {
        pos_ = text_.find('\n', pos_);
        if (pos_ == std::string_view::npos)
          pos_ = text_.size();
      } else if (text_.compare(pos_, 2, "/*") == 0) {
        size_t end = text_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? text_.size() : end + 2;
      } else {
        return;
      }
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

} // namespace

PtxSummary summarizePtx(std::string_view ptx) {
  PtxSummary summary;
  Tokens tokens(ptx);
  for (auto token = tokens.next(); !token.empty(); token = tokens.next()) {
    if (token == ".version")
      summary.version = tokens.restOfLine();
    else if (token == ".target")
      summary.target = tokens.restOfLine();
    else if (token == ".entry")
      summary.kernels.emplace_back(tokens.next());
  }
  return summary;
}

} // namespace drawbridge::fatbin

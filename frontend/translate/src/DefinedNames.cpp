// Names a file defines, found by the raw lexer in every #if branch.
#include "Rewrite.h"

namespace drawbridge::translate {

llvm::StringSet<> definedNames(const TokenStream& t) {
  llvm::StringSet<> names;
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    // #define NAME
    if (t.is(i, clang::tok::hash) && t[i].atLineStart && t.isIdentifier(i + 1, "define") &&
        t.is(i + 2, clang::tok::raw_identifier)) {
      names.insert(t.spelling(i + 2));
      continue;
    }
    // TYPE NAME(...) {  -- a function definition: a name after a type, and a body after the
    // parameters (a call is never followed by '{').
    if (!t.is(i, clang::tok::raw_identifier) || !t.is(i + 1, clang::tok::l_paren) || i == 0 ||
        !(t.is(i - 1, clang::tok::raw_identifier) || t.is(i - 1, clang::tok::star) ||
          t.is(i - 1, clang::tok::amp)))
      continue;
    auto close = t.matchForward(i + 1);
    if (close && t.is(*close + 1, clang::tok::l_brace))
      names.insert(t.spelling(i));
  }
  return names;
}

} // namespace drawbridge::translate

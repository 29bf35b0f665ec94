// libcu++ names (cuda::maximum<>, cuda::std::plus<int>): HIP has no libcu++, but hipCUB and the
// standard library have what most CUB-facing code uses, listed in mappings/Libcuxx.def.
#include "Rewrite.h"
#include "drawbridge/translate/Mapping.h"

namespace drawbridge::translate {
namespace {

/// The token closing the template argument list that opens at `open` (a '<'), or nullopt when
/// the '<' is not closed before the statement ends.
std::optional<std::size_t> templateArgumentsEnd(const TokenStream& t, std::size_t open) {
  int depth = 0;
  for (std::size_t j = open; j < t.size(); ++j) {
    if (t.is(j, clang::tok::less))
      ++depth;
    else if (t.is(j, clang::tok::greater))
      --depth;
    else if (t.is(j, clang::tok::greatergreater))
      depth -= 2;
    else if (t.is(j, clang::tok::semi) || t.is(j, clang::tok::l_brace))
      return std::nullopt;
    if (depth <= 0)
      return depth == 0 ? std::optional(j) : std::nullopt;
  }
  return std::nullopt;
}

} // namespace

std::size_t rewriteLibcuxxName(RewriteContext& c, std::size_t i) {
  const TokenStream& t = c.tokens;
  // The whole qualified name: cuda::X::Y...
  std::size_t last = i;
  std::string key = "cuda";
  while (t.is(last + 1, clang::tok::coloncolon) && t.is(last + 2, clang::tok::raw_identifier)) {
    key += "::" + t.spelling(last + 2).str();
    last += 2;
  }
  Lookup found = lookupIdentifier(key, c.options.target());
  const Mapping* m = found.usable;
  if (!m || (m->action != Action::Rename && m->action != Action::RenameUntemplated)) {
    c.stats.count(Family::Runtime, Outcome::NoHipEquivalent);
    c.report(DiagId::LibcuxxName, t[i].offset,
             (last > i ? key : std::string("cuda::")) +
                 " is libcu++, which HIP lacks; use the std:: equivalent");
    return last + 1;
  }
  unsigned end = t[last].end();
  if (m->action == Action::RenameUntemplated && t.is(last + 1, clang::tok::less))
    if (auto close = templateArgumentsEnd(t, last + 1))
      end = t[*close].end();
  c.replace(t[i].offset, end - t[i].offset, llvm::StringRef(m->hip.data(), m->hip.size()));
  c.stats.count(Family::Runtime, Outcome::Converted);
  return last + 1;
}

} // namespace drawbridge::translate

// printf's arguments that are HIP objects where CUDA has unsigned ints (threadIdx.x and friends).
#include "Rewrite.h"

namespace drawbridge::translate {
namespace {

/// Whether tokens first..last are exactly threadIdx.x, blockDim.y, ... (possibly parenthesised).
bool isBareCoordinate(const TokenStream& t, std::size_t first, std::size_t last) {
  while (first < last && t.is(first, clang::tok::l_paren) && t.is(last, clang::tok::r_paren) &&
         t.matchForward(first) == last) {
    ++first;
    --last;
  }
  if (last != first + 2 || !t.is(first + 1, clang::tok::period))
    return false;
  llvm::StringRef base = t.spelling(first), field = t.spelling(last);
  return (base == "threadIdx" || base == "blockIdx" || base == "blockDim" || base == "gridDim") &&
         (field == "x" || field == "y" || field == "z");
}

} // namespace

void castPrintfCoordinates(RewriteContext& c, std::size_t i) {
  const TokenStream& t = c.tokens;
  if (!t.is(i + 1, clang::tok::l_paren))
    return;
  auto close = t.matchForward(i + 1);
  if (!close)
    return;
  auto args = t.arguments(i + 1, *close);
  // The format string is never a coordinate; the arguments after it are the variadic ones.
  for (std::size_t a = 1; a < args.size(); ++a) {
    auto [first, last] = args[a];
    if (!isBareCoordinate(t, first, last))
      continue;
    c.replace(t[first].offset, 0, "static_cast<unsigned int>(");
    c.replace(t[last].end(), 0, ")");
  }
}

} // namespace drawbridge::translate

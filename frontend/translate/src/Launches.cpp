// Kernel launches: nvcc's spaced "k << <g, b >> > (...)" is closed up to <<< >>> (clang rejects the
// spaced form); with --hip-launch-syntax every launch becomes hipLaunchKernelGGL(k, g, b, s, q,
// ...). Only the launch punctuation is edited, never the kernel, configuration or arguments, so
// launches in macros and templates stay balanced and the rewrites inside them still apply.
#include "Rewrite.h"

namespace drawbridge::translate {
namespace {

using namespace clang::tok;

/// The first token of the kernel expression that ends at token `last`: a name, qualified or not,
/// with template arguments, or a parenthesised expression.
std::optional<std::size_t> kernelStart(const TokenStream& t, std::size_t last) {
  std::size_t i = last;
  if (t.is(i, greater) || t.is(i, greatergreater) || t.is(i, greatergreatergreater)) {
    int depth = 0;
    for (;; --i) {
      if (t.is(i, greater))
        depth += 1;
      else if (t.is(i, greatergreater))
        depth += 2;
      else if (t.is(i, greatergreatergreater))
        depth += 3;
      else if (t.is(i, less))
        depth -= 1;
      else if (t.is(i, semi) || t.is(i, l_brace) || t.is(i, r_brace))
        return std::nullopt;
      if (depth == 0)
        break;
      if (i == 0)
        return std::nullopt;
    }
    if (i == 0)
      return std::nullopt;
    --i;
  }
  if (t.is(i, r_paren)) {
    int depth = 0;
    for (;; --i) {
      depth += t.is(i, r_paren) ? 1 : t.is(i, l_paren) ? -1 : 0;
      if (depth == 0)
        return i;
      if (i == 0)
        return std::nullopt;
    }
  }
  if (!t.is(i, raw_identifier))
    return std::nullopt;
  while (i >= 2 && t.is(i - 1, coloncolon) && t.is(i - 2, raw_identifier))
    i -= 2;
  if (i >= 1 && t.is(i - 1, coloncolon))
    --i;
  return i;
}

/// The configuration's closing ">>>" (or ">> >") after the opener ending at token `from`.
std::optional<std::size_t> configEnd(const TokenStream& t, std::size_t from) {
  for (std::size_t i = from; i < t.size(); ++i) {
    if (t.is(i, l_paren) || t.is(i, l_square) || t.is(i, l_brace)) {
      auto close = t.matchForward(i);
      if (!close)
        return std::nullopt;
      i = *close;
    } else if (t.is(i, greatergreatergreater) ||
               (t.is(i, greatergreater) && t.is(i + 1, greater))) {
      return i;
    } else if (t.is(i, semi)) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

} // namespace

std::size_t rewriteLaunch(RewriteContext& c, std::size_t i) {
  const TokenStream& t = c.tokens;
  const bool spacedOpen = !t.is(i, lesslessless);
  const std::size_t configFirst = i + (spacedOpen ? 2 : 1);
  auto end = configEnd(t, configFirst);
  auto notRewritten = [&](const char* why) {
    c.stats.count(Family::Launch, Outcome::Unconverted);
    c.report(DiagId::LaunchNotRewritten, t[i].offset,
             std::string("kernel launch not rewritten: ") + why + "; rewrite it by hand");
    return configFirst;
  };
  if (!end)
    return notRewritten("no closing >>> found");
  const bool spacedClose = !t.is(*end, greatergreatergreater);
  const std::size_t afterConfig = *end + (spacedClose ? 2 : 1);

  if (!c.options.hipLaunchSyntax) {
    if (spacedOpen)
      c.replace(t[i].offset, t[i + 1].end() - t[i].offset, "<<<");
    if (spacedClose)
      c.replace(t[*end].offset, t[*end + 1].end() - t[*end].offset, ">>>");
    c.stats.count(Family::Launch, Outcome::Converted);
    return configFirst;
  }

  if (i == 0)
    return notRewritten("no kernel before <<<");
  auto kernel = kernelStart(t, i - 1);
  if (!kernel)
    return notRewritten("the kernel expression before <<< is not a name");
  if (!t.is(afterConfig, l_paren))
    return notRewritten("no argument list after >>>");
  auto argsClose = t.matchForward(afterConfig);
  if (!argsClose)
    return notRewritten("unbalanced argument list");
  auto config = t.arguments(i + (spacedOpen ? 1 : 0), *end);
  if (config.size() < 2 || config.size() > 4)
    return notRewritten("the configuration needs 2 to 4 values");

  // A kernel name with template arguments is parenthesised: its commas would split the macro.
  llvm::StringRef kernelText = t.textOf(*kernel, i - 1);
  bool parenthesise = kernelText.contains('<') || kernelText.contains(',');
  c.replace(t[*kernel].offset, 0, parenthesise ? "hipLaunchKernelGGL((" : "hipLaunchKernelGGL(");
  c.replace(t[i - 1].end(), t[configFirst].offset - t[i - 1].end(), parenthesise ? "), " : ", ");
  std::string tail;
  for (std::size_t k = config.size(); k < 4; ++k)
    tail += ", 0";
  tail += *argsClose == afterConfig + 1 ? "" : ", ";
  c.replace(t[*end - 1].end(), t[afterConfig].end() - t[*end - 1].end(), tail);
  c.stats.count(Family::Launch, Outcome::Converted);
  return configFirst;
}

} // namespace drawbridge::translate

#include "Rewrite.h"

#include <llvm/Support/Path.h>

namespace drawbridge::translate {

void RewriteContext::replace(unsigned offset, unsigned length, llvm::StringRef text) {
  // The rewriters edit disjoint token ranges; an overlap would be a rewriter bug, and dropping the
  // second edit keeps the output well formed.
  if (auto error = edits.add(clang::tooling::Replacement(path, offset, length, text)))
    llvm::consumeError(std::move(error));
}

void RewriteContext::report(DiagId id, unsigned offset, std::string message) {
  auto [line, column] = lines.position(offset);
  diagnostics.push_back({id, path.str(), line, column, std::move(message)});
}

namespace {

bool isLaunchOpener(const TokenStream& t, std::size_t i) {
  return t.is(i, clang::tok::lesslessless) ||
         (t.is(i, clang::tok::lessless) && t.is(i + 1, clang::tok::less));
}

bool isDirective(const TokenStream& t, std::size_t i, llvm::StringRef name) {
  return t.is(i, clang::tok::hash) && t[i].atLineStart && t.isIdentifier(i + 1, name);
}

/// Where <hip/hip_runtime.h> must be added, if anywhere. HIP's other headers (cooperative groups,
/// fp16) need the runtime header before them, and a translation unit relies on nvcc including the
/// runtime for it; hipcc does not. So: before the first #include when the first header that
/// becomes a HIP header is not the runtime, or, in a unit without any, before its first #include
/// (at its first line of code when it has none).
std::optional<unsigned> runtimeIncludePoint(const TokenStream& t, const Options& options,
                                            bool isUnit) {
  if (t.size() == 0)
    return std::nullopt;
  std::optional<unsigned> firstInclude;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!isDirective(t, i, "include"))
      continue;
    if (!firstInclude)
      firstInclude = t[i].offset;
    auto included = includedName(t, i);
    if (!included)
      continue;
    std::string hip = included->name.str();
    if (Lookup found = lookupHeader(hip, options.target()); found.usable)
      hip = std::string(found.usable->hip);
    if (llvm::StringRef(hip).starts_with("hip/hip_runtime"))
      return std::nullopt;
    if (llvm::StringRef(hip).starts_with("hip/"))
      return firstInclude;
  }
  if (!isUnit)
    return std::nullopt;
  return firstInclude ? firstInclude : t[0].offset;
}

} // namespace

RewrittenFile rewriteFile(llvm::StringRef path, llvm::StringRef text, const Options& options,
                          const ProjectNames& project, bool isSource) {
  RewriteContext context(path, text, options, project);
  const TokenStream& t = context.tokens;
  context.fileDeclarations = definedNames(t);
  for (std::size_t i = 0; i < t.size();) {
    if (isDirective(t, i, "include") || isDirective(t, i, "include_next"))
      i = rewriteInclude(context, i);
    else if (isLaunchOpener(t, i))
      i = rewriteLaunch(context, i);
    else if (t.is(i, clang::tok::raw_identifier))
      i = rewriteIdentifier(context, i);
    else
      ++i;
  }
  if (auto at =
          runtimeIncludePoint(t, options, isSource && llvm::sys::path::extension(path) == ".cu")) {
    context.replace(*at, 0, "#include <hip/hip_runtime.h>\n");
    context.stats.count(Family::Header, Outcome::Converted);
  }
  auto rewritten = clang::tooling::applyAllReplacements(text, context.edits);
  RewrittenFile result{rewritten ? std::move(*rewritten) : text.str(),
                       std::move(context.diagnostics), context.stats};
  if (!rewritten)
    llvm::consumeError(rewritten.takeError());
  result.stats.setLines(context.lines.position(text.size()).first);
  return result;
}

std::string closeLaunchBrackets(llvm::StringRef text) {
  TokenStream t(text);
  std::string out = text.str();
  // "<< <" becomes "<<< " (and ">> >" becomes ">>> "): the same length, so clang's diagnostics and
  // locations still match the file on disk.
  auto close = [&](std::size_t first, std::size_t second, char c) {
    unsigned from = t[first].offset, to = t[second].end();
    for (unsigned k = from; k < to; ++k)
      out[k] = k < from + 3 ? c : ' ';
  };
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    if (t.is(i, clang::tok::lessless) && t.is(i + 1, clang::tok::less))
      close(i, i + 1, '<');
    else if (t.is(i, clang::tok::greatergreater) && t.is(i + 1, clang::tok::greater) && i > 0)
      // Only after a launch opener: a ">> >" elsewhere is C++ (nested templates before C++11).
      for (std::size_t j = i; j-- > 0;) {
        if (t.is(j, clang::tok::semi) || t.is(j, clang::tok::l_brace))
          break;
        if (t.is(j, clang::tok::lessless) && t.is(j + 1, clang::tok::less)) {
          close(i, i + 1, '>');
          break;
        }
      }
  }
  return out;
}

} // namespace drawbridge::translate

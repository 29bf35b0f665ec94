// #include <cuda_xxx.h> -> #include <hip/hip_xxx.h>, by the Headers table.
#include "Rewrite.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

namespace drawbridge::translate {
namespace {

/// Whether `name` is a header of the CUDA toolkit (its include/ or CCCL's include/cccl/).
bool isCudaToolkitHeader(const Options& options, llvm::StringRef name) {
  for (const char* dir : {"include", "include/cccl"}) {
    llvm::SmallString<256> path(options.cudaPath);
    llvm::sys::path::append(path, dir, name);
    if (llvm::sys::fs::exists(path))
      return true;
  }
  return false;
}

} // namespace

std::optional<IncludedName> includedName(const TokenStream& t, std::size_t i) {
  // The header name is raw text: in a raw lex "<cuda_runtime.h>" is several tokens.
  unsigned lineStart = t[i + 1].end();
  llvm::StringRef rest = t.text().substr(lineStart).split('\n').first;
  std::size_t open = rest.find_first_of("<\"");
  if (open == llvm::StringRef::npos)
    return std::nullopt; // #include MACRO
  char closer = rest[open] == '<' ? '>' : '"';
  std::size_t close = rest.find(closer, open + 1);
  if (close == llvm::StringRef::npos)
    return std::nullopt;
  return IncludedName{rest.slice(open + 1, close), lineStart + static_cast<unsigned>(open) + 1,
                      closer == '"'};
}

std::size_t rewriteInclude(RewriteContext& context, std::size_t i) {
  const TokenStream& t = context.tokens;
  std::size_t next = i + 2;
  while (next < t.size() && !t[next].atLineStart)
    ++next;
  auto included = includedName(t, i);
  if (!included)
    return next;
  llvm::StringRef name = included->name;
  unsigned nameOffset = included->offset;

  if (included->quoted) {
    // A project header next to this file wins over a toolkit header of the same name.
    llvm::SmallString<256> local(llvm::sys::path::parent_path(context.path));
    llvm::sys::path::append(local, name);
    if (llvm::sys::fs::exists(local))
      return next;
  }
  Lookup found = lookupHeader(std::string_view(name.data(), name.size()), context.options.target());
  if (found.usable && found.usable->action == Action::Unsupported) {
    context.stats.count(Family::Header, Outcome::NoHipEquivalent);
    context.report(DiagId::NoHipEquivalent, nameOffset,
                   "<" + name.str() + "> cannot be translated: " + std::string(found.usable->hip));
  } else if (found.usable) {
    llvm::StringRef hip(found.usable->hip.data(), found.usable->hip.size());
    std::string replacement = hip.str();
    if (hip.ends_with("/*"))
      replacement = hip.drop_back(1).str() + name.split('/').second.str();
    if (replacement != name)
      context.replace(nameOffset, static_cast<unsigned>(name.size()), replacement);
    context.stats.count(Family::Header, Outcome::Converted);
  } else if (found.newer) {
    context.stats.count(Family::Header, Outcome::NoHipEquivalent);
    context.report(DiagId::NeedsNewerHip, nameOffset,
                   "<" + name.str() + "> maps to <" + std::string(found.newer->hip) +
                       ">, which needs HIP " + found.newer->since.str() + " (target is " +
                       context.options.hipVersion.str() + "); raise --hip-version");
  } else if (name.starts_with("cuda/")) {
    context.stats.count(Family::Header, Outcome::NoHipEquivalent);
    context.report(DiagId::LibcuxxName, nameOffset,
                   "<" + name.str() + "> is libcu++, which HIP lacks; use the std:: equivalent");
  } else if (isCudaToolkitHeader(context.options, name)) {
    context.stats.count(Family::Header, Outcome::Unconverted);
    context.report(DiagId::UnknownCudaName, nameOffset,
                   "CUDA header <" + name.str() +
                       "> has no HIP mapping; replace it by hand or remove it");
  }
  return next;
}

} // namespace drawbridge::translate

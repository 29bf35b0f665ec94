// Rewriting one file's text: the shared state of the identifier, include and launch rewriters.
#pragma once

#include "Project.h"
#include "Tokens.h"
#include "drawbridge/translate/Diagnostic.h"
#include "drawbridge/translate/Options.h"
#include "drawbridge/translate/Stats.h"

#include <clang/Tooling/Core/Replacement.h>
#include <string>

namespace drawbridge::translate {

struct RewriteContext {
  RewriteContext(llvm::StringRef path, llvm::StringRef text, const Options& options,
                 const ProjectNames& project)
      : path(path), tokens(text), lines(text), options(options), project(project) {}

  llvm::StringRef path;
  TokenStream tokens;
  LineTable lines;
  const Options& options;
  const ProjectNames& project;
  // Macros and functions this file defines in any #if branch, seen by the raw lexer: the parse
  // misses those in disabled branches, and uses of them are not the CUDA API either.
  llvm::StringSet<> fileDeclarations;
  clang::tooling::Replacements edits;
  // Tokens before this offset that a call rewrite removed (a dropped argument): not looked at
  // again, so that nothing is reported or renamed in text that is gone.
  unsigned removedUntil = 0;
  std::vector<Diagnostic> diagnostics;
  Stats stats;

  void replace(unsigned offset, unsigned length, llvm::StringRef text);
  void report(DiagId id, unsigned offset, std::string message);
};

/// Rewrites the launch whose <<< (or nvcc's spaced "<< <") starts at token `i`; returns the token
/// index to continue after.
std::size_t rewriteLaunch(RewriteContext& context, std::size_t i);

/// Rewrites the identifier at token `i` (a CUDA API name, a device intrinsic call, a macro);
/// returns the token index to continue after.
std::size_t rewriteIdentifier(RewriteContext& context, std::size_t i);

/// The libcu++ name whose `cuda` is at token `i` (cuda::maximum, cuda::std::plus): translated by
/// the Libcuxx.def rows, reported otherwise; returns the token index to continue after.
std::size_t rewriteLibcuxxName(RewriteContext& context, std::size_t i);

/// The macros (#define NAME) and functions (NAME(...) { at a definition) a file defines in any
/// #if branch.
llvm::StringSet<> definedNames(const TokenStream& tokens);

/// printf at token `i`: HIP's threadIdx.x and friends are objects that convert to unsigned int, and
/// hipcc cannot pass objects through printf's "...", so bare ones become static_cast<unsigned
/// int>(threadIdx.x), which is their CUDA type.
void castPrintfCoordinates(RewriteContext& context, std::size_t i);

struct IncludedName {
  llvm::StringRef name; // between the <> or ""
  unsigned offset;      // of the name's first character
  bool quoted;
};
/// The header named by the #include at token `i` (the '#'); nullopt for #include MACRO.
std::optional<IncludedName> includedName(const TokenStream& tokens, std::size_t i);

/// Rewrites the #include at token `i` (the '#'); returns the index of the first token after it.
std::size_t rewriteInclude(RewriteContext& context, std::size_t i);

/// The whole file; `isSource` files (translation units) also get <hip/hip_runtime.h>, which
/// nvcc includes implicitly and hipcc does not.
struct RewrittenFile {
  std::string text;
  std::vector<Diagnostic> diagnostics;
  Stats stats;
};
RewrittenFile rewriteFile(llvm::StringRef path, llvm::StringRef text, const Options& options,
                          const ProjectNames& project, bool isSource);

/// `text` with nvcc's spaced launch brackets ("<< <", ">> >") closed up, at the same offsets, so
/// that clang can parse what nvcc accepts.
std::string closeLaunchBrackets(llvm::StringRef text);

} // namespace drawbridge::translate

// CUDA names -> HIP names, by the mapping tables; device intrinsic calls whose HIP form takes
// different arguments; and a report for every CUDA-looking name that no table knows.
#include "Rewrite.h"

#include <llvm/ADT/StringExtras.h>

namespace drawbridge::translate {
namespace {

bool isComparison(const TokenStream& t, std::size_t i) {
  using namespace clang::tok;
  return t.is(i, less) || t.is(i, lessequal) || t.is(i, greater) || t.is(i, greaterequal) ||
         t.is(i, equalequal) || t.is(i, exclaimequal);
}

/// A warp mask as a normalised literal ("0xffffffff"), seen through project macros.
std::string maskValue(llvm::StringRef text, const ProjectNames& project, int depth = 0) {
  auto macro = project.macros.find(text.trim());
  if (depth < 4 && macro != project.macros.end())
    return maskValue(macro->getValue(), project, depth + 1);
  std::string s;
  for (char c : text)
    if (!llvm::isSpace(c) && c != '(' && c != ')')
      s += llvm::toLower(c);
  while (!s.empty() && (s.back() == 'u' || s.back() == 'l'))
    s.pop_back();
  return s;
}

/// Whether a warp mask names every lane: the 32-bit or 64-bit full mask, ~0, -1, __activemask().
bool isFullMask(llvm::StringRef value) {
  return value == "0xffffffff" || value == "0xffffffffffffffff" || value == "~0" || value == "-1" ||
         value == "__activemask";
}

/// HIP's *_sync functions take 64-bit masks: the full mask becomes the 64-bit one, __activemask()
/// is 64-bit already, and any other mask is cast (lanes 0-31, as in CUDA).
void widenMask(RewriteContext& c, std::pair<std::size_t, std::size_t> arg) {
  static constexpr llvm::StringLiteral kFull64 = "0xffffffffffffffffull";
  static constexpr llvm::StringLiteral kCast = "static_cast<unsigned long long>(";
  const TokenStream& t = c.tokens;
  llvm::StringRef text = t.textOf(arg.first, arg.second);
  std::string value = maskValue(text, c.project);
  if (text.starts_with(kCast) || value == "__activemask" || text == kFull64)
    return;
  if (isFullMask(value)) {
    c.replace(t[arg.first].offset, static_cast<unsigned>(text.size()), kFull64);
    return;
  }
  c.replace(t[arg.first].offset, 0, kCast);
  c.replace(t[arg.second].end(), 0, ")");
}

struct Call {
  std::size_t open, close;
  std::vector<std::pair<std::size_t, std::size_t>> args;
};

std::optional<Call> callAt(const TokenStream& t, std::size_t name) {
  if (!t.is(name + 1, clang::tok::l_paren))
    return std::nullopt;
  auto close = t.matchForward(name + 1);
  if (!close)
    return std::nullopt;
  return Call{name + 1, *close, t.arguments(name + 1, *close)};
}

/// Reports what dropping a warp mask means on the target.
void checkMask(RewriteContext& c, std::size_t name, const Call& call) {
  const TokenStream& t = c.tokens;
  llvm::StringRef mask = t.textOf(call.args[0].first, call.args[0].second);
  std::string value = maskValue(mask, c.project);
  if (!isFullMask(value)) {
    c.report(DiagId::MaskDropped, t[call.args[0].first].offset,
             "warp mask '" + mask.str() + "' dropped: HIP " + c.options.hipVersion.str() +
                 " has no " + t.spelling(name).str() +
                 ", and its replacement involves every lane of the wavefront; make sure the "
                 "lanes outside the mask are active and agree, or guard the call");
  } else if (warpSizeOf(c.options.offloadArch) == 64 && value == "0xffffffff") {
    c.report(DiagId::FullMaskOnWave64, t[call.args[0].first].offset,
             "mask '" + mask.str() + "' names 32 lanes but a " + c.options.offloadArch +
                 " wavefront has 64; the HIP call spans all 64 lanes");
  }
}

/// Applies a call-shaped row (drop the mask, replace the call, store); false when the name is not
/// called here (taken as a pointer, say), which the caller reports.
bool rewriteCall(RewriteContext& c, std::size_t name, const Mapping& m) {
  const TokenStream& t = c.tokens;
  auto call = callAt(t, name);
  if (!call)
    return false;
  llvm::StringRef hip(m.hip.data(), m.hip.size());
  switch (m.action) {
  case Action::DropMask:
    if (call->args.size() < 2)
      return false;
    checkMask(c, name, *call);
    c.replace(t[name].offset, t[name].length, hip);
    c.replace(t[call->args[0].first].offset,
              t[call->args[1].first].offset - t[call->args[0].first].offset, "");
    return true;
  case Action::WidenMask:
    if (call->args.empty())
      return false;
    if (hip != t.spelling(name))
      c.replace(t[name].offset, t[name].length, hip);
    widenMask(c, call->args[0]);
    return true;
  case Action::ReplaceCall:
    if (!call->args.empty())
      checkMask(c, name, *call);
    c.replace(t[name].offset, t[call->close].end() - t[name].offset, hip);
    return true;
  case Action::Load: {
    if (call->args.size() != 1)
      return false;
    auto [p0, p1] = call->args[0];
    c.replace(t[name].offset, t[p0].offset - t[name].offset, "(*(");
    c.replace(t[p1].end(), t[call->close].end() - t[p1].end(), "))");
    return true;
  }
  case Action::Store: {
    if (call->args.size() != 2)
      return false;
    // Every token between the name and the call's end is replaced but for the two arguments,
    // which stay in place so that rewrites inside them still apply.
    auto [p0, p1] = call->args[0];
    auto [v0, v1] = call->args[1];
    c.replace(t[name].offset, t[p0].offset - t[name].offset, "(*(");
    c.replace(t[p1].end(), t[v0].offset - t[p1].end(), ") = (");
    c.replace(t[v1].end(), t[call->close].end() - t[v1].end(), "))");
    return true;
  }
  default:
    return false;
  }
}

void reportValueUse(RewriteContext& c, std::size_t i, const Mapping& m) {
  const TokenStream& t = c.tokens;
  if (!isComparison(t, i + 1) && !(i > 0 && isComparison(t, i - 1)))
    return;
  if (m.cuda == "__CUDA_ARCH__")
    c.report(DiagId::CudaArchValue, t[i].offset,
             "__CUDA_ARCH__ compared with a compute capability: __HIP_DEVICE_COMPILE__ is only 1 "
             "on the device side; pick the branch meant for AMD GPUs by hand");
  else if (m.family == Family::Macro && m.cuda != "__CUDACC__")
    c.report(DiagId::VersionMacroValue, t[i].offset,
             std::string(m.cuda) + " compared with a CUDA version number: " + std::string(m.hip) +
                 " counts HIP versions; rewrite the test for HIP");
}

/// Applies the table rows for `key` (the name at token `i`, or "Struct::field" for a member);
/// false when no row knows it.
bool applyRows(RewriteContext& c, std::size_t i, llvm::StringRef key) {
  const TokenStream& t = c.tokens;
  Lookup found;
  // A call of a name whose rows depend on the argument count looks up "name/N" first.
  if (hasArgumentCountRows(std::string_view(key.data(), key.size())))
    if (auto call = callAt(t, i))
      found =
          lookupIdentifier(key.str() + "/" + std::to_string(call->args.size()), c.options.target());
  if (!found.usable && !found.newer)
    found = lookupIdentifier(std::string_view(key.data(), key.size()), c.options.target());
  if (const Mapping* m = found.usable) {
    if (m->action == Action::Unsupported) {
      c.stats.count(m->family, Outcome::NoHipEquivalent);
      c.report(DiagId::NoHipEquivalent, t[i].offset,
               key.str() + " cannot be translated: " + std::string(m->hip));
      return true;
    }
    if (m->action == Action::Rename) {
      if (m->hip != m->cuda)
        c.replace(t[i].offset, t[i].length, llvm::StringRef(m->hip.data(), m->hip.size()));
      reportValueUse(c, i, *m);
      c.stats.count(m->family, Outcome::Converted);
      return true;
    }
    if (rewriteCall(c, i, *m)) {
      c.stats.count(m->family, Outcome::Converted);
      return true;
    }
    c.stats.count(m->family, Outcome::Unconverted);
    c.report(DiagId::CallNotRewritten, t[i].offset,
             key.str() + " is not called with its usual arguments here, so it was left as "
                         "written; rewrite it by hand");
    return true;
  }
  if (found.newer) {
    c.stats.count(found.newer->family, Outcome::NoHipEquivalent);
    c.report(DiagId::NeedsNewerHip, t[i].offset,
             key.str() + " maps to " + std::string(found.newer->hip) + ", which needs HIP " +
                 found.newer->since.str() + " (target is " + c.options.hipVersion.str() +
                 "); raise --hip-version or rewrite by hand");
    return true;
  }
  return false;
}

} // namespace

std::size_t rewriteIdentifier(RewriteContext& c, std::size_t i) {
  const TokenStream& t = c.tokens;
  llvm::StringRef name = t.spelling(i);
  // Members (s.cudaX) are not the CUDA API, but the fields of CUDA's own structs that clang saw
  // are looked up as "Struct::field".
  if (i > 0 && (t.is(i - 1, clang::tok::period) || t.is(i - 1, clang::tok::arrow))) {
    auto record = c.project.cudaMembers.find({c.path.str(), t[i].offset});
    if (record != c.project.cudaMembers.end())
      applyRows(c, i, record->second + "::" + name.str());
    return i + 1;
  }
  // Names qualified by another namespace are not the CUDA API.
  if (i > 1 && t.is(i - 1, clang::tok::coloncolon) &&
      (t.is(i - 2, clang::tok::raw_identifier) || t.is(i - 2, clang::tok::greater)))
    return i + 1;
  bool namespaceUse = t.is(i + 1, clang::tok::coloncolon) || t.isIdentifier(i - 1, "namespace");
  if (name == "cuda" && namespaceUse)
    return rewriteLibcuxxName(c, i);
  if (name == "cub" && !namespaceUse)
    return i + 1; // a variable that happens to be called cub
  if (name == "asm" || name == "__asm__" || name == "__asm") {
    // Inline assembly in CUDA sources is PTX, which no AMD GPU runs.
    c.stats.count(Family::Device, Outcome::NoHipEquivalent);
    c.report(DiagId::InlineAssembly, t[i].offset,
             "inline assembly (PTX in CUDA code) cannot run on AMD GPUs; rewrite it with HIP "
             "intrinsics or guard it with #ifndef __HIP_PLATFORM_AMD__");
    return i + 1;
  }
  if (name.starts_with("__nvvm_")) {
    // clang's NVPTX builtins exist only when compiling for NVIDIA GPUs.
    c.stats.count(Family::Device, Outcome::NoHipEquivalent);
    c.report(DiagId::NoHipEquivalent, t[i].offset,
             name.str() + " cannot be translated: it is a clang builtin of the NVPTX target only; "
                          "write it with HIP intrinsics");
    return i + 1;
  }
  if (name == "printf")
    castPrintfCoordinates(c, i);
  if (c.project.declarationSites.count({c.path.str(), t[i].offset}))
    return i + 1; // the project's own declaration of a name the tables know
  if (applyRows(c, i, name))
    return i + 1;
  if (auto family = familyByPrefix(std::string_view(name.data(), name.size()));
      family && !c.project.declares(name) && !c.fileDeclarations.contains(name)) {
    c.stats.count(*family, Outcome::Unconverted);
    c.report(DiagId::UnknownCudaName, t[i].offset,
             "CUDA name " + name.str() + " has no HIP mapping and was left as written; " +
                 "replace it by hand");
  }
  return i + 1;
}

} // namespace drawbridge::translate

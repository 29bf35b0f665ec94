#include "Collector.h"

#include "drawbridge/translate/Mapping.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>
#include <llvm/Support/Path.h>

namespace drawbridge::translate {
namespace {

/// The file's real path. A name clang found through a relative include path is relative to the
/// parse's working directory, which is its file system's, not the process's.
std::string realPath(const clang::FileManager& files, llvm::StringRef path) {
  llvm::SmallString<256> absolute(path), real;
  files.makeAbsolutePath(absolute);
  if (llvm::sys::fs::real_path(absolute, real))
    return absolute.str().str();
  return real.str().str();
}

class IncludeCollector : public clang::PPCallbacks {
public:
  IncludeCollector(clang::Preprocessor& pp, const Options& options, UnitFacts& facts)
      : pp_(pp), options_(options), facts_(facts) {}

  void FileChanged(clang::SourceLocation loc, FileChangeReason reason,
                   clang::SrcMgr::CharacteristicKind kind, clang::FileID) override {
    if (reason != EnterFile || kind != clang::SrcMgr::C_User)
      return;
    const auto& sm = pp_.getSourceManager();
    auto entry = sm.getFileEntryRefForID(sm.getFileID(loc));
    if (!entry)
      return;
    llvm::StringRef name = entry->getName();
    if (name.starts_with(options_.cudaPath))
      return;
    facts_.projectFiles.insert(realPath(sm.getFileManager(), name));
  }

  void MacroDefined(const clang::Token& name, const clang::MacroDirective* directive) override {
    if (!inProjectFile(pp_.getSourceManager(), name.getLocation()))
      return;
    std::string body;
    for (const clang::Token& token : directive->getMacroInfo()->tokens())
      body += pp_.getSpelling(token);
    llvm::StringRef macro = name.getIdentifierInfo()->getName();
    facts_.names.macros[macro] = body;
    if (warpSizeOf(options_.offloadArch) == 64 && macro.contains_insensitive("warp") &&
        macro.contains_insensitive("size") && body == "32")
      facts_.diagnostics.push_back(diagnosticAt(
          pp_.getSourceManager(), name.getLocation(), DiagId::WarpSizeConstant,
          "macro " + macro.str() + " fixes the warp size at 32, but a " + options_.offloadArch +
              " wavefront has 64 lanes; use warpSize, or keep 32 only where the "
              "code means 32-lane groups"));
  }

private:
  clang::Preprocessor& pp_;
  const Options& options_;
  UnitFacts& facts_;
};

class DeclarationCollector : public clang::RecursiveASTVisitor<DeclarationCollector> {
public:
  DeclarationCollector(const clang::SourceManager& sm, UnitFacts& facts) : sm_(sm), facts_(facts) {}
  bool shouldVisitTemplateInstantiations() const { return false; }

  bool VisitNamedDecl(clang::NamedDecl* decl) {
    clang::SourceLocation loc = decl->getLocation();
    if (!decl->getIdentifier() || !inProjectFile(sm_, loc))
      return true;
    facts_.names.declarations.insert(decl->getName());
    keepIfMapped(decl->getName(), loc);
    return true;
  }

  /// Uses of the project's own declarations under a name the tables know (a variable called
  /// `texture`, the template CUDA 12 removed) are the project's too. The first declaration
  /// decides: a project that declares one of CUDA's functions again still calls CUDA's.
  bool VisitDeclRefExpr(clang::DeclRefExpr* reference) {
    const auto* decl = llvm::cast<clang::NamedDecl>(reference->getDecl()->getCanonicalDecl());
    if (decl->getIdentifier() && inProjectFile(sm_, decl->getLocation()) &&
        inProjectFile(sm_, reference->getLocation()))
      keepIfMapped(decl->getName(), reference->getLocation());
    return true;
  }

  /// Fields of CUDA's structs read in project code, for the tables' "Struct::field" rows.
  bool VisitMemberExpr(clang::MemberExpr* member) {
    // Where the field name is written: in the file, a macro's argument or a macro's body.
    clang::SourceLocation loc = sm_.getSpellingLoc(member->getMemberLoc());
    if (!inProjectFile(sm_, loc))
      return true;
    if (inProjectFile(sm_, member->getMemberDecl()->getLocation())) {
      if (member->getMemberDecl()->getIdentifier())
        keepIfMapped(member->getMemberDecl()->getName(), loc); // the project's own field
      return true;
    }
    // The base's type, or what it points to (s->field).
    const auto* decl =
        member->getBase()->getType()->getPointeeOrArrayElementType()->getAsRecordDecl();
    if (!decl || !decl->getIdentifier() || inProjectFile(sm_, decl->getLocation()) ||
        !familyByPrefix(std::string_view(decl->getName().data(), decl->getName().size())))
      return true;
    if (auto entry = sm_.getFileEntryRefForID(sm_.getFileID(loc)))
      facts_.names.cudaMembers.emplace(
          std::pair{realPath(sm_.getFileManager(), entry->getName()), sm_.getFileOffset(loc)},
          decl->getName().str());
    return true;
  }

private:
  // Any HIP version: a name some row maps must not be renamed where the project declares it.
  void keepIfMapped(llvm::StringRef name, clang::SourceLocation loc) {
    Lookup mapped = lookupIdentifier(std::string_view(name.data(), name.size()), HipVersion{99, 0});
    if (mapped.usable && loc.isFileID())
      if (auto entry = sm_.getFileEntryRefForID(sm_.getFileID(loc)))
        facts_.names.declarationSites.emplace(realPath(sm_.getFileManager(), entry->getName()),
                                              sm_.getFileOffset(loc));
  }

  const clang::SourceManager& sm_;
  UnitFacts& facts_;
};

class Consumer : public clang::ASTConsumer {
public:
  Consumer(const Options& options, UnitFacts& facts) : options_(options), facts_(facts) {}
  /// The bodies of functions in system headers (CUDA's, the C++ library's) are skipped: nothing
  /// is collected from them and they are most of the parse. Clang itself keeps those it may need
  /// to evaluate (constexpr ones, and those whose return type is deduced).
  bool shouldSkipFunctionBody(clang::Decl* decl) override {
    return !inProjectFile(decl->getASTContext().getSourceManager(), decl->getLocation());
  }
  void HandleTranslationUnit(clang::ASTContext& context) override {
    DeclarationCollector(context.getSourceManager(), facts_).TraverseAST(context);
    checkWarpAssumptions(context, options_, facts_.diagnostics);
  }

private:
  const Options& options_;
  UnitFacts& facts_;
};

class CollectAction : public clang::ASTFrontendAction {
public:
  CollectAction(const Options& options, UnitFacts& facts) : options_(options), facts_(facts) {}
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& ci,
                                                        llvm::StringRef) override {
    ci.getFrontendOpts().SkipFunctionBodies = true; // only where the consumer says so
    ci.getPreprocessor().addPPCallbacks(
        std::make_unique<IncludeCollector>(ci.getPreprocessor(), options_, facts_));
    return std::make_unique<Consumer>(options_, facts_);
  }

private:
  const Options& options_;
  UnitFacts& facts_;
};

class Factory : public clang::tooling::FrontendActionFactory {
public:
  Factory(const Options& options, UnitFacts& facts) : options_(options), facts_(facts) {}
  std::unique_ptr<clang::FrontendAction> create() override {
    return std::make_unique<CollectAction>(options_, facts_);
  }

private:
  const Options& options_;
  UnitFacts& facts_;
};

} // namespace

bool inProjectFile(const clang::SourceManager& sm, clang::SourceLocation loc) {
  if (loc.isInvalid())
    return false;
  loc = sm.getFileLoc(loc);
  if (sm.isInSystemHeader(loc))
    return false;
  return sm.getFileEntryRefForID(sm.getFileID(loc)).has_value();
}

Diagnostic diagnosticAt(const clang::SourceManager& sm, clang::SourceLocation loc, DiagId id,
                        std::string message) {
  auto presumed = sm.getPresumedLoc(sm.getFileLoc(loc));
  Diagnostic d{id, "", 0, 0, std::move(message)};
  if (presumed.isValid()) {
    d.file = realPath(sm.getFileManager(), presumed.getFilename());
    d.line = presumed.getLine();
    d.column = presumed.getColumn();
  }
  return d;
}

std::unique_ptr<clang::tooling::FrontendActionFactory> collectorFactory(const Options& options,
                                                                        UnitFacts& facts) {
  return std::make_unique<Factory>(options, facts);
}

} // namespace drawbridge::translate

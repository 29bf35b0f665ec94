// Device code that assumes a 32-lane warp, reported when the target's wavefront has 64 lanes:
// lane and warp arithmetic (x & 31, x % 32, x / 32, x >> 5 on thread or lane indices), warp-size
// constants of 32, and shuffle loops whose offsets start at 16. These are reported, not rewritten:
// whether 32 means "a warp" or "a group of 32" is the author's call.
#include "Collector.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/RecursiveASTVisitor.h>

namespace drawbridge::translate {
namespace {

std::optional<uint64_t> literalValue(const clang::Expr* e) {
  if (const auto* literal = llvm::dyn_cast<clang::IntegerLiteral>(e->IgnoreParenImpCasts()))
    return literal->getValue().getZExtValue();
  return std::nullopt;
}

/// Whether an expression reads threadIdx or a variable named like a thread or lane index.
bool mentionsThreadIndex(const clang::Stmt* s) {
  if (!s)
    return false;
  // threadIdx.x is a property access: its operands sit behind pseudo-object and opaque values,
  // which children() does not enter.
  if (const auto* pseudo = llvm::dyn_cast<clang::PseudoObjectExpr>(s))
    return mentionsThreadIndex(pseudo->getSyntacticForm());
  if (const auto* opaque = llvm::dyn_cast<clang::OpaqueValueExpr>(s))
    return mentionsThreadIndex(opaque->getSourceExpr());
  if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(s)) {
    llvm::StringRef name = ref->getDecl()->getName();
    return name == "threadIdx" || name.contains_insensitive("lane") ||
           name.contains_insensitive("tid") || name.contains_insensitive("thread");
  }
  for (const clang::Stmt* child : s->children())
    if (mentionsThreadIndex(child))
      return true;
  return false;
}

bool callsShuffle(const clang::Stmt* s) {
  if (!s)
    return false;
  if (const auto* call = llvm::dyn_cast<clang::CallExpr>(s))
    if (const auto* callee = call->getDirectCallee())
      if (callee->getName().starts_with("__shfl"))
        return true;
  for (const clang::Stmt* child : s->children())
    if (callsShuffle(child))
      return true;
  return false;
}

class Reporter {
public:
  Reporter(const clang::SourceManager& sm, const Options& options,
           std::vector<Diagnostic>& diagnostics)
      : sm(sm), options(options), diagnostics_(diagnostics) {}
  void operator()(clang::SourceLocation loc, DiagId id, std::string message) const {
    diagnostics_.push_back(diagnosticAt(sm, loc, id, std::move(message)));
  }
  const clang::SourceManager& sm;
  const Options& options;

private:
  std::vector<Diagnostic>& diagnostics_;
};

/// Checks the body of one device function.
class BodyChecker : public clang::RecursiveASTVisitor<BodyChecker> {
public:
  explicit BodyChecker(const Reporter& report) : report_(report) {}

  bool VisitBinaryOperator(clang::BinaryOperator* op) {
    auto value = literalValue(op->getRHS());
    if (!value || !mentionsThreadIndex(op->getLHS()))
      return true;
    using Op = clang::BinaryOperatorKind;
    Op kind = op->getOpcode();
    bool lane = (kind == Op::BO_And && *value == 31) || (kind == Op::BO_Rem && *value == 32);
    bool warp = (kind == Op::BO_Div && *value == 32) || (kind == Op::BO_Shr && *value == 5);
    if (lane || warp)
      report_(op->getOperatorLoc(), DiagId::LaneArithmetic,
              std::string(lane ? "lane index" : "warp index") +
                  " computed for 32-lane warps, but a " + report_.options.offloadArch +
                  " wavefront has 64 lanes; write it with warpSize (" +
                  (lane ? "x % warpSize" : "x / warpSize") + ") unless 32-lane groups are meant");
    return true;
  }

  bool VisitForStmt(clang::ForStmt* loop) {
    if (!callsShuffle(loop->getBody()))
      return true;
    const auto* decl = llvm::dyn_cast_or_null<clang::DeclStmt>(loop->getInit());
    if (!decl || !decl->isSingleDecl())
      return true;
    const auto* var = llvm::dyn_cast<clang::VarDecl>(decl->getSingleDecl());
    if (var && var->getInit() && literalValue(var->getInit()) == 16)
      report_(var->getInit()->getBeginLoc(), DiagId::ShuffleLoopFrom16,
              "shuffle loop starts at offset 16, which reduces over 32 lanes; a " +
                  report_.options.offloadArch +
                  " wavefront has 64: start at warpSize / 2 to cover it, or keep 16 if the code "
                  "works in 32-lane groups");
    return true;
  }

private:
  const Reporter& report_;
};

/// Finds device functions and warp-size constants in project files.
class DeviceCodeFinder : public clang::RecursiveASTVisitor<DeviceCodeFinder> {
public:
  explicit DeviceCodeFinder(const Reporter& report) : report_(report) {}

  bool VisitFunctionDecl(clang::FunctionDecl* f) {
    bool device = f->hasAttr<clang::CUDADeviceAttr>() || f->hasAttr<clang::CUDAGlobalAttr>();
    if (device && f->doesThisDeclarationHaveABody() && inProjectFile(report_.sm, f->getLocation()))
      BodyChecker(report_).TraverseStmt(f->getBody());
    return true;
  }

  bool VisitVarDecl(clang::VarDecl* var) {
    llvm::StringRef name = var->getName();
    if (!var->getInit() || !name.contains_insensitive("warp") ||
        !name.contains_insensitive("size") || !inProjectFile(report_.sm, var->getLocation()))
      return true;
    if (literalValue(var->getInit()) == 32)
      report_(var->getLocation(), DiagId::WarpSizeConstant,
              name.str() + " fixes the warp size at 32, but a " + report_.options.offloadArch +
                  " wavefront has 64 lanes; use warpSize, or keep 32 only where 32-lane groups "
                  "are meant");
    return true;
  }

private:
  const Reporter& report_;
};

} // namespace

void checkWarpAssumptions(clang::ASTContext& context, const Options& options,
                          std::vector<Diagnostic>& diagnostics) {
  if (warpSizeOf(options.offloadArch) != 64)
    return;
  Reporter report(context.getSourceManager(), options, diagnostics);
  DeviceCodeFinder(report).TraverseAST(context);
}

} // namespace drawbridge::translate

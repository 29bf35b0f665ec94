#include "ModuleSplit.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <set>
#include <vector>

namespace drawbridge::backend::cpu {

namespace {

constexpr unsigned kSharedSpace = 3;

/// Variables a kernel module defines itself rather than declaring: its shared memory (laid out
/// per kernel) and private constants (a copy reads the same; nothing can write them).
bool copiedIntoKernels(const llvm::GlobalVariable& variable) {
  return variable.getAddressSpace() == kSharedSpace ||
         (variable.isConstant() && variable.hasPrivateLinkage());
}

/// The definitions a module made from `roots` needs: the functions they call or point at, and
/// the variables they use that `copied` says the module defines (with their initializers' needs).
class Reachable {
public:
  template <typename Copied> Reachable(std::vector<const llvm::GlobalValue*> roots, Copied copied) {
    std::vector<const llvm::GlobalValue*> work;
    auto add = [&](const llvm::GlobalValue* value) {
      auto* variable = llvm::dyn_cast<llvm::GlobalVariable>(value);
      if (value->isDeclaration() || (variable && !copied(*variable)))
        return;
      if (values_.insert(value).second)
        work.push_back(value);
    };
    for (const llvm::GlobalValue* root : roots)
      add(root);
    while (!work.empty()) {
      const llvm::GlobalValue* value = work.back();
      work.pop_back();
      if (auto* function = llvm::dyn_cast<llvm::Function>(value)) {
        for (const llvm::Instruction& instruction : llvm::instructions(*function))
          for (const llvm::Value* operand : instruction.operands())
            visit(operand, add);
      } else if (auto* variable = llvm::dyn_cast<llvm::GlobalVariable>(value)) {
        visit(variable->getInitializer(), add);
      }
    }
  }

  bool contains(const llvm::GlobalValue* value) const { return values_.count(value) != 0; }

private:
  /// Adds the global values `value` names, looking through constant expressions and aggregates.
  template <typename Add> void visit(const llvm::Value* value, Add& add) {
    auto* constant = llvm::dyn_cast<llvm::Constant>(value);
    if (!constant || !seen_.insert(constant).second)
      return;
    if (auto* global = llvm::dyn_cast<llvm::GlobalValue>(constant)) {
      add(global);
      return;
    }
    for (const llvm::Value* operand : constant->operands())
      visit(operand, add);
  }

  std::set<const llvm::GlobalValue*> values_;
  std::set<const llvm::Constant*> seen_;
};

/// A copy of `module` with the definitions `reachable` holds, every other global declared; the
/// declarations nothing uses, and the annotations of functions no longer there, are dropped.
std::unique_ptr<llvm::Module> cloneReachable(const llvm::Module& module,
                                             const Reachable& reachable) {
  llvm::ValueToValueMapTy map;
  std::unique_ptr<llvm::Module> copy = llvm::CloneModule(
      module, map, [&](const llvm::GlobalValue* value) { return reachable.contains(value); });
  if (llvm::NamedMDNode* annotations = copy->getNamedMetadata("nvvm.annotations")) {
    std::vector<llvm::MDNode*> kept;
    for (llvm::MDNode* node : annotations->operands()) {
      auto* function =
          node->getNumOperands() == 0
              ? nullptr
              : llvm::mdconst::dyn_extract_or_null<llvm::Function>(node->getOperand(0));
      if (!function || !function->isDeclaration())
        kept.push_back(node);
    }
    annotations->clearOperands();
    for (llvm::MDNode* node : kept)
      annotations->addOperand(node);
  }
  for (llvm::Function& function : llvm::make_early_inc_range(*copy))
    if (function.isDeclaration() && function.use_empty() && !function.isIntrinsic())
      function.eraseFromParent();
  for (llvm::GlobalVariable& variable : llvm::make_early_inc_range(copy->globals())) {
    variable.removeDeadConstantUsers();
    if (variable.isDeclaration() && variable.use_empty())
      variable.eraseFromParent();
  }
  return copy;
}

} // namespace

void shareVariables(llvm::Module& module) {
  for (llvm::GlobalVariable& variable : module.globals())
    if (!copiedIntoKernels(variable) && variable.hasLocalLinkage())
      variable.setLinkage(llvm::GlobalValue::ExternalLinkage);
}

std::unique_ptr<llvm::Module> extractGlobals(const llvm::Module& module) {
  std::vector<const llvm::GlobalValue*> roots;
  for (const llvm::GlobalVariable& variable : module.globals())
    // llvm.used and its kind name what must not be optimized away, kernels included: no root.
    if (!copiedIntoKernels(variable) && !variable.getName().starts_with("llvm."))
      roots.push_back(&variable);
  // Every variable this module reaches, it defines.
  return cloneReachable(module, Reachable(roots, [](const llvm::GlobalVariable&) { return true; }));
}

std::unique_ptr<llvm::Module> extractKernel(const llvm::Module& module,
                                            const llvm::Function& kernel) {
  return cloneReachable(module, Reachable({&kernel}, copiedIntoKernels));
}

} // namespace drawbridge::backend::cpu

#include "FailedFunctions.h"

#include <llvm/IR/Instruction.h>
#include <utility>
#include <vector>

namespace drawbridge::ptx::nvvm {

void FailedFunctions::leaveOut(ModuleState& state, std::vector<FunctionFailure>& kernels) {
  std::vector<std::pair<llvm::Function*, std::string>> work(reasons_.begin(), reasons_.end());
  while (!work.empty()) {
    auto [function, reason] = std::move(work.back());
    work.pop_back();
    for (llvm::User* user : function->users()) {
      auto* instruction = llvm::dyn_cast<llvm::Instruction>(user);
      if (!instruction)
        continue;
      llvm::Function* caller = instruction->getFunction();
      std::string because =
          "it calls '" + function->getName().str() + "', which cannot be compiled: " + reason;
      if (reasons_.emplace(caller, because).second)
        work.emplace_back(caller, std::move(because));
    }
  }
  for (auto& [function, reason] : reasons_) {
    function->deleteBody();
    // LLVM allows no internal declaration; nothing else defines the name.
    function->setLinkage(llvm::GlobalValue::ExternalLinkage);
  }
  for (size_t i = 0; i < state.ptx.functions.size(); ++i)
    if (auto found = reasons_.find(state.functions[i]); state.ptx.functions[i].isKernel &&
                                                        state.ptx.functions[i].hasBody &&
                                                        found != reasons_.end())
      kernels.push_back({state.ptx.functions[i].name, found->second});
}

} // namespace drawbridge::ptx::nvvm

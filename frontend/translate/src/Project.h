// What the clang parse taught about the project: the names it declares itself, so that a project
// function called cudaCheck or a macro CUDA_CHECK is not reported as an unknown CUDA name.
#pragma once

#include <llvm/ADT/StringMap.h>
#include <llvm/ADT/StringSet.h>
#include <string>

namespace drawbridge::translate {

struct ProjectNames {
  llvm::StringSet<> declarations;      // named declarations in project files
  llvm::StringMap<std::string> macros; // macros defined in project files -> their body

  bool declares(llvm::StringRef name) const {
    return declarations.contains(name) || macros.contains(name);
  }
  void add(const ProjectNames& other) {
    for (const auto& d : other.declarations)
      declarations.insert(d.getKey());
    for (const auto& m : other.macros)
      macros.try_emplace(m.getKey(), m.getValue());
  }
};

} // namespace drawbridge::translate

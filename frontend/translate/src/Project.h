// What the clang parse taught about the project: the names it declares itself, so that a project
// function called cudaCheck or a macro CUDA_CHECK is not reported as an unknown CUDA name.
#pragma once

#include <llvm/ADT/StringMap.h>
#include <llvm/ADT/StringSet.h>
#include <set>
#include <string>
#include <utility>

namespace drawbridge::translate {

struct ProjectNames {
  llvm::StringSet<> declarations;      // named declarations in project files
  llvm::StringMap<std::string> macros; // macros defined in project files -> their body
  // Where the project declares something under a name the tables map (a member called cudaMalloc,
  // say): (file, offset) of the declared name, which the rewriter leaves alone.
  std::set<std::pair<std::string, unsigned>> declarationSites;

  bool declares(llvm::StringRef name) const {
    return declarations.contains(name) || macros.contains(name);
  }
  void add(const ProjectNames& other) {
    for (const auto& d : other.declarations)
      declarations.insert(d.getKey());
    for (const auto& m : other.macros)
      macros.try_emplace(m.getKey(), m.getValue());
    declarationSites.insert(other.declarationSites.begin(), other.declarationSites.end());
  }
};

} // namespace drawbridge::translate

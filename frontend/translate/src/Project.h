// What the clang parse taught about the project: the names it declares itself, so that a project
// function called cudaCheck or a macro CUDA_CHECK is not reported as an unknown CUDA name.
#pragma once

#include <llvm/ADT/StringMap.h>
#include <llvm/ADT/StringSet.h>
#include <map>
#include <set>
#include <string>
#include <utility>

namespace drawbridge::translate {

struct ProjectNames {
  llvm::StringSet<> declarations;      // named declarations in project files
  llvm::StringMap<std::string> macros; // macros defined in project files -> their body
  // Where the project declares something under a name the tables map (a member called cudaMalloc,
  // a variable called texture), and where its code refers to such a declaration: (file, offset)
  // of the name, which the rewriter leaves alone.
  std::set<std::pair<std::string, unsigned>> declarationSites;
  // Where the project reads a field of one of CUDA's structs (prop.unifiedAddressing): (file,
  // offset) of the field name -> the struct's name, for the field rows of the tables.
  std::map<std::pair<std::string, unsigned>, std::string> cudaMembers;

  bool declares(llvm::StringRef name) const {
    return declarations.contains(name) || macros.contains(name);
  }
  void add(const ProjectNames& other) {
    for (const auto& d : other.declarations)
      declarations.insert(d.getKey());
    for (const auto& m : other.macros)
      macros.try_emplace(m.getKey(), m.getValue());
    declarationSites.insert(other.declarationSites.begin(), other.declarationSites.end());
    cudaMembers.insert(other.cudaMembers.begin(), other.cudaMembers.end());
  }
};

} // namespace drawbridge::translate

#include "drawbridge/translate/Output.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

namespace drawbridge::translate {
namespace {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

std::optional<Diagnostic> writeFile(llvm::StringRef target, llvm::StringRef text) {
  // A bare file name (-o out.cu) has no directory to create.
  if (llvm::StringRef parent = path::parent_path(target); !parent.empty())
    if (auto ec = fs::create_directories(parent))
      return Diagnostic{DiagId::IoError, target.str(), 0, 0,
                        "cannot create directory: " + ec.message()};
  std::error_code ec;
  llvm::raw_fd_ostream os(target, ec);
  if (!ec) {
    os << text;
    os.close();
    ec = os.error();
  }
  if (ec)
    return Diagnostic{DiagId::IoError, target.str(), 0, 0, "cannot write: " + ec.message()};
  return std::nullopt;
}

/// The deepest directory that holds every file.
std::string commonDirectory(const std::vector<TranslatedFile>& files) {
  std::string common = path::parent_path(files.front().path).str();
  for (const auto& f : files)
    while (!llvm::StringRef(f.path).starts_with(common + "/") && common != "/")
      common = path::parent_path(common).str();
  return common;
}

/// `file` below `from`, placed below `to`; nullopt when `file` is not below `from`.
std::optional<std::string> rebase(llvm::StringRef file, llvm::StringRef from, llvm::StringRef to) {
  llvm::SmallString<256> moved(file);
  if (!path::replace_path_prefix(moved, from, to))
    return std::nullopt;
  return moved.str().str();
}

} // namespace

std::vector<Diagnostic> writeOutputs(const Translation& translation, const OutputPlan& plan,
                                     llvm::raw_ostream& out) {
  std::vector<Diagnostic> problems;
  auto keep = [&](std::optional<Diagnostic> d) {
    if (d)
      problems.push_back(std::move(*d));
  };
  if (translation.files.empty())
    return problems;
  const TranslatedFile* source = nullptr;
  for (const auto& f : translation.files)
    if (f.isSource)
      source = &f;

  switch (plan.kind) {
  case OutputPlan::Kind::Tree: {
    std::string root = commonDirectory(translation.files);
    for (const auto& f : translation.files)
      keep(writeFile(*rebase(f.path, root, plan.path), f.translated));
    break;
  }
  case OutputPlan::Kind::InPlace:
    for (const auto& f : translation.files) {
      if (!f.changed())
        continue;
      std::string backup = f.path + kBackupSuffix;
      // An existing backup is the older original: a second run must not overwrite it.
      if (!fs::exists(backup))
        keep(writeFile(backup, f.original));
      keep(writeFile(f.path, f.translated));
    }
    break;
  case OutputPlan::Kind::File:
  case OutputPlan::Kind::Stdout: {
    std::string sourceDir = path::parent_path(source->path).str();
    std::string outDir = path::parent_path(plan.path).str();
    if (outDir.empty())
      outDir = ".";
    for (const auto& f : translation.files) {
      if (&f == source) {
        if (plan.kind == OutputPlan::Kind::File)
          keep(writeFile(plan.path, f.translated));
        else
          out << f.translated;
        continue;
      }
      if (!f.changed())
        continue;
      auto target = rebase(f.path, sourceDir, outDir);
      if (plan.kind == OutputPlan::Kind::File && target && *target != f.path)
        keep(writeFile(*target, f.translated));
      else
        problems.push_back({DiagId::OutsideOutputTree, f.path, 0, 0,
                            "this project header needs translating but has no place in the "
                            "output; use --out-dir or --inplace"});
    }
    break;
  }
  }
  return problems;
}

} // namespace drawbridge::translate

// Where translated files go: stdout, one file (-o), a mirrored tree (--out-dir) or back in place
// with backups (--inplace).
#pragma once

#include "drawbridge/translate/Translator.h"

#include <llvm/Support/raw_ostream.h>
#include <string>
#include <vector>

namespace drawbridge::translate {

struct OutputPlan {
  enum class Kind { Stdout, File, Tree, InPlace } kind = Kind::Stdout;
  std::string path; // the -o file or the --out-dir directory
};

/// The suffix of the copy --inplace keeps of each file it changes.
inline constexpr const char* kBackupSuffix = ".cuda.bak";

/// Writes the translation; returns what went wrong (DBT013 for a changed header that has no place
/// in the chosen output, DBT016 for I/O failures).
std::vector<Diagnostic> writeOutputs(const Translation& translation, const OutputPlan& plan,
                                     llvm::raw_ostream& out);

} // namespace drawbridge::translate

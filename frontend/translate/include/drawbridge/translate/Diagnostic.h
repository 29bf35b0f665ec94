// Translator diagnostics: stable numbers (DBTnnn, listed in frontend/translate/DIAGNOSTICS.md),
// a severity, a place and what to do.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace drawbridge::translate {

enum class Severity { Note, Warning, Error };

/// Numbers are stable: new diagnostics get new numbers, retired ones are never reused.
enum class DiagId : unsigned {
  UnknownCudaName = 1,
  NoHipEquivalent = 2,
  NeedsNewerHip = 3,
  MaskDropped = 4,
  FullMaskOnWave64 = 5,
  LaneArithmetic = 6,
  WarpSizeConstant = 7,
  ShuffleLoopFrom16 = 8,
  CudaArchValue = 9,
  VersionMacroValue = 10,
  LibcuxxName = 11,
  ParseErrors = 12,
  OutsideOutputTree = 13,
  CallNotRewritten = 14,
  LaunchNotRewritten = 15,
  IoError = 16,
  SystemHeaderErrors = 17,
  InlineAssembly = 18,
};

Severity severityOf(DiagId id);
/// "DBT001" and so on.
std::string codeOf(DiagId id);

struct Diagnostic {
  DiagId id;
  std::string file;
  unsigned line = 0; // 1-based; 0 when the diagnostic is about the whole file
  unsigned column = 0;
  std::string message;
};

/// "file:line:col: warning: message [DBT001]".
std::string format(const Diagnostic& diagnostic);

/// Sorts by file, line, column and number, and drops exact repeats (a header seen from several
/// translation units reports once).
void sortAndUnique(std::vector<Diagnostic>& diagnostics);

} // namespace drawbridge::translate

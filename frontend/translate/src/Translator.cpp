#include "drawbridge/translate/Translator.h"

#include "Collector.h"
#include "ParseSetup.h"
#include "Rewrite.h"

#include <clang/Basic/Diagnostic.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/ThreadPool.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <map>
#include <mutex>

namespace drawbridge::translate {
namespace {

/// Keeps the number and first message of clang's errors; everything else is clang's business.
class ErrorCounter : public clang::DiagnosticConsumer {
public:
  explicit ErrorCounter(UnitFacts& facts) : facts_(facts) {}
  void HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                        const clang::Diagnostic& info) override {
    if (level < clang::DiagnosticsEngine::Error)
      return;
    // Errors without a place ("too many errors") follow earlier ones; they count with the system
    // headers, so that a file whose only problem is HIP headers under a CUDA parse stays clean.
    if (!info.hasSourceManager() || info.getLocation().isInvalid() ||
        info.getSourceManager().isInSystemHeader(info.getLocation())) {
      ++facts_.systemErrors;
      return;
    }
    if (facts_.errors++ == 0) {
      llvm::SmallString<256> message;
      info.FormatDiagnostic(message);
      std::string where;
      if (info.hasSourceManager() && info.getLocation().isValid())
        where = info.getLocation().printToString(info.getSourceManager()) + ": ";
      facts_.firstError = where + message.str().str();
    }
  }

private:
  UnitFacts& facts_;
};

/// Files whose nvcc-style spaced launches are closed up for the parse (same offsets), with the
/// closed text, which must outlive the tool that maps it.
using ClosedFiles = std::map<std::string, std::string>;

void addClosed(ClosedFiles& closed, const std::string& path) {
  if (closed.count(path))
    return;
  if (auto buffer = llvm::MemoryBuffer::getFile(path)) {
    std::string text = closeLaunchBrackets((*buffer)->getBuffer());
    if (text != (*buffer)->getBuffer())
      closed.emplace(path, std::move(text));
  }
}

UnitFacts parseOnce(const Options& options, const clang::tooling::CompilationDatabase& database,
                    const CompatibilityHeaders& compat, const std::string& source,
                    const ClosedFiles& closed, int& status) {
  UnitFacts facts;
  // ClangTool moves into the compile command's directory. On the process's file system that is a
  // chdir, which a parse running beside this one would see in the middle of its relative include
  // paths; a file system of its own keeps the working directory to this parse.
  clang::tooling::ClangTool tool(database, {source},
                                 std::make_shared<clang::PCHContainerOperations>(),
                                 llvm::vfs::createPhysicalFileSystem());
  for (const auto& [path, text] : closed)
    tool.mapVirtualFile(path, text);
  tool.appendArgumentsAdjuster(parseArguments(options, compat));
  ErrorCounter counter(facts);
  tool.setDiagnosticConsumer(&counter);
  auto factory = collectorFactory(options, facts);
  status = tool.run(factory.get());
  return facts;
}

UnitFacts parseUnit(const Options& options, const clang::tooling::CompilationDatabase& database,
                    const CompatibilityHeaders& compat, const std::string& source) {
  ClosedFiles closed;
  addClosed(closed, source);
  int status = 0;
  UnitFacts facts = parseOnce(options, database, compat, source, closed, status);
  // Project headers are known only after a parse; when one of them holds a spaced launch, the
  // parse is done again with it closed up too.
  if (facts.errors) {
    std::size_t before = closed.size();
    for (const auto& file : facts.projectFiles)
      addClosed(closed, file);
    if (closed.size() != before)
      facts = parseOnce(options, database, compat, source, closed, status);
  }
  if (facts.errors)
    facts.diagnostics.push_back(
        {DiagId::ParseErrors, source, 0, 0,
         "clang found " + std::to_string(facts.errors) +
             " error(s) parsing this file (first: " + facts.firstError +
             "); it was still rewritten, but names it declares may be reported as unknown"});
  else if (facts.systemErrors)
    facts.diagnostics.push_back(
        {DiagId::SystemHeaderErrors, source, 0, 0,
         "clang found " + std::to_string(facts.systemErrors) +
             " error(s) in system headers only (HIP headers do not parse as CUDA, as in a file "
             "translated before); the file was rewritten as usual"});
  else if (status != 0)
    facts.diagnostics.push_back({DiagId::ParseErrors, source, 0, 0,
                                 "clang could not parse this file (no compile command?); it was "
                                 "still rewritten token by token"});
  if (facts.projectFiles.empty())
    facts.projectFiles.insert(source);
  return facts;
}

} // namespace

std::unique_ptr<clang::tooling::CompilationDatabase> defaultDatabase() {
  return std::make_unique<clang::tooling::FixedCompilationDatabase>(".",
                                                                    std::vector<std::string>{});
}

Translation translate(const Options& options, const clang::tooling::CompilationDatabase& database,
                      const std::vector<std::string>& sources, unsigned jobs) {
  llvm::DefaultThreadPool pool(llvm::hardware_concurrency(jobs));
  CompatibilityHeaders compat;
  std::vector<UnitFacts> units(sources.size());
  for (std::size_t i = 0; i < sources.size(); ++i)
    pool.async([&, i] { units[i] = parseUnit(options, database, compat, sources[i]); });
  pool.wait();

  Translation result;
  ProjectNames names;
  std::map<std::string, bool> files; // path -> is a translation unit
  for (std::size_t i = 0; i < units.size(); ++i) {
    names.add(units[i].names);
    for (const auto& file : units[i].projectFiles)
      files.emplace(file, false);
    result.diagnostics.insert(result.diagnostics.end(), units[i].diagnostics.begin(),
                              units[i].diagnostics.end());
  }
  for (const auto& source : sources) {
    llvm::SmallString<256> real;
    if (!llvm::sys::fs::real_path(source, real))
      files[real.str().str()] = true;
  }

  // Each file once, however many units reached it.
  std::vector<std::pair<std::string, bool>> order(files.begin(), files.end());
  result.files.resize(order.size());
  std::vector<std::vector<Diagnostic>> diagnostics(order.size());
  std::vector<Stats> stats(order.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    pool.async([&, i] {
      const auto& [path, isSource] = order[i];
      TranslatedFile& file = result.files[i];
      file.path = path;
      file.isSource = isSource;
      auto buffer = llvm::MemoryBuffer::getFile(path);
      if (!buffer) {
        diagnostics[i].push_back(
            {DiagId::IoError, path, 0, 0, "cannot read: " + buffer.getError().message()});
        return;
      }
      file.original = (*buffer)->getBuffer().str();
      auto rewritten = rewriteFile(path, file.original, options, names, isSource);
      file.translated = std::move(rewritten.text);
      diagnostics[i] = std::move(rewritten.diagnostics);
      stats[i] = rewritten.stats;
    });
  pool.wait();
  for (std::size_t i = 0; i < order.size(); ++i) {
    result.diagnostics.insert(result.diagnostics.end(), diagnostics[i].begin(),
                              diagnostics[i].end());
    result.stats.add(stats[i]);
  }
  sortAndUnique(result.diagnostics);
  return result;
}

TranslatedFile translateText(const Options& options, std::string path, std::string text,
                             std::vector<Diagnostic>& diagnostics, Stats& stats) {
  auto rewritten = rewriteFile(path, text, options, ProjectNames{}, true);
  diagnostics.insert(diagnostics.end(), rewritten.diagnostics.begin(), rewritten.diagnostics.end());
  stats.add(rewritten.stats);
  return {std::move(path), std::move(text), std::move(rewritten.text), true};
}

} // namespace drawbridge::translate

// `drawbridge translate`: CUDA sources to HIP sources (frontend/translate does the work).
#include "Command.h"
#include "drawbridge/translate/Output.h"
#include "drawbridge/translate/Translator.h"

#include <clang/Tooling/JSONCompilationDatabase.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

namespace drawbridge::cli {
namespace {

namespace cl = llvm::cl;
using namespace drawbridge::translate;

cl::SubCommand Translate("translate", "Translate CUDA sources into HIP sources");
cl::list<std::string> Sources(cl::Positional, cl::desc("<source files>"), cl::sub(Translate));
cl::opt<std::string> BuildPath("p", cl::desc("Directory holding compile_commands.json"),
                               cl::value_desc("dir"), cl::sub(Translate));
cl::opt<unsigned> Jobs("j", cl::desc("Translation units parsed at a time (default: all cores)"),
                       cl::init(0), cl::sub(Translate));
cl::opt<std::string> OutputFile("o", cl::desc("Write the translated source here"),
                                cl::value_desc("file"), cl::sub(Translate));
cl::opt<std::string> OutDir("out-dir",
                            cl::desc("Write every translated file below <dir>, "
                                     "mirroring the source tree"),
                            cl::value_desc("dir"), cl::sub(Translate));
cl::opt<bool> InPlace("inplace", cl::desc("Rewrite files in place, keeping FILE.cuda.bak"),
                      cl::sub(Translate));
cl::opt<std::string> HipVersionText("hip-version", cl::desc("HIP version to write for"),
                                    cl::init("5.2"), cl::sub(Translate));
cl::opt<std::string> OffloadArch("offload-arch",
                                 cl::desc("AMD GPU to write for (its warp size matters)"),
                                 cl::init("gfx90a"), cl::sub(Translate));
cl::opt<bool> Roc("roc",
                  cl::desc("Write rocBLAS, rocSPARSE, rocSOLVER and rocRAND calls instead of "
                           "their hipBLAS, hipSPARSE, hipSOLVER and hipRAND wrappers"),
                  cl::sub(Translate));
cl::opt<bool> HipLaunchSyntax("hip-launch-syntax",
                              cl::desc("Write launches as hipLaunchKernelGGL(...)"),
                              cl::sub(Translate));
cl::opt<std::string> CudaPath("cuda-path", cl::desc("CUDA toolkit whose headers the sources use"),
                              cl::init("/usr/local/cuda"), cl::sub(Translate));
cl::opt<StatsFormat>
    StatsOut("stats",
             cl::desc("Print counts of converted and unconverted references per API family"),
             cl::values(clEnumValN(StatsFormat::Text, "text", "a table"),
                        clEnumValN(StatsFormat::Json, "json", "JSON"),
                        clEnumValN(StatsFormat::Csv, "csv", "CSV")),
             cl::sub(Translate));

cl::list<std::string> IncludeDirs("I", cl::Prefix, cl::desc("Add a directory to the include path"),
                                  cl::value_desc("dir"), cl::sub(Translate));
cl::list<std::string> Defines("D", cl::Prefix, cl::desc("Define a macro for the parse"),
                              cl::value_desc("name[=value]"), cl::sub(Translate));
cl::list<std::string> ExtraArgs("extra-arg", cl::desc("Add a compiler argument to every parse"),
                                cl::sub(Translate));

// Exit statuses: 0 translated (notes and warnings are only advice), 2 translated but the output
// will not compile (what the target HIP cannot express), 1 the command could not do its work (a
// bad command line, a file that could not be read or written), so that a build script can tell
// them apart.
constexpr int kTranslated = 0;
constexpr int kFailed = 1;
constexpr int kWillNotCompile = 2;

int usage(llvm::StringRef message) {
  fail("translate", message);
  return kFailed;
}

int runTranslate() {
  Options options;
  auto version = HipVersion::parse(HipVersionText);
  if (!version)
    return usage("--hip-version must look like 5.2 or 6.1, not '" + HipVersionText + "'");
  options.hipVersion = *version;
  if (warpSizeOf(OffloadArch) == 0)
    return usage("--offload-arch must be an AMD GPU such as gfx90a or gfx1100, not '" +
                 OffloadArch + "'");
  options.offloadArch = OffloadArch;
  options.roc = Roc;
  options.hipLaunchSyntax = HipLaunchSyntax;
  options.cudaPath = CudaPath;
  if (!llvm::sys::fs::exists(CudaPath + "/include/cuda_runtime.h"))
    return usage("no CUDA toolkit at '" + CudaPath +
                 "' (no include/cuda_runtime.h); set --cuda-path");
  for (const auto& dir : IncludeDirs)
    options.extraArgs.push_back("-I" + dir);
  for (const auto& define : Defines)
    options.extraArgs.push_back("-D" + define);
  options.extraArgs.insert(options.extraArgs.end(), ExtraArgs.begin(), ExtraArgs.end());

  std::unique_ptr<clang::tooling::CompilationDatabase> database;
  std::vector<std::string> sources(Sources.begin(), Sources.end());
  if (!BuildPath.empty()) {
    std::string error;
    database = clang::tooling::JSONCompilationDatabase::loadFromDirectory(BuildPath, error);
    if (!database)
      return usage(error);
    if (sources.empty())
      sources = database->getAllFiles();
  } else {
    database = defaultDatabase();
  }
  if (sources.empty())
    return usage("no sources given (name files, or -p <dir> with compile_commands.json)");
  for (auto& s : sources) {
    llvm::SmallString<256> absolute(s);
    llvm::sys::fs::make_absolute(absolute);
    llvm::sys::path::remove_dots(absolute, true);
    s = absolute.str().str();
    if (!llvm::sys::fs::exists(s))
      return usage("no such file: " + s);
  }

  OutputPlan plan;
  int chosen = !OutputFile.empty() + !OutDir.empty() + InPlace;
  if (chosen > 1)
    return usage("choose one of -o, --out-dir and --inplace");
  if (!OutputFile.empty())
    plan = {OutputPlan::Kind::File, OutputFile};
  else if (!OutDir.empty())
    plan = {OutputPlan::Kind::Tree, OutDir};
  else if (InPlace)
    plan = {OutputPlan::Kind::InPlace, ""};
  if (plan.kind == OutputPlan::Kind::File || plan.kind == OutputPlan::Kind::Stdout)
    if (sources.size() != 1)
      return usage("several sources need --out-dir or --inplace");

  Translation translation = drawbridge::translate::translate(options, *database, sources, Jobs);
  auto problems = writeOutputs(translation, plan, llvm::outs());
  translation.diagnostics.insert(translation.diagnostics.end(), problems.begin(), problems.end());

  int status = kTranslated;
  bool ioFailed = false;
  for (const auto& d : translation.diagnostics) {
    llvm::errs() << format(d) << "\n";
    ioFailed |= d.id == DiagId::IoError;
    if (severityOf(d.id) == Severity::Error)
      status = kWillNotCompile;
  }
  if (ioFailed)
    status = kFailed;
  if (StatsOut.getNumOccurrences())
    // Stats go to stdout unless the translated text already does.
    translation.stats.print(StatsOut,
                            plan.kind == OutputPlan::Kind::Stdout ? llvm::errs() : llvm::outs());
  return status;
}

const bool registered = registerCommand(Translate, runTranslate);

} // namespace
} // namespace drawbridge::cli

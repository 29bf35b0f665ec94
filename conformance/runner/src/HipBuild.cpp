#include "drawbridge/runner/HipBuild.h"

#include "Files.h"
#include "TranslateLog.h"

#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Program.h>
#include <llvm/Support/Regex.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Support/xxhash.h>
#include <map>

namespace drawbridge::runner {
namespace {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

// Runs a program with its output in `log`; the exit status, or -1 when it could not start.
int execute(const std::vector<std::string>& argv, const std::string& log,
            const std::vector<std::string>& extraEnvironment = {}) {
  llvm::SmallVector<llvm::StringRef, 64> args(argv.begin(), argv.end());
  std::optional<llvm::SmallVector<llvm::StringRef, 0>> environment;
  std::vector<std::string> env;
  if (!extraEnvironment.empty()) {
    for (char** e = environ; *e; ++e)
      env.emplace_back(*e);
    env.insert(env.end(), extraEnvironment.begin(), extraEnvironment.end());
    environment.emplace(env.begin(), env.end());
  }
  std::optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), llvm::StringRef(log),
                                                llvm::StringRef(log)};
  return llvm::sys::ExecuteAndWait(argv[0], args, environment, redirects);
}

// The build's inputs: every file the workload's sources can reach, the tools and the variant.
std::string cacheKey(const HipToolchain& t, const std::vector<std::string>& sources) {
  std::string all = t.hipcc + "\n" + t.drawbridge + "\n";
  std::vector<std::string> files(sources);
  std::vector<std::string> dirs = t.includeDirs;
  dirs.push_back(pathJoin(t.sourceDir, "conformance/workloads/src")); // the sources' own headers
  for (const auto& dir : dirs) {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
      if (it->type() == fs::file_type::regular_file)
        files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files)
    all += f + "\n" + readText(f);
  fs::file_status translator;
  if (!fs::status(t.drawbridge, translator))
    all += std::to_string(translator.getLastModificationTime().time_since_epoch().count());
  return llvm::utohexstr(llvm::xxh3_64bits(all));
}

// HIP libraries the translated sources may include, with the library that provides them.
const std::map<std::string, std::string> kLibraryHeaders = {{"hipblas.h", "hipBLAS"},
                                                            {"hipblas/hipblas.h", "hipBLAS"},
                                                            {"hipblaslt/hipblaslt.h", "hipBLASLt"},
                                                            {"hipcub/hipcub.hpp", "hipCUB"},
                                                            {"hiprand/hiprand.h", "hipRAND"},
                                                            {"hipfft/hipfft.h", "hipFFT"},
                                                            {"hipsparse/hipsparse.h", "hipSPARSE"}};

// The HIP libraries the translation needs and this system lacks, named with their headers.
std::string missingLibraries(const std::string& tree) {
  std::vector<std::string> missing;
  llvm::Regex include("#[[:space:]]*include[[:space:]]*[<\"]([^>\"]+)[>\"]");
  std::error_code ec;
  for (fs::recursive_directory_iterator it(tree, ec), end; it != end && !ec; it.increment(ec)) {
    if (it->type() != fs::file_type::regular_file)
      continue;
    llvm::SmallVector<llvm::StringRef, 8> lines;
    std::string text = readText(it->path());
    llvm::StringRef(text).split(lines, '\n');
    for (auto line : lines) {
      llvm::SmallVector<llvm::StringRef, 2> match;
      if (!include.match(line, &match))
        continue;
      auto library = kLibraryHeaders.find(match[1].str());
      if (library == kLibraryHeaders.end())
        continue;
      bool present = fs::exists(pathJoin("/usr/include", library->first)) ||
                     fs::exists(pathJoin("/opt/rocm/include", library->first));
      std::string entry = "<" + library->first + "> (" + library->second + ")";
      if (!present && std::find(missing.begin(), missing.end(), entry) == missing.end())
        missing.push_back(entry);
    }
  }
  std::string text;
  for (const auto& m : missing)
    text += (text.empty() ? "" : " and ") + m;
  return text;
}

// Debian's rocm-device-libs (built with clang 15) have no gfx11 ISA bitcode, which hipcc needs for
// gfx1100. That file only defines __oclc_ISA_version, so a copy of the gfx1030 one with the
// version changed stands in; every other file is Debian's.
Expected<std::string> deviceLibraries(const HipToolchain& t) {
  std::string libs = pathJoin(t.workDir, "device-libs");
  fs::create_directories(libs);
  std::error_code ec;
  for (fs::directory_iterator it(t.deviceLibs, ec), end; it != end && !ec; it.increment(ec)) {
    std::string link = pathJoin(libs, path::filename(it->path()).str());
    if (path::extension(it->path()) == ".bc" && !fs::exists(link))
      fs::create_link(it->path(), link);
  }
  std::string isa1100 = pathJoin(libs, "oclc_isa_version_1100.bc");
  if (fs::exists(isa1100))
    return libs;
  std::string text = pathJoin(libs, "isa1100.ll"), log = pathJoin(libs, "isa1100.log");
  if (execute({t.llvmDis, "-o", text, pathJoin(t.deviceLibs, "oclc_isa_version_1030.bc")}, log) !=
      0)
    return Error{"cannot disassemble the gfx1030 ISA bitcode: " + lastLines(log, 3)};
  const std::string gfx1030 = "constant i32 10300", gfx1100 = "constant i32 11000";
  std::string ir = readText(text);
  size_t at = ir.find(gfx1030);
  if (at == std::string::npos)
    return Error{"the gfx1030 ISA bitcode does not define version 10300 as expected"};
  ir.replace(at, gfx1030.size(), gfx1100);
  if (!writeText(text, ir) || execute({t.llvmAs, "-o", isa1100, text}, log) != 0)
    return Error{"cannot assemble the gfx1100 ISA bitcode: " + lastLines(log, 3)};
  return libs;
}

// The directory the translator mirrored below `tree`: the sources' common directory, an ancestor
// of `file` within the repository (`root`). Empty when `file` has no translation.
std::string mirroredRoot(const std::string& tree, const std::string& file,
                         const std::string& root) {
  for (llvm::StringRef dir = path::parent_path(file);
       !dir.empty() && dir.size() >= llvm::StringRef(root).size(); dir = path::parent_path(dir))
    if (fs::exists(pathJoin(tree, llvm::StringRef(file).substr(dir.size() + 1).str())))
      return dir.str();
  return "";
}

// `file` (or directory) below the mirrored root, in the translated tree.
std::string translated(const std::string& tree, const std::string& mirrored,
                       const std::string& file) {
  if (!llvm::StringRef(file).starts_with(mirrored + "/"))
    return "";
  return pathJoin(tree, llvm::StringRef(file).substr(mirrored.size() + 1).str());
}

// Translates and compiles for one target; the binary, or why not (the build's state in `result`).
void buildTarget(const HipToolchain& t, const std::vector<std::string>& cudaSources,
                 const std::vector<std::string>& hostSources, const std::string& libs,
                 const std::string& dir, const std::string& target, HipBuild& result) {
  std::string tree = pathJoin(dir, "src"), log = pathJoin(dir, "translate.log");
  fs::remove_directories(tree);
  fs::create_directories(dir);
  std::vector<std::string> translate = {t.drawbridge,
                                        "translate",
                                        "--out-dir",
                                        tree,
                                        "--offload-arch=" + target,
                                        "--cuda-path",
                                        t.cudaPath,
                                        "--extra-arg=-std=c++20"};
  for (const auto& include : t.includeDirs)
    translate.push_back("-I" + include);
  translate.insert(translate.end(), cudaSources.begin(), cudaSources.end());
  int status = execute(translate, log);
  // 1: warnings only; 2 with DBT003 errors only: reported as not checkable below.
  if (status != 0 && status != 1 && !(status == 2 && onlyNewerHipErrors(readText(log)))) {
    result.state = HipBuildState::Failed;
    result.detail = "drawbridge translate failed for " + target + ": " + lastLines(log, 6) +
                    " [log: " + log + "]";
    return;
  }
  std::string missing = missingLibraries(tree), newer = newerHipNames(readText(log));
  if (!missing.empty() || !newer.empty()) {
    result.state = HipBuildState::NotCheckable;
    result.detail = "the translation needs ";
    if (!missing.empty())
      result.detail +=
          missing + ", which this system does not package" + (newer.empty() ? "" : "; and ");
    result.detail += newer + " [log: " + log + "]";
    return;
  }
  std::string mirrored = mirroredRoot(tree, cudaSources.front(), t.sourceDir);
  if (mirrored.empty()) {
    result.state = HipBuildState::Failed;
    result.detail = "drawbridge translate wrote no translation of " + cudaSources.front() +
                    " [log: " + log + "]";
    return;
  }
  std::string binary = pathJoin(dir, "llama-workload"), hipccLog = pathJoin(dir, "hipcc.log");
  std::vector<std::string> hipcc = {
      t.hipcc, "-std=c++20", "-O2", "--offload-arch=" + target, "--rocm-device-lib-path=" + libs,
      "-o",    binary};
  // Translated headers first; headers that needed no translation are not in the tree.
  for (const auto& include : t.includeDirs)
    if (std::string dir = translated(tree, mirrored, include); fs::is_directory(dir))
      hipcc.push_back("-I" + dir);
  for (const auto& include : t.includeDirs)
    hipcc.push_back("-I" + include);
  for (const auto& source : cudaSources)
    hipcc.push_back(translated(tree, mirrored, source));
  hipcc.insert(hipcc.end(), hostSources.begin(), hostSources.end());
  // hipcc guesses NVIDIA when it finds nvcc; the translation is for AMD.
  if (execute(hipcc, hipccLog, {"HIP_PLATFORM=amd"}) != 0) {
    result.state = HipBuildState::Failed;
    result.detail =
        "hipcc failed for " + target + ": " + lastLines(hipccLog, 6) + " [log: " + hipccLog + "]";
    return;
  }
  result.binaries.push_back(binary);
}

} // namespace

HipToolchain configuredHipToolchain(const std::string& binDir, const std::string& workDir,
                                    const std::string& cudaPath) {
  HipToolchain t;
  t.drawbridge = pathJoin(binDir, "drawbridge");
  t.hipcc = DRAWBRIDGE_HIPCC;
  t.llvmAs = DRAWBRIDGE_HIP_LLVM_AS;
  t.llvmDis = DRAWBRIDGE_HIP_LLVM_DIS;
  t.deviceLibs = DRAWBRIDGE_HIP_DEVICE_LIBS;
  t.cudaPath = cudaPath;
  t.sourceDir = DRAWBRIDGE_SOURCE_DIR;
  llvm::SmallVector<llvm::StringRef, 16> parts;
  llvm::StringRef(DRAWBRIDGE_WORKLOAD_HOST_SOURCES).split(parts, '|', -1, false);
  for (auto p : parts)
    t.hostSources.push_back(p.str());
  parts.clear();
  llvm::StringRef(DRAWBRIDGE_WORKLOAD_INCLUDE_DIRS).split(parts, '|', -1, false);
  for (auto p : parts)
    t.includeDirs.push_back(p.str());
  t.workDir = pathJoin(workDir, "hip");
  return t;
}

HipBuild buildHipWorkload(const HipToolchain& t, bool withBlas) {
  HipBuild result;
  for (const auto& [tool, what] : {std::pair{t.hipcc, "hipcc"},
                                   {t.llvmAs, "clang 15's llvm-as"},
                                   {t.llvmDis, "clang 15's llvm-dis"},
                                   {t.deviceLibs, "rocm-device-libs"}})
    if (tool.empty() || !fs::exists(tool)) {
      result.state = HipBuildState::NotCheckable;
      result.detail = std::string(what) + " is not installed (tools/setup.sh installs it)";
      return result;
    }
  std::string workloads = pathJoin(t.sourceDir, "conformance/workloads/src");
  std::vector<std::string> cudaSources = {pathJoin(workloads, "main.cu")};
  std::vector<std::string> hostSources = t.hostSources;
  if (withBlas)
    cudaSources.push_back(pathJoin(workloads, "CublasLinear.cu"));
  else
    hostSources.push_back(pathJoin(workloads, "WithoutBlas.cpp"));

  std::vector<std::string> all = cudaSources;
  all.insert(all.end(), hostSources.begin(), hostSources.end());
  std::string variant = pathJoin(t.workDir, withBlas ? "blas" : "own");
  std::string keyFile = pathJoin(variant, "compiled.key"), key = cacheKey(t, all);
  std::vector<std::string> binaries;
  for (const auto& target : kHipTargets)
    binaries.push_back(pathJoin(pathJoin(variant, target), "llama-workload"));
  if (readText(keyFile) == key &&
      std::all_of(binaries.begin(), binaries.end(), [](auto& b) { return fs::exists(b); })) {
    result.state = HipBuildState::Compiled;
    result.binaries = binaries;
    result.cached = true;
    return result;
  }
  fs::remove(keyFile);
  auto libs = deviceLibraries(t);
  if (!libs) {
    result.detail = libs.error().message;
    return result;
  }
  result.state = HipBuildState::Compiled;
  for (const auto& target : kHipTargets) {
    buildTarget(t, cudaSources, hostSources, *libs, pathJoin(variant, target), target, result);
    if (result.state != HipBuildState::Compiled)
      return result;
  }
  writeText(keyFile, key);
  return result;
}

Expected<std::string> amdGpuTarget() {
  if (!fs::exists("/dev/kfd"))
    return Error{"no AMD GPU (/dev/kfd, the ROCm kernel driver's device, is absent)"};
  auto rocminfo = llvm::sys::findProgramByName("rocminfo");
  if (!rocminfo)
    return Error{"/dev/kfd is present but rocminfo is not installed to name the GPU"};
  llvm::SmallString<128> log;
  fs::createTemporaryFile("rocminfo", "txt", log);
  int status = execute({*rocminfo}, log.str().str());
  std::string text = readText(log.str().str());
  fs::remove(log);
  llvm::Regex agent("Name:[[:space:]]+(gfx[0-9a-f]+)");
  llvm::SmallVector<llvm::StringRef, 2> match;
  if (status != 0 || !agent.match(text, &match))
    return Error{"no AMD GPU (rocminfo lists no gfx agent)"};
  return match[1].str();
}

} // namespace drawbridge::runner

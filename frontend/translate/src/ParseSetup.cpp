#include "ParseSetup.h"

#include <llvm/ADT/StringSwitch.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

namespace drawbridge::translate {
namespace {

// Declarations that let clang 19 parse code nvcc accepts. They exist only for the parse: the
// translated file never includes them. Attributes are spelled out because this header may be
// read before the CUDA wrapper defines __device__.
constexpr llvm::StringLiteral kCompatHeader = R"(#pragma once
// nvcc accepts host calls to the integer min/max that CUDA declares for the device only.
__attribute__((host)) int max(int, int);
__attribute__((host)) int min(int, int);
__attribute__((host)) unsigned max(unsigned, unsigned);
__attribute__((host)) unsigned min(unsigned, unsigned);
// nvcc's cache-hinted loads and stores take any type; CUDA 13 declares a few vector types.
template <class T> __attribute__((device)) T __ldcs(const T*);
template <class T> __attribute__((device)) T __ldcg(const T*);
template <class T> __attribute__((device)) T __ldca(const T*);
template <class T> __attribute__((device)) T __ldlu(const T*);
template <class T> __attribute__((device)) void __stcs(T*, T);
template <class T> __attribute__((device)) void __stcg(T*, T);
template <class T> __attribute__((device)) void __stwb(T*, T);
template <class T> __attribute__((device)) void __stwt(T*, T);
)";

/// nvcc and compiler options whose value is the next argument.
bool takesValue(llvm::StringRef arg) {
  return llvm::StringSwitch<bool>(arg)
      .Cases("-o", "-x", "-Xcompiler", "-Xptxas", "-Xlinker", "-Xnvlink", "-gencode", "-arch",
             "-code", true)
      .Cases("-ccbin", "-MF", "-MT", "-MQ", "--compiler-options", "-maxrregcount", "-std", "--std",
             "-I", true)
      .Cases("-isystem", "-include", "-D", "-U", "-iquote", "-idirafter", true)
      .Default(false);
}

bool isSourceFile(llvm::StringRef arg) {
  return llvm::StringSwitch<bool>(llvm::sys::path::extension(arg))
      .Cases(".cu", ".cpp", ".cc", ".cxx", ".c", ".cuh", true)
      .Default(false);
}

} // namespace

CompatibilityHeaders::CompatibilityHeaders() {
  llvm::SmallString<256> dir;
  if (llvm::sys::fs::createUniqueDirectory("drawbridge-compat", dir))
    return; // the parse then reports the missing headers
  directory_ = dir.str().str();
  auto write = [&](llvm::StringRef name, llvm::StringRef text) {
    std::error_code ec;
    llvm::raw_fd_ostream os(directory_ + "/" + name.str(), ec);
    os << text;
  };
  // CUDA 13 removed texture_fetch_functions.h; clang 19's CUDA wrapper still includes it.
  write("texture_fetch_functions.h", "");
  write("drawbridge_cuda_compat.h", kCompatHeader);
}

CompatibilityHeaders::~CompatibilityHeaders() {
  if (!directory_.empty())
    llvm::sys::fs::remove_directories(directory_);
}

clang::tooling::ArgumentsAdjuster parseArguments(const Options& options,
                                                 const CompatibilityHeaders& compat) {
  std::string cudaPath = options.cudaPath;
  std::string compatDir = compat.directory();
  std::vector<std::string> extra = options.extraArgs;
  return [cudaPath, compatDir, extra](const clang::tooling::CommandLineArguments& args,
                                      llvm::StringRef) {
    clang::tooling::CommandLineArguments out = {
        "clang++",
        "-x",
        "cuda",
        "--cuda-host-only",
        "-nocudalib",
        "--cuda-gpu-arch=sm_80",
        "--cuda-path=" + cudaPath,
        "-resource-dir=" DRAWBRIDGE_CLANG_RESOURCE_DIR,
        "-isystem",
        compatDir,
        "-isystem",
        cudaPath + "/include/cccl",
        "-include",
        "drawbridge_cuda_compat.h",
        "-Wno-unknown-cuda-version",
        "-w",
        "-fsyntax-only",
    };
    bool hasStd = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
      llvm::StringRef arg = args[i];
      if (takesValue(arg) && i + 1 < args.size()) {
        llvm::StringRef value = args[++i];
        if (arg == "-std" || arg == "--std") {
          out.push_back("-std=" + value.str());
          hasStd = true;
        } else if (arg == "-I" || arg == "-isystem" || arg == "-include" || arg == "-D" ||
                   arg == "-U" || arg == "-iquote" || arg == "-idirafter") {
          out.push_back(arg.str());
          out.push_back(value.str());
        }
        continue;
      }
      if (arg.starts_with("-std=") || arg.starts_with("--std=")) {
        out.push_back("-std=" + arg.split('=').second.str());
        hasStd = true;
      } else if (arg.starts_with("-I") || arg.starts_with("-D") || arg.starts_with("-U") ||
                 arg.starts_with("-isystem") || arg.starts_with("-include") ||
                 arg.starts_with("-iquote")) {
        out.push_back(arg.str());
      } else if (!arg.starts_with("-") && isSourceFile(arg)) {
        out.push_back(arg.str());
      }
    }
    out.insert(out.end(), extra.begin(), extra.end());
    // nvcc 13's default dialect; a project that names one keeps its own.
    if (!hasStd)
      out.insert(out.begin() + 1, "-std=c++17");
    return out;
  };
}

} // namespace drawbridge::translate

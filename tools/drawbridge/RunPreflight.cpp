#include "RunPreflight.h"

#include "drawbridge/fatbin/Cubin.h"
#include "drawbridge/fatbin/Image.h"
#include "drawbridge/fatbin/Payload.h"
#include "drawbridge/fatbin/PtxSelection.h"

#include <algorithm>
#include <fstream>
#include <llvm/Demangle/Demangle.h>
#include <vector>

namespace drawbridge::cli {
namespace {

using namespace drawbridge::fatbin;

bool isElf(const std::string& path) {
  char magic[4] = {};
  std::ifstream(path, std::ios::binary).read(magic, 4);
  return magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

// The kernels a unit's SASS defines (mangled), for messages about that unit.
std::vector<std::string> kernelsOf(const Fatbin& fatbin) {
  std::vector<std::string> names;
  for (const auto& entry : fatbin.entries) {
    if (!entry.isElf())
      continue;
    auto cubin = decompress(entry);
    if (!cubin)
      continue;
    if (auto kernels = cubinKernels(*cubin))
      for (auto& k : *kernels)
        if (std::find(names.begin(), names.end(), k) == names.end())
          names.push_back(k);
  }
  return names;
}

std::string describeKernels(const std::vector<std::string>& names) {
  std::string list;
  for (const auto& name : names)
    list += (list.empty() ? "" : ", ") + llvm::demangle(name);
  return list.empty() ? "its kernels" : list;
}

// nvcc links CUDA's device runtime (libcudadevrt) into every -rdc program. It is needed only
// for dynamic parallelism, and its PTX targets GPUs newer than the frontend's, so the shim
// leaves it out; it is no reason to refuse the program.
bool isDeviceRuntime(const Fatbin& fatbin, const std::vector<std::string>& kernels) {
  return fatbin.section == "__nv_relfatbin" && !kernels.empty() &&
         std::all_of(kernels.begin(), kernels.end(), [](const std::string& k) {
           return k.find("_cuda_device_runtime_cu_") != std::string::npos;
         });
}

} // namespace

std::optional<std::string> preflightProblem(const std::string& path) {
  if (!isElf(path))
    return std::nullopt;
  auto image = Image::open(path);
  if (!image)
    return "cannot read the program's device code: " + image.error().message;

  const auto& needed = image->neededLibraries();
  auto needs = [&](std::string_view soname) {
    return std::find(needed.begin(), needed.end(), soname) != needed.end();
  };
  for (const auto& lib : needed)
    if (lib.starts_with("libcudart.so.") && lib != "libcudart.so.13")
      return path + " uses " + lib +
             ", another CUDA version's runtime; Drawbridge provides "
             "CUDA 13's (libcudart.so.13). Rebuild it with CUDA 13's nvcc.";
  if (!image->fatbins().empty() && !needs("libcudart.so.13"))
    return path + " carries CUDA device code but is linked with the static CUDA runtime "
                  "(nvcc's default, -cudart static), which Drawbridge cannot replace. Rebuild it "
                  "with '-cudart shared'.";

  for (const auto& fatbin : image->fatbins()) {
    // Device-link wrappers hold link stubs; the units hold the kernels (see inspect).
    if (fatbin.wrapperVersion == 2 || fatbin.entries.empty())
      continue;
    if (auto chosen = selectPtx(fatbin); !chosen) {
      auto kernels = kernelsOf(fatbin);
      if (!isDeviceRuntime(fatbin, kernels))
        return path + ": " + describeKernels(kernels) + " cannot run: " + chosen.error().message;
    }
  }
  return std::nullopt;
}

} // namespace drawbridge::cli

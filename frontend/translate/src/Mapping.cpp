#include "drawbridge/translate/Mapping.h"

#include <array>
#include <llvm/ADT/STLExtras.h>
#include <llvm/ADT/StringMap.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/ADT/StringSet.h>
#include <vector>

namespace drawbridge::translate {
namespace {

// The tables are X-macro files so that they read as plain lists; each row becomes a Mapping.
#define DRAWBRIDGE_ROW(cuda, hip, action, major, minor)                                            \
  Mapping{cuda, hip, DRAWBRIDGE_FAMILY, action, HipVersion{major, minor}, false},
#define DRAWBRIDGE_ROC_ROW(cuda, roc, action, major, minor)                                        \
  Mapping{cuda, roc, DRAWBRIDGE_FAMILY, action, HipVersion{major, minor}, true},
#define DRAWBRIDGE_ROC_RENAME(cuda, roc, major, minor)                                             \
  DRAWBRIDGE_ROC_ROW(#cuda, #roc, Action::Rename, major, minor)
#define DRAWBRIDGE_ROC_UNSUPPORTED(cuda, why)                                                      \
  DRAWBRIDGE_ROC_ROW(#cuda, why, Action::Unsupported, 0, 0)
#define DRAWBRIDGE_ROC_HEADER(cuda, roc, major, minor)                                             \
  DRAWBRIDGE_ROC_ROW(cuda, roc, Action::Rename, major, minor)
#define DRAWBRIDGE_RENAME(cuda, hip, major, minor)                                                 \
  DRAWBRIDGE_ROW(#cuda, #hip, Action::Rename, major, minor)
#define DRAWBRIDGE_RENAME_TEXT(cuda, hip, major, minor)                                            \
  DRAWBRIDGE_ROW(#cuda, hip, Action::Rename, major, minor)
#define DRAWBRIDGE_DROP_MASK(cuda, hip, major, minor)                                              \
  DRAWBRIDGE_ROW(#cuda, #hip, Action::DropMask, major, minor)
#define DRAWBRIDGE_DROP_MASK_TEXT(cuda, hip, major, minor)                                         \
  DRAWBRIDGE_ROW(#cuda, hip, Action::DropMask, major, minor)
#define DRAWBRIDGE_WIDEN_MASK(cuda, hip, major, minor)                                             \
  DRAWBRIDGE_ROW(#cuda, #hip, Action::WidenMask, major, minor)
#define DRAWBRIDGE_REPLACE_CALL(cuda, hip, major, minor)                                           \
  DRAWBRIDGE_ROW(#cuda, #hip, Action::ReplaceCall, major, minor)
#define DRAWBRIDGE_LOAD(cuda, major, minor) DRAWBRIDGE_ROW(#cuda, "", Action::Load, major, minor)
#define DRAWBRIDGE_STORE(cuda, major, minor) DRAWBRIDGE_ROW(#cuda, "", Action::Store, major, minor)
#define DRAWBRIDGE_RENAME_UNTEMPLATED(cuda, hip, major, minor)                                     \
  DRAWBRIDGE_ROW(#cuda, #hip, Action::RenameUntemplated, major, minor)
#define DRAWBRIDGE_UNSUPPORTED(cuda, why) DRAWBRIDGE_ROW(#cuda, why, Action::Unsupported, 0, 0)
#define DRAWBRIDGE_HEADER(cuda, hip, major, minor)                                                 \
  DRAWBRIDGE_ROW(cuda, hip, Action::Rename, major, minor)
#define DRAWBRIDGE_HEADER_UNSUPPORTED(cuda, why)                                                   \
  DRAWBRIDGE_ROW(cuda, why, Action::Unsupported, 0, 0)

const Mapping kMappings[] = {
#define DRAWBRIDGE_FAMILY Family::Runtime
#include "mappings/DeviceProp.def"
#include "mappings/Libcuxx.def"
#include "mappings/Runtime.def"
#include "mappings/hipify/Runtime.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Driver
#include "mappings/Driver.def"
#include "mappings/hipify/Driver.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Blas
#include "mappings/Blas.def"
#include "mappings/hipify/Blas.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::BlasLt
#include "mappings/BlasLt.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Rand
#include "mappings/Rand.def"
#include "mappings/hipify/Rand.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Fft
#include "mappings/Fft.def"
#include "mappings/hipify/Fft.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Sparse
#include "mappings/Sparse.def"
#include "mappings/hipify/Sparse.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Solver
#include "mappings/hipify/Solver.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Dnn
#include "mappings/hipify/Dnn.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Rtc
#include "mappings/hipify/Rtc.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Cub
#include "mappings/Cub.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Nccl
#include "mappings/Nccl.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Half
#include "mappings/Half.def"
#include "mappings/hipify/Complex.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Device
#include "mappings/Device.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Macro
#include "mappings/Macros.def"
#undef DRAWBRIDGE_FAMILY
#define DRAWBRIDGE_FAMILY Family::Header
#include "mappings/Headers.def"
#undef DRAWBRIDGE_FAMILY
};

struct Index {
  llvm::StringMap<std::vector<const Mapping*>> identifiers;
  llvm::StringMap<std::vector<const Mapping*>> headers;
  llvm::StringSet<> byArgumentCount; // names with "name/N" rows
  Index() {
    for (const Mapping& m : kMappings) {
      (m.family == Family::Header ? headers : identifiers)[m.cuda].push_back(&m);
      if (auto slash = m.cuda.find('/'); m.family != Family::Header && slash != m.cuda.npos)
        byArgumentCount.insert(llvm::StringRef(m.cuda.data(), slash));
    }
  }
};

const Index& index() {
  static const Index built;
  return built;
}

Lookup lookupIn(const llvm::StringMap<std::vector<const Mapping*>>& table, std::string_view name,
                Target target) {
  auto it = table.find(llvm::StringRef(name.data(), name.size()));
  if (it == table.end())
    return {};
  // With --roc, a name's roc rows replace its hip rows; names without roc rows keep theirs.
  bool roc = target.roc && llvm::any_of(it->second, [](const Mapping* m) { return m->roc; });
  Lookup found;
  for (const Mapping* m : it->second) {
    if (m->roc != roc)
      continue;
    if (m->since <= target.hip) {
      if (!found.usable || found.usable->since < m->since)
        found.usable = m;
    } else if (!found.newer || m->since < found.newer->since) {
      found.newer = m;
    }
  }
  if (found.usable)
    found.newer = nullptr;
  return found;
}

} // namespace

std::optional<HipVersion> HipVersion::parse(std::string_view text) {
  llvm::StringRef rest(text.data(), text.size());
  auto [majorText, afterMajor] = rest.split('.');
  auto [minorText, ignored] = afterMajor.split('.');
  HipVersion v;
  if (majorText.getAsInteger(10, v.major) || minorText.getAsInteger(10, v.minor))
    return std::nullopt;
  return v;
}

std::string_view familyName(Family family) {
  static constexpr std::array<std::string_view, kFamilyCount> names = {
      "runtime",  "driver",   "cublas", "cublaslt", "curand", "cufft",
      "cusparse", "cusolver", "cudnn",  "nvrtc",    "cub",    "nccl",
      "fp16",     "device",   "header", "macro",    "launch"};
  return names[static_cast<std::size_t>(family)];
}

Lookup lookupIdentifier(std::string_view name, Target target) {
  return lookupIn(index().identifiers, name, target);
}

bool hasArgumentCountRows(std::string_view name) {
  return index().byArgumentCount.contains(llvm::StringRef(name.data(), name.size()));
}

Lookup lookupHeader(std::string_view name, Target target) {
  Lookup exact = lookupIn(index().headers, name, target);
  if (exact.usable || exact.newer)
    return exact;
  auto slash = name.find('/');
  if (slash == std::string_view::npos)
    return {};
  return lookupIn(index().headers, std::string(name.substr(0, slash)) + "/*", target);
}

std::optional<Family> familyByPrefix(std::string_view identifier) {
  llvm::StringRef id(identifier.data(), identifier.size());
  // CUDA's names go on in upper case after the prefix (cudaMalloc, ncclSend); programs' own
  // cuda_check, nccl_id or cu_seqlens do not, and are not reported.
  auto upperAfter = [&](llvm::StringRef prefix) {
    return id.starts_with(prefix) && id.size() > prefix.size() && llvm::isUpper(id[prefix.size()]);
  };
  // Longest prefixes first: cublasLt before cublas before cu.
  if (upperAfter("cublasLt") || id.starts_with("CUBLASLT_"))
    return Family::BlasLt;
  if (upperAfter("cublas") || id.starts_with("CUBLAS_"))
    return Family::Blas;
  if (upperAfter("curand") || id.starts_with("curand_") || id.starts_with("CURAND_"))
    return Family::Rand;
  if (upperAfter("cufft") || id.starts_with("CUFFT_"))
    return Family::Fft;
  if (upperAfter("cusparse") || id.starts_with("CUSPARSE_"))
    return Family::Sparse;
  if (upperAfter("cusolver") || id.starts_with("CUSOLVER_"))
    return Family::Solver;
  if (upperAfter("cudnn") || id.starts_with("CUDNN_"))
    return Family::Dnn;
  if (upperAfter("nvrtc") || id.starts_with("NVRTC_"))
    return Family::Rtc;
  if (upperAfter("nccl") || id.starts_with("NCCL_"))
    return Family::Nccl;
  if (id.starts_with("__nv_") || id.starts_with("nv_bfloat") || id.starts_with("nv_half") ||
      id.starts_with("CUDART_"))
    return Family::Half;
  if (upperAfter("cuda") || id.starts_with("CUDA_") || id.starts_with("__CUDA"))
    return Family::Runtime;
  if (upperAfter("cu") || id.starts_with("CU_") ||
      (id.starts_with("CU") && id.size() > 2 && llvm::isLower(id[2])))
    return Family::Driver;
  return std::nullopt;
}

std::span<const Mapping> allMappings() {
  return kMappings;
}

} // namespace drawbridge::translate
